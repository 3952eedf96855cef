// Shared helpers for rpmdb tests: external tools (skip loudly when absent) and temp dirs.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { tempDir as scratchDir } from '../helpers/temp-dir.js';
import { sharedPath } from '../helpers/realdata.js';

export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).status === 0;
}

export function run(cmd: string, args: string[], opts: { input?: Uint8Array | string; cwd?: string; env?: NodeJS.ProcessEnv } = {}): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input: opts.input, cwd: opts.cwd, env: opts.env ?? process.env, maxBuffer: 256 << 20 });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

export const tempDir = (prefix: string): ReturnType<typeof scratchDir> => scratchDir(`rfs-rpmdb-${prefix}-`);

export const REALDATA = sharedPath('realdata');
export const FIXTURE_SPECS = sharedPath('docs/reference/fixtures');

/** rpm 4.18 reading a BDB dir read-only (bdb_ro) */
export function rpmBdb(dbpath: string, args: string[]): { status: number; stdout: string; stderr: string } {
  return run('rpm', ['--define', '_db_backend bdb_ro', '--dbpath', dbpath, ...args]);
}

/** db5.3_verify output lines other than its success notice (empty = clean) */
export function dbVerifyProblems(file: string): string[] {
  const r = run('db5.3_verify', ['-o', file]);
  const lines = (r.stdout + r.stderr).split('\n').filter((l) => l.trim() !== '' && !/Verification of .* succeeded/.test(l));
  if (r.status !== 0) lines.push(`exit status ${r.status}`);
  return lines;
}

/** rpm 4.18 against a written dbpath: bdb_ro for BDB (read-only in place), sqlite on a copy */
export function rpmQuery(dbpath: string, flavour: string, args: string[], root?: string): { status: number; stdout: string; stderr: string } {
  const base = flavour.startsWith('bdb') ? ['--define', '_db_backend bdb_ro'] : flavour === 'ndb' ? ['--define', '_db_backend ndb'] : [];
  const loc = root ? ['--root', root, '--dbpath', dbpath] : ['--dbpath', dbpath];
  const r = run('rpm', [...base, ...loc, ...args]);
  // Debian's rpm wrapper nags on stderr; keep real messages only
  r.stderr = r.stderr.split('\n').filter((l) => l && !/Alien|assuming you know/.test(l)).join('\n');
  return r;
}
