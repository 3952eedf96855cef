import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { collectCases, runCase, testsolvResults } from './libsolv-cases.js';
import { sharedPath } from '../helpers/realdata.js';

const ROOT = sharedPath('realdata/solver/libsolv-0.7.23/testcases');
const have = existsSync(ROOT);
let haveTestsolv = true;
try { execFileSync('testsolv', ['-h'], { stdio: 'ignore' }); } catch (e) { haveTestsolv = (e as { code?: string }).code !== 'ENOENT'; }
if (!haveTestsolv) console.warn('testsolv absent: the cplxdeps cases (result rules) are not run');
if (!have) console.warn(`skipping libsolv testcases: ${ROOT} absent`);

describe.skipIf(!have)('libsolv 0.7.23 testcases (install and update jobs)', () => {
  const cases = have ? collectCases(ROOT, haveTestsolv) : [];
  const run = cases.filter((c) => !c.skip);
  if (process.env.SOLVER_LIST_SKIPS) {
    for (const c of cases) console.log(`${c.skip ? 'SKIP' : c.oracle ? 'ORCL' : 'RUN '}\t${c.id}\t${c.skip ?? ''}`);
  }
  it('finds the in-scope cases', () => {
    expect(run.length).toBeGreaterThan(10);
  });
  it.each(run.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const { got, want } = runCase(c.tc, c.oracle ? testsolvResults(c.file).get(c.index) ?? [] : undefined);
    expect(got).toEqual(want);
  });
});

// our own fixtures in libsolv's format; each also passes libsolv's testsolv (checked when installed)
const FIX = resolve(__dirname, 'fixtures');
describe('own libsolv-format fixtures', () => {
  const cases = collectCases(FIX, false);
  it('all are in scope', () => expect(cases.filter((c) => c.skip).map((c) => `${c.id}: ${c.skip}`)).toEqual([]));
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const { got, want } = runCase(c.tc);
    expect(got).toEqual(want);
    // testsolv prints only a `test N:` header per job of a file whose results all match
    if (haveTestsolv && c.index === 0) expect(execFileSync('testsolv', [c.file], { encoding: 'utf8' }).split('\n').filter((l) => l && !/^test \d+:$/.test(l))).toEqual([]);
  });
});
