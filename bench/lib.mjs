// Shared by the benchmark scripts: timing a child process under GNU time, and the median.
import { spawn } from 'node:child_process';

/** Run a command under GNU time; returns wall seconds and peak RSS in MB. */
export function timed(cmd, args, env = {}) {
  return new Promise((res, rej) => {
    const p = spawn('/usr/bin/time', ['-f', '%e %M', cmd, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (c) => { err += c; });
    p.on('close', (code) => {
      const [s, kb] = (err.trim().split('\n').pop() ?? '').split(' ').map(Number);
      if (code !== 0) rej(new Error(`${cmd} failed (${code}): ${err.slice(-2000)}`)); else res({ s, mb: kb / 1024 });
    });
  });
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
