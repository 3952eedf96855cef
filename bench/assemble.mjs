// Full assemble from a local HTTP mirror, next to `dnf --installroot` + `tar` for the same
// package set, in one run. Needs the fixture repos (npm run fixtures), dnf, GNU time, root for dnf.
// Usage: node bench/assemble.mjs [runs]   -> prints a markdown table; writes bench/RESULTS-assemble.md
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, serveFixtureRepos, timed } from './lib.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 3);
const { url: base, server } = await serveFixtureRepos(ROOT, { '/4.9/os/x86_64/': 'el4-os', '/4.9/updates/x86_64/': 'el4-updates', '/7.9.2009/os/x86_64/': 'el7-os', '/7.9.2009/updates/x86_64/': 'el7-updates', '/modern/x86_64/': 'modern' });

const KEY = ['--gpgkey', join(ROOT, 'test/fixtures/content/RPM-GPG-KEY-fixture')];
const EL_SET = ['basesystem', 'bash', 'centos-release', 'coreutils', 'yum', 'rpm', 'shadow-utils', 'passwd', 'findutils', 'tar', 'gzip', 'vim-minimal', 'iputils'];
const CASES = [
  { name: 'el4 default set (centos:4.9)', ours: ['centos:4.9', '--mirror', base, ...KEY], repo: `${base}4.9/os/x86_64/`, pkgs: EL_SET },
  { name: 'el7 default set (centos:7.9.2009)', ours: ['centos:7.9.2009', '--mirror', base, ...KEY], repo: `${base}7.9.2009/os/x86_64/`, pkgs: EL_SET },
  { name: 'modern (zstd, sqlite rpmdb)', ours: ['--repofrompath', `m,${base}modern/x86_64/`, '--rpmdb', 'sqlite'], repo: `${base}modern/x86_64/`,
    pkgs: ['bash', 'coreutils-single', 'setup', 'filesystem', 'rpm', 'shadow-utils', 'systemd', 'passwd', 'tar', 'vim-minimal'] },
];

const rows = [];
for (const c of CASES) {
  const res = { ours: [], oursWarm: [], dnf: [] };
  for (let i = 0; i < runs; i++) {
    const w = mkdtempSync(join(tmpdir(), 'rfs-bench-'));
    try {
      const args = [join(ROOT, 'bin/rootfs-assemble.js'), ...c.ours, ...(c.ours[0].includes(':') ? [] : c.pkgs), '-o', join(w, 'out.tar'), '--cache-dir', join(w, 'cache'), '-q'];
      res.ours.push(await timed(process.execPath, args, { SOURCE_DATE_EPOCH: '1700000000' }));
      res.oursWarm.push(await timed(process.execPath, args, { SOURCE_DATE_EPOCH: '1700000000' }));
      const inst = join(w, 'root');
      const dnfArgs = ['--installroot', inst, `--repofrompath=b,${c.repo}`, '--disablerepo=*', '--enablerepo=b', '--releasever=7',
        `--setopt=cachedir=${join(w, 'dnfcache')}`, '--setopt=install_weak_deps=False', '--nogpgcheck', '-y', '-q', 'install', ...c.pkgs];
      // dnf + tar, as a user of dnf would build the same image
      const script = `dnf ${dnfArgs.map((a) => `'${a}'`).join(' ')} >/dev/null 2>&1 || exit 1; tar -C '${inst}' -cf '${join(w, 'dnf.tar')}' .`;
      res.dnf.push(await timed('sh', ['-c', script]));
    } finally {
      rmSync(w, { recursive: true, force: true });
    }
  }
  const t = (xs) => median(xs.map((x) => x.s));
  const u = (xs) => median(xs.map((x) => x.cpu));
  const m = (xs) => Math.max(...xs.map((x) => x.mb));
  const cell = (xs) => `${t(xs).toFixed(2)} s / ${u(xs).toFixed(2)} s CPU / ${m(xs).toFixed(0)} MB`;
  const ratio = (xs) => `${(t(xs) / t(res.dnf)).toFixed(2)}x (${(u(xs) / u(res.dnf)).toFixed(2)}x)`;
  rows.push(`| ${c.name} | ${cell(res.ours)} | ${cell(res.oursWarm)} | ${cell(res.dnf)} | ${ratio(res.ours)} | ${ratio(res.oursWarm)} |`);
}
server.close();
const nodeV = process.version;
const dnfV = execFileSync('dnf', ['--version']).toString().split('\n')[0];
const table = [
  `Full assemble from a local HTTP mirror (median of ${runs}; wall time / CPU (user+sys, children included) / peak RSS; node ${nodeV}, dnf ${dnfV}, 2 cores):`,
  '',
  '| case | rootfs-assemble (cold cache) | rootfs-assemble (warm cache) | dnf --installroot + tar | cold/dnf wall (CPU) | warm/dnf wall (CPU) |',
  '|---|---|---|---|---|---|',
  ...rows,
].join('\n');
process.stdout.write(table + '\n');
writeFileSync(join(ROOT, 'bench/RESULTS-assemble.md'), table + '\n');
