// Request and --exclude globs in the solver's jobs: fnmatch, as dnf's Subject reads them.
import { describe, expect, it } from 'vitest';
import { excludedSet, expandRequest } from '../../src/solver/jobs.js';
import { poolOf } from './helpers.js';

const pool = poolOf(`
=Pkg: attr 2.5 1 x86_64
=Pkg: bash 5.2 1 x86_64
=Pkg: bash-completion 2.11 1 noarch
=Pkg: weird* 1 1 noarch
`);
const none = new Uint8Array(pool.size + 1);
const jobNames = (specs: string[], excluded = none): string[] =>
  expandRequest(pool, specs, excluded).jobs.flatMap((j) => j.candidates.map((id) => pool.solvable(id).pkg.name));

describe('request globs', () => {
  it("an unclosed '[' is a plain character: not found, not a RegExp error", () => {
    expect(pool.size).toBe(4);
    const r = expandRequest(pool, ['foo['], none);
    expect(r.jobs).toEqual([]);
    expect(r.problems).toEqual([{ kind: 'not-found', request: 'foo[', chain: [] }]);
  });
  it('[!a]* negates, [a-b]* is a range, *\\* ends in a literal *', () => {
    expect(jobNames(['[!a]*']).sort()).toEqual(['bash', 'bash-completion', 'weird*']);
    expect(jobNames(['[a-b]as*']).sort()).toEqual(['bash', 'bash-completion']);
    expect(jobNames(['*\\*'])).toEqual(['weird*']);
  });
  it('--exclude globs are fnmatch too', () => {
    const ex = excludedSet(pool, ['bash-[!0-9]*', '*\\*']);
    const left = [...Array(pool.size).keys()].map((i) => i + 1).filter((id) => !ex[id]).map((id) => pool.solvable(id).pkg.name);
    expect(left.sort()).toEqual(['attr', 'bash']);
    expect(() => excludedSet(pool, ['bash['])).not.toThrow();
  });
});
