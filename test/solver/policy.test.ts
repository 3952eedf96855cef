// One tiny synthetic repository per policy rule (apko style); each test says the rule it pins.
import { describe, expect, it } from 'vitest';
import { resolve } from '../../src/solver/index.js';
import { poolOf, solve } from './helpers.js';

describe('candidate choice', () => {
  it('installs the newest version of a requested name', () => {
    // policy: best (highest EVR) candidate per name, as dnf's best=True
    const pool = poolOf(`=Pkg: a 1.0 1 x86_64\n=Pkg: a 1.10 1 x86_64\n=Pkg: a 1.9 1 x86_64`);
    expect(solve(pool, ['a'])).toEqual(['a-1.10-1.x86_64@r0']);
  });

  it('compares epochs before versions', () => {
    // policy: rpm EVR order, an epoch beats any version
    const pool = poolOf(`=Pkg: a 1:1.0 1 noarch\n=Pkg: a 9.0 1 noarch`);
    expect(solve(pool, ['a'])).toEqual(['a-1:1.0-1.noarch@r0']);
  });

  it('prefers the repo with the lower priority number, even with an older version', () => {
    // policy: repo priority wins over version (libsolv prune_to_highest_prio)
    const pool = poolOf([{ priority: 50, tags: '=Pkg: a 1 1 noarch' }, { priority: 99, tags: '=Pkg: a 2 1 noarch' }]);
    expect(solve(pool, ['a'])).toEqual(['a-1-1.noarch@r0']);
  });

  it('breaks a tie between identical packages by repo cost', () => {
    // policy: same NEVRA in two repos of equal priority -> lower cost repo
    const pool = poolOf([{ id: 'exp', cost: 2000, tags: '=Pkg: a 1 1 noarch' }, { id: 'cheap', cost: 500, tags: '=Pkg: a 1 1 noarch' }]);
    expect(solve(pool, ['a'])).toEqual(['a-1-1.noarch@cheap']);
  });

  it('prefers the host arch over multilib siblings', () => {
    // policy: x86_64 host: x86_64 first; i686 only on request
    const pool = poolOf(`=Pkg: a 1 1 i686\n=Pkg: a 1 1 x86_64`);
    expect(solve(pool, ['a'])).toEqual(['a-1-1.x86_64@r0']);
    expect(solve(pool, ['a.i686'])).toEqual(['a-1-1.i686@r0']);
  });

  it('pulls a 32-bit package only when an arch-specific dependency needs it', () => {
    // policy: multilib: i686 comes in through a dep only it provides; same-name x86_64 and i686 coexist
    const pool = poolOf(`
      =Pkg: app 1 1 i686
      =Req: libc.so.6
      =Pkg: glibc 1 1 i686
      =Prv: libc.so.6
      =Pkg: glibc 1 1 x86_64
      =Prv: libc.so.6()(64bit)
      =Pkg: tool 1 1 x86_64
      =Req: libc.so.6()(64bit)`);
    expect(solve(pool, ['app', 'tool'])).toEqual(['app-1-1.i686@r0', 'glibc-1-1.i686@r0', 'glibc-1-1.x86_64@r0', 'tool-1-1.x86_64@r0']);
  });

  it('never installs packages of a foreign architecture', () => {
    // policy: archs outside the host's policy (aarch64, src) are not installable
    const pool = poolOf(`=Pkg: a 2 1 aarch64\n=Pkg: a 1 1 noarch\n=Pkg: a 3 1 src`);
    expect(solve(pool, ['a'])).toEqual(['a-1-1.noarch@r0']);
  });

  it('chooses among providers by name order after version pruning', () => {
    // policy: several names provide a dep: libsolv sorts names with strcmp and takes the first
    const pool = poolOf(`
      =Pkg: x 1 1 noarch
      =Req: mta
      =Pkg: sendmail 1 1 noarch
      =Prv: mta
      =Pkg: postfix 1 1 noarch
      =Prv: mta`);
    expect(solve(pool, ['x'])).toEqual(['postfix-1-1.noarch@r0', 'x-1-1.noarch@r0']);
  });

  it('prefers a provider whose newest version provides the dependency', () => {
    // policy: libsolv dislike_old_versions: an outdated version of a name goes last
    const pool = poolOf(`
      =Pkg: x 1 1 noarch
      =Req: y
      =Pkg: a 1 1 noarch
      =Prv: y
      =Pkg: a 2 1 noarch
      =Pkg: b 1 1 noarch
      =Prv: y`);
    expect(solve(pool, ['x'])).toEqual(['b-1-1.noarch@r0', 'x-1-1.noarch@r0']);
  });

  it('prefers the provider of the highest provided version', () => {
    // policy: libsolv sort_by_common_dep: Provides: y = 2 beats y = 1
    const pool = poolOf(`
      =Pkg: x 1 1 noarch
      =Req: y
      =Pkg: a 1 1 noarch
      =Prv: y = 1
      =Pkg: b 1 1 noarch
      =Prv: y = 2`);
    expect(solve(pool, ['x'])).toEqual(['b-1-1.noarch@r0', 'x-1-1.noarch@r0']);
  });

  it('prefers providers that an installed package recommends, even without weak deps', () => {
    // policy: libsolv prune_to_recommended applies to choices although recommends are not installed
    const pool = poolOf(`
      =Pkg: x 1 1 noarch
      =Req: y
      =Rec: b
      =Pkg: a 1 1 noarch
      =Prv: y
      =Pkg: b 1 1 noarch
      =Prv: y`);
    expect(solve(pool, ['x'])).toEqual(['b-1-1.noarch@r0', 'x-1-1.noarch@r0']);
  });

  it('backtracks when the preferred provider cannot be installed', () => {
    // policy: a real CDCL search: the first choice (a) conflicts with c, so b is used
    const pool = poolOf(`
      =Pkg: x 1 1 noarch
      =Req: y
      =Req: c
      =Pkg: a 1 1 noarch
      =Prv: y
      =Con: c
      =Pkg: b 1 1 noarch
      =Prv: y
      =Pkg: c 1 1 noarch`);
    expect(solve(pool, ['x'])).toEqual(['b-1-1.noarch@r0', 'c-1-1.noarch@r0', 'x-1-1.noarch@r0']);
  });
});

