// Solving on top of an installed system through the public API (libsolv's installed repo).
// The same situations run through libsolv's testsolv in fixtures/installed-*.t.
import { describe, expect, it } from 'vitest';
import { renderProblem, resolve, type InstalledChange, type ResolveResult } from '../../src/solver/index.js';
import { poolOf } from './helpers.js';

const SYSTEM = `
=Pkg: bash 5.1 1 x86_64
=Prv: /bin/sh
=Pkg: glibc 2.34 1 x86_64
=Pkg: oldtool 1 1 noarch
=Pkg: kernel 5.14 1 x86_64
=Pkg: postfix 3 1 x86_64
=Con: sendmail
=Pkg: firmware 1 1 ppc64le
`;
const REPO = `
=Pkg: bash 5.2 1 x86_64
=Prv: /bin/sh
=Req: glibc >= 2.35
=Pkg: glibc 2.34 1 x86_64
=Pkg: glibc 2.35 1 x86_64
=Pkg: script 1 1 noarch
=Req: /bin/sh
=Pkg: newtool 2 1 noarch
=Obs: oldtool < 2
=Pkg: kernel 5.15 1 x86_64
=Pkg: sendmail 8 1 x86_64
=Pkg: fwtool 1 1 noarch
=Req: firmware
`;
const pool = poolOf([{ id: '@System', tags: SYSTEM, installed: true }, { id: 'test', tags: REPO }]);
const nv = (p: { name: string; version: string; release: string; arch: string }): string => `${p.name}-${p.version}-${p.release}.${p.arch}`;

function answer(res: ResolveResult): { install: string[]; changes: string[] } {
  if (!res.ok) throw new Error(res.problems.map(renderProblem).join('\n'));
  const change = (c: InstalledChange): string => `${c.kind} ${nv(c.from)}${c.kind === 'erase' ? '' : ` -> ${nv(c.to)}`}`;
  return { install: res.transaction.packages.map(nv), changes: (res.transaction.changes ?? []).map(change) };
}

describe('resolve on an installed system', () => {
  it('a request an installed package meets does nothing, even with a newer version available', () => {
    expect(answer(resolve(pool, { install: ['bash', 'glibc'] }))).toEqual({ install: [], changes: [] });
  });
  it('a dependency is met by an installed package (also one of an arch the host does not run)', () => {
    expect(answer(resolve(pool, { install: ['script', 'fwtool'] }))).toEqual({ install: ['fwtool-1-1.noarch', 'script-1-1.noarch'], changes: [] });
  });
  it('a new version asked for replaces the installed one and updates what it needs', () => {
    expect(answer(resolve(pool, { install: ['bash-5.2'] }))).toEqual({
      install: ['bash-5.2-1.x86_64', 'glibc-2.35-1.x86_64'],
      changes: ['upgrade bash-5.1-1.x86_64 -> bash-5.2-1.x86_64', 'upgrade glibc-2.34-1.x86_64 -> glibc-2.35-1.x86_64'],
    });
  });
  it('a package that obsoletes an installed one replaces it; installonly packages go in beside the old', () => {
    expect(answer(resolve(pool, { install: ['newtool', 'kernel-5.15'] }))).toEqual({
      install: ['kernel-5.15-1.x86_64', 'newtool-2-1.noarch'],
      changes: ['obsolete oldtool-1-1.noarch -> newtool-2-1.noarch'],
    });
  });
  it('a conflict with an installed package is a problem naming it; --allowerasing removes it', () => {
    const res = resolve(pool, { install: ['sendmail'] });
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.problems.map(renderProblem)).toEqual([
      "package postfix-3-1.x86_64 (installed) conflicts with sendmail provided by sendmail-8-1.x86_64\n  - 'sendmail' was requested and selects sendmail-8-1.x86_64",
    ]);
    expect(answer(resolve(pool, { install: ['sendmail'] }, { allowErasing: true }))).toEqual({
      install: ['sendmail-8-1.x86_64'], changes: ['erase postfix-3-1.x86_64'],
    });
  });
  // the same answers as testsolv's `job update all packages` (with kernel multiversion) on these repos
  it('upgrade (all): every installed package to its best update, obsoleters included, installonly beside', () => {
    expect(answer(resolve(pool, { install: [], upgrade: [] }, { installonly: ['kernel'] }))).toEqual({
      install: ['bash-5.2-1.x86_64', 'glibc-2.35-1.x86_64', 'kernel-5.15-1.x86_64', 'newtool-2-1.noarch'],
      changes: ['upgrade bash-5.1-1.x86_64 -> bash-5.2-1.x86_64', 'upgrade glibc-2.34-1.x86_64 -> glibc-2.35-1.x86_64', 'obsolete oldtool-1-1.noarch -> newtool-2-1.noarch'],
    });
  });
  it('upgrade NAME takes only what that name needs; targets limit where packages may move', () => {
    expect(answer(resolve(pool, { install: [], upgrade: ['glib*'] }))).toEqual({
      install: ['glibc-2.35-1.x86_64'], changes: ['upgrade glibc-2.34-1.x86_64 -> glibc-2.35-1.x86_64'],
    });
    expect(answer(resolve(pool, { install: [], upgrade: [], upgradeTargets: new Set(['glibc-2.35-1.x86_64']) }))).toEqual({
      install: ['glibc-2.35-1.x86_64'], changes: ['upgrade glibc-2.34-1.x86_64 -> glibc-2.35-1.x86_64'],
    });
  });
  it('without an installed repo the transaction has no changes field', () => {
    const empty = poolOf([{ id: 'test', tags: REPO }]);
    const res = resolve(empty, { install: ['script'] });
    expect(res.ok && res.transaction.changes).toBe(undefined);
    expect(res.ok && res.transaction.packages.map(nv)).toEqual(['bash-5.2-1.x86_64', 'glibc-2.35-1.x86_64', 'script-1-1.noarch']);
  });
});
