// Resolve time on the real CentOS Stream 9 metadata (BaseOS 2022-02-07 + AppStream
// 2025-01-13) next to dnf (--assumeno, warm cache) and libsolv's testsolv (rpmmd2solv output
// + a testcase per request): each tool runs RUNS times per request, interleaved, and the
// median wall time is reported with the peak RSS (GNU time). Writes bench/RESULTS-solver.md.
// Usage: npx tsc -p . [--outDir DIR] && node bench/solver.mjs [DIST_DIR]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dist = resolve(process.argv[2] ?? join(here, '..', 'dist'));
const REPOS = resolve(here, '../../shared/realdata/repos');
const B = join(REPOS, 'cs9-baseos-20220207');
const A = join(REPOS, 'cs9-appstream-20250113');
if (!existsSync(B) || !existsSync(A)) { console.error(`bench/solver: ${REPOS} absent, nothing to measure`); process.exit(0); }

const REQUESTS = [
  ['bash'],
  ['bash', 'coreutils', 'dnf', 'rpm', 'vim-minimal', 'procps-ng', 'shadow-utils'],
  ['httpd', 'python3', 'git', 'openssh-server', 'systemd', 'NetworkManager', 'sudo', 'tar', 'gzip'],
  ['cockpit'],
  ['php', 'mariadb-server'],
  ['perl'],
];

const work = mkdtempSync(join(tmpdir(), 'rfs-bench-solver-'));
const cacheDir = join(work, 'cache');
const dnfCache = join(work, 'dnfcache');
mkdirSync(cacheDir);
const ms = (t0) => Math.round(Number(process.hrtime.bigint() - t0) / 1e6);
const tool = (cmd) => spawnSync(cmd, ['--help'], { stdio: 'ignore' }).error === undefined;

// ---- ours: end to end through the CLI command (metadata from the pool cache), plus solve only
// the same entry as bin/rootfs-assemble.js (main() of dist/cli), so module loading is the CLI's
const runner = join(work, 'run.mjs');
writeFileSync(runner, `
const { main } = await import(${JSON.stringify(join(dist, 'cli/main.js'))});
process.exitCode = await main(process.argv.slice(2));
`);
const RUNS = Number(process.env.RUNS ?? 3);
const load0 = loadavg()[0];
const haveTime = existsSync('/usr/bin/time');
/** wall ms and peak RSS (MB, when GNU time is there) of one command */
const measure = (cmd, args) => {
  const t0 = process.hrtime.bigint();
  const r = haveTime ? spawnSync('/usr/bin/time', ['-f', '%M %U %S', cmd, ...args], { encoding: 'utf8' }) : spawnSync(cmd, args, { encoding: 'utf8' });
  const wall = ms(t0);
  const m = haveTime ? /(\d+) ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr) : null;
  return {
    wall, rss: m ? Math.round(Number(m[1]) / 1024) : null, cpu: m ? Math.round((Number(m[2]) + Number(m[3])) * 1000) : null,
    stdout: r.stdout, status: r.status,
  };
};
const ourArgs = (req) => [runner, 'resolve', '--repofrompath', `b,file://${B}`, '--repofrompath', `a,file://${A}`, '--arch', 'x86_64', '--cache-dir', cacheDir, '--json', ...req];
spawnSync('node', ourArgs(['bash'])); // fill the metadata cache once (first-run parse is measured separately below)

const { Fetcher } = await import(join(dist, 'fetch/index.js'));
const { loadRepos, poolFor } = await import(join(dist, 'assemble/solve.js'));
const { resolve: solve } = await import(join(dist, 'solver/index.js'));
const fetcher = new Fetcher({ cacheDir });
let t0 = process.hrtime.bigint();
const loaded = await loadRepos([['b', B], ['a', A]].map(([id, d]) => ({ id, baseurl: [`file://${d}`], enabled: true })), fetcher, { arch: 'x86_64', cacheDir });
await fetcher.close();
const loadMs = ms(t0);
t0 = process.hrtime.bigint();
const pool = poolFor(loaded, 'x86_64');
const poolMs = ms(t0);

// ---- testsolv: rpmmd2solv once, then one testcase per request
const haveSolv = tool('testsolv') && tool('rpmmd2solv');
let convMs = null;
if (haveSolv) {
  t0 = process.hrtime.bigint();
  for (const [id, d] of [['b', B], ['a', A]]) {
    const prim = readFileSync(join(d, 'repodata/repomd.xml'), 'utf8').match(/<data type="primary">[\s\S]*?<location href="([^"]+)"/)[1];
    execFileSync('sh', ['-c', `zcat ${JSON.stringify(join(d, prim))} | rpmmd2solv > ${JSON.stringify(join(work, `${id}.solv`))}`]);
  }
  convMs = ms(t0);
}