describe('dependencies', () => {
  it('matches versioned requires against release-less provides as rpm', () => {
    // policy: rpmdsCompare: a side without release matches any release when it has '='
    const pool = poolOf(`
      =Pkg: x 1 1 noarch
      =Req: lib >= 2.0-5
      =Pkg: lib 1 1 noarch
      =Prv: lib = 2.0`);
    expect(solve(pool, ['x'])).toEqual(['lib-1-1.noarch@r0', 'x-1-1.noarch@r0']);
  });

  it('uses the self-provide name = E:V-R', () => {
    // policy: every package provides itself at its own EVR
    const pool = poolOf(`
      =Pkg: x 1 1 noarch
      =Req: lib > 1.0
      =Pkg: lib 1.0 1 noarch
      =Pkg: lib 1.5 1 noarch`);
    expect(solve(pool, ['x'])).toEqual(['lib-1.5-1.noarch@r0', 'x-1-1.noarch@r0']);
  });

  it('treats rpmlib() dependencies as always satisfied and config() as ordinary provides', () => {
    // policy: rpmlib(...) is provided by rpm itself
    const pool = poolOf(`
      =Pkg: x 1 1 noarch
      =Req: rpmlib(PayloadIsZstd) <= 5.4.18-1
      =Req: config(x) = 1-1
      =Prv: config(x) = 1-1`);
    expect(solve(pool, ['x'])).toEqual(['x-1-1.noarch@r0']);
  });

  it('treats Requires(pre) like requires', () => {
    // policy: Requires(pre/post) need the package in the set too (they only add ordering)
    const pool = poolOf(`
      =Pkg: x 1 1 noarch
      =Prq: /bin/sh
      =Pkg: bash 1 1 x86_64
      =Fls: /bin/sh`);
    expect(solve(pool, ['x'])).toEqual(['bash-1-1.x86_64@r0', 'x-1-1.noarch@r0']);
  });

  it('finds file providers in full file lists added later', () => {
    // policy: primary's file subset first; filelists on demand fill in the rest
    const pool = poolOf(`
      =Pkg: x 1 1 noarch
      =Req: /usr/share/y/data
      =Pkg: y 1 1 noarch`);
    const r1 = resolve(pool, { install: ['x'] });
    expect(r1.ok).toBe(false);
    if (!r1.ok) expect(r1.problems[0]).toMatchObject({ kind: 'nothing-provides', dep: '/usr/share/y/data' });
    pool.addFilelists('r0', [[], ['/usr/share/y/data']]);
    expect(solve(pool, ['x'])).toEqual(['x-1-1.noarch@r0', 'y-1-1.noarch@r0']);
  });

  it('evaluates rich dependencies: or, and, if, if-else, unless, with, without', () => {
    // policy: rpm boolean deps with libsolv's meaning (A if B = A or not B; A unless B = A and not B)
    const pool = poolOf(`
      =Pkg: a 1 1 noarch
      =Prv: cap = 1
      =Pkg: b 1 1 noarch
      =Prv: cap = 2
      =Pkg: c 1 1 noarch
      =Pkg: d 1 1 noarch
      =Pkg: or 1 1 noarch
      =Req: (c or d)
      =Pkg: and 1 1 noarch
      =Req: (c and d)
      =Pkg: ifx 1 1 noarch
      =Req: (c if d)
      =Pkg: ifelse 1 1 noarch
      =Req: (c if d else a)
      =Pkg: unl 1 1 noarch
      =Req: (c unless d)
      =Pkg: wi 1 1 noarch
      =Req: (cap with cap > 1)
      =Pkg: wo 1 1 noarch
      =Req: (cap without cap > 1)
      =Pkg: nest 1 1 noarch
      =Req: ((c and d) or (a and b))`);
    expect(solve(pool, ['or'])).toEqual(['c-1-1.noarch@r0', 'or-1-1.noarch@r0']);
    expect(solve(pool, ['and'])).toEqual(['and-1-1.noarch@r0', 'c-1-1.noarch@r0', 'd-1-1.noarch@r0']);
    expect(solve(pool, ['ifx'])).toEqual(['ifx-1-1.noarch@r0']);
    expect(solve(pool, ['ifx', 'd'])).toEqual(['c-1-1.noarch@r0', 'd-1-1.noarch@r0', 'ifx-1-1.noarch@r0']);
    expect(solve(pool, ['ifelse'])).toEqual(['a-1-1.noarch@r0', 'ifelse-1-1.noarch@r0']);
    expect(solve(pool, ['unl'])).toEqual(['c-1-1.noarch@r0', 'unl-1-1.noarch@r0']);
    expect(solve(pool, ['unl', 'd'])[0]).toMatch(/^PROBLEM/);
    expect(solve(pool, ['wi'])).toEqual(['b-1-1.noarch@r0', 'wi-1-1.noarch@r0']);
    expect(solve(pool, ['wo'])).toEqual(['a-1-1.noarch@r0', 'wo-1-1.noarch@r0']);
    expect(solve(pool, ['nest'])).toEqual(['a-1-1.noarch@r0', 'b-1-1.noarch@r0', 'nest-1-1.noarch@r0']);
  });

  it('honours rich conflicts', () => {
    // policy: Conflicts: (a and b) forbids having both
    const pool = poolOf(`
      =Pkg: x 1 1 noarch
      =Con: (a and b)
      =Pkg: a 1 1 noarch
      =Pkg: b 1 1 noarch`);
    expect(solve(pool, ['x', 'a'])).toEqual(['a-1-1.noarch@r0', 'x-1-1.noarch@r0']);
    expect(solve(pool, ['x', 'a', 'b'])[0]).toMatch(/^PROBLEM: package x-1-1.noarch conflicts with \(a and b\)/);
  });
});

