// Shared by the benchmark scripts: timing a child process under GNU time, the median, and a
// local HTTP mirror of the fixture repos.
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

/** Run a command under GNU time; returns wall seconds, peak RSS in MB and CPU seconds (user+sys, waited-for children included). */
export function timed(cmd, args, env = {}) {
  return new Promise((res, rej) => {
    const p = spawn('/usr/bin/time', ['-f', '%e %M %U %S', cmd, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (c) => { err += c; });
    p.on('close', (code) => {
      const [s, kb, u, sys] = (err.trim().split('\n').pop() ?? '').split(' ').map(Number);
      if (code !== 0) rej(new Error(`${cmd} failed (${code}): ${err.slice(-2000)}`)); else res({ s, mb: kb / 1024, cpu: u + sys });
    });
  });
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Serve the fixture repos (npm run fixtures) over HTTP on 127.0.0.1, each URL prefix of `layout`
 * mapped to a repo folder. Returns the mirror root URL and the server (close it when done).
 */
export async function serveFixtureRepos(root, layout) {
  const cache = join(root, 'test/fixtures/.cache');
  const current = join(cache, 'current');
  const build = existsSync(current) ? join(cache, readFileSync(current, 'utf8').trim(), 'repos') : undefined;
  if (!build) throw new Error('no fixture repos: run `npm run fixtures` first');
  const server = createServer((req, res) => {
    const url = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const hit = Object.entries(layout).find(([p]) => url.startsWith(p));
    const file = hit && join(build, hit[1], url.slice(hit[0].length));
    if (!file || !existsSync(file) || statSync(file).isDirectory()) { res.statusCode = 404; res.end(); return; }
    res.setHeader('content-length', statSync(file).size);
    createReadStream(file).pipe(res);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/`, server };
}
