import { describe, expect, it } from 'vitest';
import { resolve, writeTestcase } from '../../src/solver/index.js';
import { poolOf, solve } from './helpers.js';

// multilib lock-step, libsolv's infarch rules on an x86_64 host (implicitobsoleteusescolors):
// a 32-bit package goes with the 64-bit package of the same name and EVR
describe('multilib lock-step', () => {
  const pool = poolOf(`
    =Pkg: app 1 1 i686
    =Req: libfoo(x86-32)
    =Pkg: libfoo 1 1 i686
    =Prv: libfoo(x86-32)
    =Pkg: libfoo 1 1 x86_64
    =Prv: libfoo(x86-64)
    =Pkg: libfoo 2 1 x86_64
    =Prv: libfoo(x86-64)
    =Pkg: libbar 1 1 i686
    =Prv: libbar(x86-32)
    =Pkg: libbar 2 1 x86_64
    =Pkg: tool 1 1 i686
    =Req: libbar(x86-32)`);

  it('a 32-bit package pulled in by a dependency brings its 64-bit sibling of the same EVR', () => {
    expect(solve(pool, ['app'])).toEqual(['app-1-1.i686@r0', 'libfoo-1-1.i686@r0', 'libfoo-1-1.x86_64@r0']);
    const r = resolve(pool, { install: ['app'] });
    const sib = r.ok ? r.transaction.packages.find((p) => p.name === 'libfoo' && p.arch === 'x86_64') : undefined;
    expect(r.ok && sib && r.transaction.reasons.get(sib)).toMatch(/libfoo-1-1\.i686 needs the same version of its x86_64 package/);
  });
  it('both arches end up with the same EVR, even when the newest 64-bit one is asked for by name', () => {
    expect(solve(pool, ['libfoo', 'app'])).toEqual(['app-1-1.i686@r0', 'libfoo-1-1.i686@r0', 'libfoo-1-1.x86_64@r0']);
  });
  it('without a 64-bit sibling of the same EVR the 32-bit package cannot sit next to another version', () => {
    expect(resolve(pool, { install: ['libbar', 'tool'] }).ok).toBe(false);
    // alone it is fine: no 64-bit libbar is in the transaction to step with
    expect(solve(pool, ['tool'])).toEqual(['libbar-1-1.i686@r0', 'tool-1-1.i686@r0']);
  });
  it('a request that names the arch is exempt (libsolv SOLVER_SETARCH), as dnf does for zlib.i686', () => {
    expect(solve(pool, ['libfoo.i686'])).toEqual(['libfoo-1-1.i686@r0']);
    expect(solve(pool, ['libfoo-1-1.i686'])).toEqual(['libfoo-1-1.i686@r0']);
    // and the testcase written for libsolv says so
    expect(writeTestcase(pool, { install: ['libfoo.i686'] }, {})).toMatch(/job install oneof libfoo-1-1\.i686@r0 \[setarch\]/);
  });
  it('is off without multilib colors (libsolv testcases without implicitobsoleteusescolors)', () => {
    const r = resolve(pool, { install: ['app'] }, { implicitObsoleteUsesColors: false });
    expect(r.ok && r.transaction.packages.map((p) => `${p.name}.${p.arch}`)).toEqual(['app.i686', 'libfoo.i686']);
  });
});