describe('weak dependencies', () => {
  const pool = poolOf(`
    =Pkg: x 1 1 noarch
    =Rec: r
    =Sug: s
    =Pkg: r 1 1 noarch
    =Pkg: s 1 1 noarch
    =Pkg: sup 1 1 noarch
    =Sup: x
    =Pkg: enh 1 1 noarch
    =Enh: x`);
  it('ignores Recommends and Supplements by default (images want no weak deps)', () => {
    // policy: weakDeps defaults to false, like install_weak_deps=False
    expect(solve(pool, ['x'])).toEqual(['x-1-1.noarch@r0']);
  });
  it('installs Recommends and Supplements with weakDeps, never Suggests/Enhances', () => {
    // policy: as dnf: Suggests and Enhances are never installed
    expect(solve(pool, ['x'], { weakDeps: true })).toEqual(['r-1-1.noarch@r0', 'sup-1-1.noarch@r0', 'x-1-1.noarch@r0']);
  });
  it('skips a recommended package that cannot be installed', () => {
    // policy: a weak dependency never makes a request fail
    const p2 = poolOf(`
      =Pkg: x 1 1 noarch
      =Rec: r
      =Pkg: r 1 1 noarch
      =Req: missing`);
    expect(solve(p2, ['x'], { weakDeps: true })).toEqual(['x-1-1.noarch@r0']);
  });
});

