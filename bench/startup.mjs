// Start-up: `--version` against `dnf --version`, `list`, and warm- and cold-cache builds of the small
// fixture sets (CentOS 4.9 and 7 default sets, the modern set), interleaved run by run; with `--base DIR`
// (another built checkout) each case also runs from DIR in the same rounds, for an A/B.
// Needs the fixture repos (npm run fixtures), dnf and GNU time.
// Usage: node bench/startup.mjs [runs] [--base DIR]   -> prints a markdown table
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, serveFixtureRepos, timed } from './lib.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const baseAt = argv.indexOf('--base');
const BASE = baseAt >= 0 ? resolve(argv[baseAt + 1]) : undefined;
const runs = Number(argv.find((a, i) => /^\d+$/.test(a) && argv[i - 1] !== '--base') ?? 9);
const { url: base, server } = await serveFixtureRepos(ROOT, {
  '/4.9/os/x86_64/': 'el4-os', '/4.9/updates/x86_64/': 'el4-updates',
  '/7.9.2009/os/x86_64/': 'el7-os', '/7.9.2009/updates/x86_64/': 'el7-updates', '/modern/x86_64/': 'modern',
});
const KEY = ['--gpgkey', join(ROOT, 'test/fixtures/content/RPM-GPG-KEY-fixture')];
const MODERN = ['bash', 'coreutils-single', 'setup', 'filesystem', 'rpm', 'shadow-utils', 'systemd', 'passwd', 'tar', 'vim-minimal'];
const w = mkdtempSync(join(tmpdir(), 'rfs-startup-'));
let fresh = 0;
// warm: one cache per tree and case, filled by the first round; cold: a new cache every run
const build = (name, args, cold = false) => ({
  name: `${name} ${cold ? 'cold' : 'warm'}`,
  args: (tree) => [...args, '-o', join(w, `${name}.tar`), '--cache-dir', join(w, `cache-${tree}-${name}${cold ? `-${fresh++}` : ''}`), '-q'],
});
const EL4 = ['centos:4.9', '--mirror', base, ...KEY];
const EL7 = ['centos:7.9.2009', '--mirror', base, ...KEY];
const MOD = ['--repofrompath', `m,${base}modern/x86_64/`, '--rpmdb', 'sqlite', ...MODERN];
const CASES = [
  { name: '--version', args: () => ['--version'] },
  { name: 'list', args: () => ['list'] },
  build('el4', EL4), build('el7', EL7), build('modern', MOD),
  build('el4', EL4, true), build('el7', EL7, true), build('modern', MOD, true),
];
const trees = { ours: ROOT, ...(BASE ? { base: BASE } : {}) };
const env = { SOURCE_DATE_EPOCH: '1700000000' };
const res = new Map();
const add = (k, r) => res.set(k, [...(res.get(k) ?? []), r]);
try {
  // one untimed round fills the warm caches
  for (const c of CASES) for (const [t, dir] of Object.entries(trees)) await timed(process.execPath, [join(dir, 'bin/rootfs-assemble.js'), ...c.args(t)], env);
  for (let i = 0; i < runs; i++) {
    add('dnf --version', await timed('dnf', ['--version']));
    for (const c of CASES) {
      for (const [t, dir] of Object.entries(trees)) add(`${t} ${c.name}`, await timed(process.execPath, [join(dir, 'bin/rootfs-assemble.js'), ...c.args(t)], env));
    }
  }
} finally {
  server.close();
  rmSync(w, { recursive: true, force: true });
}
const t = (k) => median(res.get(k).map((x) => x.s));
const mb = (k) => median(res.get(k).map((x) => x.mb));
const cpu = (k) => median(res.get(k).map((x) => x.cpu));
const cell = (k) => `${t(k).toFixed(2)} s / ${cpu(k).toFixed(2)} s CPU / ${mb(k).toFixed(0)} MB`;
const ratio = (a, b) => `${(t(a) / t(b)).toFixed(2)}x (${(cpu(a) / cpu(b)).toFixed(2)}x)`;
const dnfV = execFileSync('dnf', ['--version']).toString().split('\n')[0];
const out = [
  `Start-up and small builds (median of ${runs}, interleaved; wall / CPU / peak RSS; node ${process.version}, dnf ${dnfV}, ${Object.keys(trees).join(' and ')}):`,
  '',
  `| case | ours |${BASE ? ' base | ours/base wall (CPU) |' : ''} ours/dnf --version wall (CPU) |`,
  `|---|---|${BASE ? '---|---|' : ''}---|`,
  `| dnf --version | ${cell('dnf --version')} |${BASE ? ' | |' : ''} |`,
  ...CASES.map((c) => `| ${c.name} | ${cell(`ours ${c.name}`)} |${BASE ? ` ${cell(`base ${c.name}`)} | ${ratio(`ours ${c.name}`, `base ${c.name}`)} |` : ''} ${c.name === '--version' ? ratio('ours --version', 'dnf --version') : ''} |`),
];
process.stdout.write(out.join('\n') + '\n');
