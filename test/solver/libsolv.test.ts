import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectCases, runCase } from './libsolv-cases.js';

const ROOT = resolve(__dirname, '../../../shared/realdata/solver/libsolv-0.7.23/testcases');
const have = existsSync(ROOT);
if (!have) console.warn(`skipping libsolv testcases: ${ROOT} absent`);

describe.skipIf(!have)('libsolv 0.7.23 testcases (install jobs into an empty root)', () => {
  const cases = have ? collectCases(ROOT) : [];
  const run = cases.filter((c) => !c.skip);
  if (process.env.SOLVER_LIST_SKIPS) {
    for (const c of cases) console.log(`${c.skip ? 'SKIP' : 'RUN '}\t${c.id}\t${c.skip ?? ''}`);
  }
  it('finds the in-scope cases', () => {
    expect(run.length).toBeGreaterThan(10);
  });
  it.each(run.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const { got, want } = runCase(c.tc);
    expect(got).toEqual(want);
  });
});