describe('obsoletes, installonly, same name', () => {
  it('installs the obsoleter when a replaced name is requested', () => {
    // policy: dnf adds packages obsoleting the requested name; libsolv prunes the obsoleted one
    const pool = poolOf(`
      =Pkg: old 1 1 noarch
      =Pkg: new 2 1 noarch
      =Obs: old < 2`);
    expect(solve(pool, ['old'])).toEqual(['new-2-1.noarch@r0']);
  });
  it('reports packages that obsolete each other', () => {
    // policy: A obsoletes B and B obsoletes A cannot be installed together
    const pool = poolOf(`
      =Pkg: a 1 1 noarch
      =Obs: b
      =Pkg: b 1 1 noarch
      =Obs: a`);
    expect(solve(pool, ['a-1-1', 'b-1-1'])[0]).toMatch(/obsolete each other/);
  });
  it('allows several versions of installonly packages (kernel), one version otherwise', () => {
    // policy: installonlypkgs may be installed in parallel; other names only once
    const pool = poolOf(`
      =Pkg: kernel 5.1 1 x86_64
      =Pkg: kernel 5.2 1 x86_64
      =Pkg: tool 1 1 x86_64
      =Pkg: tool 2 1 x86_64`);
    expect(solve(pool, ['kernel-5.1-1', 'kernel-5.2-1'])).toEqual(['kernel-5.1-1.x86_64@r0', 'kernel-5.2-1.x86_64@r0']);
    expect(solve(pool, ['tool-1-1', 'tool-2-1'])[0]).toMatch(/^PROBLEM: cannot install both tool-1-1.x86_64 and tool-2-1.x86_64/);
  });
});

