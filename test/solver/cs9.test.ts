import { describe, expect, it } from 'vitest';
import { createPool, renderProblem, resolve, type Request } from '../../src/solver/index.js';
import { cs9Pool, dnfInstallSet, haveCs9, haveDnf } from './cs9.js';

if (!haveCs9) console.warn('skipping CS9 solver tests: ../shared/realdata/repos absent');
const dnf = haveCs9 && haveDnf();
if (haveCs9 && !dnf) console.warn('dnf not installed: CS9 answers are not compared with dnf');

const fmt = (p: { name: string; epoch: number; version: string; release: string; arch: string }): string =>
  `${p.name}-${p.epoch ? `${p.epoch}:` : ''}${p.version}-${p.release}.${p.arch}`;

// a broad set: single packages, large sets, file deps, provides, multilib, versioned, weak deps
const CASES: { what: string; install: string[]; weakDeps?: boolean; exclude?: string[]; dnfInstall?: string[] }[] = [
  { what: 'single package', install: ['bash'] },
  { what: 'minimal image set', install: ['bash', 'coreutils', 'dnf', 'rpm', 'vim-minimal', 'procps-ng', 'shadow-utils'] },
  { what: 'large set', install: ['httpd', 'python3', 'git', 'openssh-server', 'systemd', 'NetworkManager', 'sudo', 'tar', 'gzip'] },
  { what: 'two stacks', install: ['php', 'mariadb-server'] },
  { what: 'file dependency', install: ['/usr/bin/python3'] },
  { what: 'provide', install: ['webserver'] },
  { what: 'multilib by name.arch', install: ['glibc.i686', 'bash'] },
  { what: 'multilib library', install: ['zlib.i686', 'openssl'] },
  { what: 'multilib c++', install: ['libstdc++.i686'] },
  { what: 'versioned request', install: ['bash >= 5.1'] },
  { what: 'name-version', install: ['tzdata-2021e'] },
  { what: 'installonly kernel', install: ['kernel'] },
  { what: 'modular default stream', install: ['nodejs'] },
  { what: 'weak deps on', install: ['dnf', 'vim-enhanced'], weakDeps: true },
  { what: 'weak deps off', install: ['dnf', 'vim-enhanced'] },
  { what: 'rich deps', install: ['cockpit'] },
  { what: 'rich deps, weak deps on', install: ['cockpit'], weakDeps: true },
  { what: 'supplements, weak deps on', install: ['firewalld'], weakDeps: true },
  { what: 'java provider choice', install: ['java'] },
  { what: 'java stack', install: ['maven', 'tomcat'] },
  { what: 'containers', install: ['podman'] },
  { what: 'editor with many deps', install: ['emacs'] },
  { what: 'file provided by several packages', install: ['/usr/bin/sh'] },
  { what: 'soname provide', install: ['libcurl.so.4()(64bit)'] },
  { what: 'modular pair', install: ['nodejs', 'npm'] },
  { what: 'exclude', install: ['httpd'], exclude: ['httpd-filesystem'] },
  // the 2022 BaseOS is older than the 2025 AppStream: these have no solution, for dnf too
  { what: 'unsolvable: perl needs a newer libgcc', install: ['perl'] },
  { what: 'unsolvable: @core group', install: ['@core'] },
  // comps environments: the grouplist's groups (core), not the optionlist (standard, guest-agents);
  // excluding the two @core members the 2022 BaseOS cannot satisfy. dnf 4 reads `@^id` as a
  // group named "^id", so it is asked for `@minimal-environment`, which no group matches
  { what: 'environment by @id', install: ['@minimal-environment'], exclude: ['rsyslog', 'python3-libselinux'] },
  { what: 'environment by @^id', install: ['@^minimal-environment'], exclude: ['rsyslog', 'python3-libselinux'], dnfInstall: ['@minimal-environment'] },
  // conditional members: gtk3-immodule-xim comes in because gtk3 does, the gtk2 ones do not
  { what: 'group with conditional members', install: ['@input-methods'] },
];