const haveDnf = tool('dnf');
const dnfArgs = (req) => [`--installroot=${mkdtempSync(join(work, 'root-'))}`, `--repofrompath=b,file://${B}`, `--repofrompath=a,file://${A}`,
  '--disablerepo=*', '--enablerepo=b,a', `--setopt=cachedir=${dnfCache}`, '--setopt=install_weak_deps=False', '--releasever=9', '--nogpgcheck', '--assumeno', 'install', ...req];
if (haveDnf) spawnSync('dnf', dnfArgs(['bash'])); // warm dnf's solv cache

const rows = [];
for (const req of REQUESTS) {
  const tc = join(work, `req${rows.length}.t`);
  if (haveSolv) {
    writeFileSync(tc, ['repo b 0 solv b.solv', 'repo a 0 solv a.solv', 'system x86_64 rpm',
      'poolflags implicitobsoleteusescolors', 'solverflags ignorerecommended', ...req.map((p) => `job install name ${p}`), 'result transaction,problems <inline>', ''].join('\n'));
  }
  const ours = []; const dnf = []; const solv = [];
  let n = null; let solvN = null; let exit = null;
  for (let k = 0; k < RUNS; k++) {
    const o = measure('node', ourArgs(req));
    ours.push(o);
    exit = o.status;
    try { n = JSON.parse(o.stdout).length; } catch { n = 'no solution'; }
    if (haveDnf) dnf.push(measure('dnf', dnfArgs(req)));
    if (haveSolv) {
      const sv = measure('testsolv', [tc]);
      solv.push(sv);
      solvN = (sv.stdout.match(/^\+install /gm) ?? []).length || (sv.stdout.includes('+problem') ? 'no solution' : '?');
    }
  }
  t0 = process.hrtime.bigint();
  const res = solve(pool, { install: req });
  const solveMs = ms(t0);
  const pick = (xs) => (xs.length ? { wall: median(xs.map((x) => x.wall)), cpu: median(xs.map((x) => x.cpu ?? 0)) || null, rss: median(xs.map((x) => x.rss ?? 0)) || null } : null);
  rows.push({ req: req.join(' '), n: res.ok ? res.transaction.packages.length : 'no solution', cliN: n, solvN, exit, ours: pick(ours), solveMs, dnf: pick(dnf), solv: pick(solv) });
  console.log(JSON.stringify(rows.at(-1)));
}

const ratio = (a, b) => (a && b ? `${(b / a).toFixed(2)}×` : 'n/a');
const cell = (m) => (m ? `${m.wall}` : 'n/a');
const cpu = (m) => (m?.cpu ? `${m.cpu}` : 'n/a');
const mem = (m) => (m?.rss ? `${m.rss}` : 'n/a');
const md = [
  '# Solver benchmark (CentOS Stream 9 BaseOS 2022-02-07 + AppStream 2025-01-13, x86_64)',
  '',
  `One bench run, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, 2-core machine shared with other jobs (load average ${load0.toFixed(1)} at the start). Each tool ran ${RUNS}× per request,`,
  'interleaved (ours, dnf, testsolv, ours, ...); the table gives the median wall time, the median CPU time (user+sys, all',
  'threads: Node\'s GC and compiler threads count too) and the median peak RSS. "ours e2e" is',
  '`rootfs-assemble resolve --json` in a fresh process (the CLI entry: module loading, repomd.xml re-read, metadata',
  'from our pool cache, pool, solve, output); "ours solve" is `resolve()` on an already built pool in a warm process;',
  'dnf is `dnf --installroot=EMPTY --assumeno install` with its solv cache warm (install_weak_deps=False); testsolv',
  'reads `rpmmd2solv` output and solves the same jobs (its time includes loading the .solv files).',
  `In the bench process: loading both repos from the metadata cache (\`loadRepo\` + modular filter) ${loadMs} ms, building the solver pool ${poolMs} ms.${convMs !== null ? ` rpmmd2solv conversion of both primaries (once): ${convMs} ms.` : ''}`,
  '',
  '| request | packages (ours / testsolv) | wall ms: ours e2e / dnf / testsolv | dnf / ours (wall) | CPU ms: ours / dnf / testsolv | dnf / ours (CPU) | ours solve (ms) | peak RSS MB: ours / dnf / testsolv |',
  '|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.req} | ${r.n} / ${r.solvN ?? 'n/a'} | ${cell(r.ours)} / ${cell(r.dnf)} / ${cell(r.solv)} | ${ratio(r.ours?.wall, r.dnf?.wall)} | ${cpu(r.ours)} / ${cpu(r.dnf)} / ${cpu(r.solv)} | ${ratio(r.ours?.cpu, r.dnf?.cpu)} | ${r.solveMs} | ${mem(r.ours)} / ${mem(r.dnf)} / ${mem(r.solv)} |`),
  '',
];
const out = join(here, 'RESULTS-solver.md');
const prev = existsSync(out) ? readFileSync(out, 'utf8') : '';
const keep = prev.includes('\n## ') ? prev.slice(prev.indexOf('\n## ')) : '';
writeFileSync(out, md.join('\n') + keep);
console.log(`wrote ${out}`);