describe('requests and excludes', () => {
  const pool = poolOf([{
    tags: `
      =Pkg: httpd 2.4 1 x86_64
      =Prv: webserver
      =Fls: /usr/sbin/httpd
      =Pkg: httpd 2.6 1 x86_64
      =Prv: webserver
      =Fls: /usr/sbin/httpd
      =Pkg: nginx 1.20 1 x86_64
      =Prv: webserver`,
    groups: [{ id: 'web', name: 'Web Server', mandatory: ['httpd'], default: ['nginx', 'not-there'], optional: ['x'], conditional: [] }],
  }]);
  it.each([
    ['httpd', 'httpd-2.6-1.x86_64@r0'],
    ['httpd.x86_64', 'httpd-2.6-1.x86_64@r0'],
    ['httpd-2.4', 'httpd-2.4-1.x86_64@r0'],
    ['httpd-2.4-1', 'httpd-2.4-1.x86_64@r0'],
    ['httpd-2.4-1.x86_64', 'httpd-2.4-1.x86_64@r0'],
    ['httpd < 2.5', 'httpd-2.4-1.x86_64@r0'],
    ['/usr/sbin/httpd', 'httpd-2.6-1.x86_64@r0'],
    ['webserver', 'httpd-2.6-1.x86_64@r0'],
    ['ngi*', 'nginx-1.20-1.x86_64@r0'],
  ])('request %s', (spec, want) => {
    // policy: dnf's request forms: name, name.arch, name-ver(-rel)(.arch), "name op evr", /path, provide, glob
    expect(solve(pool, [spec])).toEqual([want]);
  });
  it('installs mandatory and default packages of a @group, skipping missing ones', () => {
    // policy: dnf group install: mandatory + default; absent names are skipped
    expect(solve(pool, ['@web'])).toEqual(['httpd-2.6-1.x86_64@r0', 'nginx-1.20-1.x86_64@r0']);
  });
  it('falls back to an older version when the newest is excluded', () => {
    // policy: excludes make packages invisible
    expect(solve(pool, { install: ['httpd'], exclude: ['httpd-2.6*'] })).toEqual(['httpd-2.4-1.x86_64@r0']);
  });
  it('says so when every match is excluded', () => {
    const r = resolve(pool, { install: ['httpd'], exclude: ['httpd'] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]).toMatchObject({ kind: 'only-excluded', request: 'httpd' });
  });
  it('reports unknown names', () => {
    const r = resolve(pool, { install: ['nope'] });
    expect(r.ok ? [] : r.problems).toEqual([{ kind: 'not-found', request: 'nope', chain: [] }]);
  });
});

describe('problems', () => {
  it('explains a missing dependency with the chain from the request', () => {
    const pool = poolOf(`
      =Pkg: app 1 1 noarch
      =Req: lib
      =Pkg: lib 1 1 noarch
      =Req: libdep >= 2`);
    expect(solve(pool, ['app'])).toEqual([
      "PROBLEM: nothing provides libdep >= 2 needed by lib-1-1.noarch\n  - 'app' was requested and selects app-1-1.noarch\n  - app-1-1.noarch requires lib, provided by lib-1-1.noarch",
    ]);
  });
  it('explains conflicts between two requested packages', () => {
    const pool = poolOf(`
      =Pkg: a 1 1 noarch
      =Con: b
      =Pkg: b 1 1 noarch`);
    expect(solve(pool, ['a', 'b'])[0]).toMatch(/^PROBLEM: package a-1-1.noarch conflicts with b provided by b-1-1.noarch/);
  });
  it('reports independent problems separately', () => {
    const pool = poolOf(`
      =Pkg: a 1 1 noarch
      =Req: x
      =Pkg: b 1 1 noarch
      =Req: y`);
    const r = resolve(pool, { install: ['a', 'b'] });
    expect(r.ok ? [] : r.problems.map((p) => p.kind === 'nothing-provides' && p.dep)).toEqual(['x', 'y']);
  });
});

describe('determinism', () => {
  it('gives the same answer 10 times', () => {
    const pool = poolOf(`
      =Pkg: x 1 1 noarch
      =Req: y
      =Req: z
      =Pkg: a 1 1 noarch
      =Prv: y
      =Pkg: b 1 1 noarch
      =Prv: y
      =Prv: z
      =Pkg: c 1 1 noarch
      =Prv: z`);
    const first = solve(pool, ['x']);
    for (let i = 0; i < 9; i++) expect(solve(pool, ['x'])).toEqual(first);
  });
});