describe.skipIf(!haveCs9)('CS9 BaseOS+AppStream', () => {
  it.each(CASES.map((c) => [c.what, c] as const))('%s', async (_what, c) => {
    const { pool } = await cs9Pool();
    const req: Request = { install: c.install, ...(c.exclude ? { exclude: c.exclude } : {}) };
    const res = resolve(pool, req, { weakDeps: c.weakDeps ?? false });
    const ours = res.ok ? res.transaction.packages.map(fmt).sort() : null;
    if (!res.ok) console.log(res.problems.map(renderProblem).join('\n'));
    if (!dnf) { expect(ours).not.toBeNull(); return; }
    const theirs = dnfInstallSet(c.dnfInstall ?? c.install, { weakDeps: c.weakDeps ?? false, exclude: c.exclude ?? [] });
    expect(ours).toEqual(theirs);
  }, 60_000);

  it('answers the same from the stored metadata indexes as from a self-indexed pool', async () => {
    const { pool, plainPool } = await cs9Pool();
    const key = (r: ReturnType<typeof resolve>): string => (r.ok ? r.transaction.packages.map(fmt).join(' ') : JSON.stringify(r.problems));
    for (const c of CASES.slice(0, 12)) {
      const req: Request = { install: c.install, ...(c.exclude ? { exclude: c.exclude } : {}) };
      expect(key(resolve(pool, req, { weakDeps: c.weakDeps ?? false })), c.what).toBe(key(resolve(plainPool, req, { weakDeps: c.weakDeps ?? false })));
    }
    expect(pool.names()).toEqual(plainPool.names());
    expect(pool.whatObsoletes('python3-libs')).toEqual(plainPool.whatObsoletes('python3-libs'));
  }, 120_000);

  it('environments: @^id is only an environment, and its optionlist is not installed', async () => {
    const { pool } = await cs9Pool();
    expect(resolve(pool, { install: ['@^core'] })).toMatchObject({ ok: false, problems: [{ kind: 'not-found', request: '@^core' }] });
    const env = resolve(pool, { install: ['@^minimal-environment'], exclude: ['rsyslog', 'python3-libselinux'] });
    const grp = resolve(pool, { install: ['@core'], exclude: ['rsyslog', 'python3-libselinux'] });
    expect(env.ok && grp.ok).toBe(true);
    if (!env.ok || !grp.ok) return;
    expect(env.transaction.packages.map(fmt)).toEqual(grp.transaction.packages.map(fmt));
    // @standard (optionlist) members such as lsof are not pulled in
    expect(env.transaction.packages.some((p) => p.name === 'lsof')).toBe(false);
  }, 60_000);

  it('on top of the @core answer as an installed system, a request adds what it adds to an empty root beyond @core', async () => {
    const { pool } = await cs9Pool();
    const core = resolve(pool, { install: ['@core'], exclude: ['rsyslog', 'python3-libselinux'] });
    if (!core.ok) throw new Error('@core');
    // the installed packages are the repo's own records (a rpmdb copy would be other objects of the same NEVRAs)
    const onCore = createPool([{ id: '@System', priority: 99, cost: 1000, packages: core.transaction.packages, installed: true }, ...pool.repos], { arch: 'x86_64' });
    const have = new Set(core.transaction.packages.map(fmt));
    for (const install of [['httpd', 'python3'], ['bash'], ['vim-enhanced', 'git'], ['nginx']]) {
      const empty = resolve(pool, { install });
      const top = resolve(onCore, { install });
      expect(empty.ok && top.ok, install.join(' ')).toBe(true);
      if (!empty.ok || !top.ok) continue;
      expect(top.transaction.packages.map(fmt).sort(), install.join(' ')).toEqual(empty.transaction.packages.map(fmt).filter((n) => !have.has(n)).sort());
      expect(top.transaction.changes).toEqual([]);
    }
  }, 60_000);

  // random pairs of package names (seeded), weak deps on for every third: what dnf installs
  it('random requests match dnf', async () => {
    const { pool } = await cs9Pool();
    const names = pool.names();
    let seed = 7;
    const rnd = (): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
    const mismatches: string[] = [];
    for (let i = 0; i < 10; i++) {
      const install = [names[Math.floor(rnd() * names.length)]!, names[Math.floor(rnd() * names.length)]!];
      const weakDeps = i % 3 === 0;
      const res = resolve(pool, { install }, { weakDeps });
      const ours = res.ok ? res.transaction.packages.map(fmt).sort() : null;
      if (!dnf) continue;
      const theirs = dnfInstallSet(install, { weakDeps });
      if (JSON.stringify(ours) !== JSON.stringify(theirs)) mismatches.push(`${install.join(' ')}${weakDeps ? ' (weak)' : ''}`);
    }
    expect(mismatches).toEqual([]);
  }, 120_000);

  it('gives the same answer 10 times', async () => {
    const { pool } = await cs9Pool();
    const first = resolve(pool, { install: ['httpd', 'git', 'python3'] });
    expect(first.ok).toBe(true);
    const key = (r: typeof first): string => (r.ok ? r.transaction.packages.map(fmt).join(' ') : 'fail');
    for (let i = 0; i < 9; i++) expect(key(resolve(pool, { install: ['httpd', 'git', 'python3'] }))).toBe(key(first));
  }, 60_000);
});
