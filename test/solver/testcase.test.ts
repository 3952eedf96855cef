// --dump-testcase output replayed by libsolv's own testsolv: libsolv must reach our answer.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTestcase, type Pool, type ResolveOptions } from '../../src/solver/index.js';
import { cs9Pool, haveCs9 } from './cs9.js';
import { tempDir } from '../helpers/temp-dir.js';
import { poolOf } from './helpers.js';

function haveTestsolv(): boolean {
  try { execFileSync('testsolv', ['-h'], { stdio: 'ignore' }); return true; } catch (e) { return (e as { status?: number }).status !== undefined && (e as { status?: number }).status !== 127 && !String(e).includes('ENOENT'); }
}
const have = haveTestsolv();
if (!have) console.warn('testsolv (libsolv-tools) not installed: testcase replay skipped');

const scratch = tempDir('rfs-testcase-');
afterAll(() => scratch.cleanup());
function replay(pool: Pool, install: string[], opts: ResolveOptions = {}): string {
  const text = writeTestcase(pool, { install }, opts);
  const f = join(scratch.dir, `${install.join('_').replace(/[^a-z0-9_]/gi, '')}.t`);
  writeFileSync(f, text);
  try {
    return execFileSync('testsolv', [f], { encoding: 'utf8' });
  } catch (e) {
    return `${(e as { stdout?: string }).stdout ?? ''}${String(e)}`;
  }
}

describe('writeTestcase', () => {
  const pool = poolOf(`
    =Pkg: x 1 1 x86_64
    =Req: y >= 1
    =Req: (c or d)
    =Rec: r
    =Pkg: a 1 1 noarch
    =Prv: y = 1
    =Pkg: b 1 1 noarch
    =Prv: y = 2
    =Pkg: c 1 1 noarch
    =Pkg: d 1 1 noarch
    =Pkg: r 1 1 noarch`);
  it('writes testtags repos, the jobs and our result', () => {
    const t = writeTestcase(pool, { install: ['x'] });
    expect(t).toContain('repo r0 -99.-1000 testtags <inline>');
    expect(t).toContain('#>=Req: c | d');
    expect(t).toContain('job install oneof x-1-1.x86_64@r0');
    expect(t).toContain('#>install b-1-1.noarch@r0');
    expect(t).toContain('solverflags ignorerecommended');
  });
  it.skipIf(!have)('replays in testsolv with the same result (weak deps off and on)', () => {
    expect(replay(pool, ['x'])).toBe('');
    expect(replay(pool, ['x'], { weakDeps: true })).toBe('');
  });
  it.skipIf(!have || !haveCs9)('replays CS9 requests in testsolv with the same result', async () => {
    const { pool: cs9 } = await cs9Pool();
    for (const req of [['bash'], ['cockpit'], ['httpd', 'git'], ['glibc.i686']]) expect(replay(cs9, req)).toBe('');
    expect(replay(cs9, ['dnf', 'vim-enhanced'], { weakDeps: true })).toBe('');
  }, 60_000);
});
