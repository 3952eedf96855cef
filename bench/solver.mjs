// Resolve time on the real CentOS Stream 9 metadata (BaseOS 2022-02-07 + AppStream
// 2025-01-13), one run each, next to dnf (--assumeno, warm cache) and libsolv's testsolv
// (rpmmd2solv output + a testcase per request). Writes bench/RESULTS-solver.md.
// Usage: npx tsc -p . [--outDir DIR] && node bench/solver.mjs [DIST_DIR]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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
const runner = join(work, 'run.mjs');
writeFileSync(runner, `
const { resolveCommand } = await import(${JSON.stringify(join(dist, 'cli/commands/resolve.js'))});
const { reportError } = await import(${JSON.stringify(join(dist, 'cli/io.js'))});
const sink = { write() { return true; } };
const io = { stdout: sink, stderr: sink, env: process.env, cwd: process.cwd() };
try { process.exitCode = await resolveCommand(process.argv.slice(2), io); } catch (e) { process.exitCode = reportError(e, io); }
`);
const ourArgs = (req) => [runner, '--repofrompath', `b,file://${B}`, '--repofrompath', `a,file://${A}`, '--arch', 'x86_64', '--cache-dir', cacheDir, '--json', ...req];
spawnSync('node', ourArgs(['bash'])); // fill the metadata cache once (first-run parse is measured separately below)

const { Fetcher } = await import(join(dist, 'fetch/index.js'));
const { loadRepo, filterModular } = await import(join(dist, 'metadata/index.js'));
const { createPool, resolve: solve } = await import(join(dist, 'solver/index.js'));
const fetcher = new Fetcher({ cacheDir });
const loaded = [];
let t0 = process.hrtime.bigint();
for (const [id, d] of [['b', B], ['a', A]]) loaded.push(await loadRepo({ id, baseurl: [`file://${d}`], enabled: true }, fetcher, { arch: 'x86_64', cacheDir }));
await fetcher.close();
filterModular(loaded);
const loadMs = ms(t0);
t0 = process.hrtime.bigint();
const pool = createPool(loaded.map((r) => ({ id: r.config.id, priority: 99, cost: 1000, packages: r.packages, groups: r.groups })), { arch: 'x86_64' });
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
  t0 = process.hrtime.bigint();
  const r = spawnSync('node', ourArgs(req));
  const e2e = ms(t0);
  t0 = process.hrtime.bigint();
  const res = solve(pool, { install: req });
  const solveMs = ms(t0);
  const n = res.ok ? res.transaction.packages.length : 'no solution';
  let dnfMs = null;
  if (haveDnf) { t0 = process.hrtime.bigint(); spawnSync('dnf', dnfArgs(req)); dnfMs = ms(t0); }
  let solvMs = null;
  let solvN = null;
  if (haveSolv) {
    const tc = join(work, `req${rows.length}.t`);
    writeFileSync(tc, ['repo b 0 solv b.solv', 'repo a 0 solv a.solv', 'system x86_64 rpm',
      'poolflags implicitobsoleteusescolors', 'solverflags ignorerecommended', ...req.map((p) => `job install name ${p}`), 'result transaction,problems <inline>', ''].join('\n'));
    t0 = process.hrtime.bigint();
    const out = spawnSync('testsolv', [tc], { encoding: 'utf8' }).stdout;
    solvMs = ms(t0);
    solvN = (out.match(/^\+install /gm) ?? []).length || (out.includes('+problem') ? 'no solution' : '?');
  }
  rows.push({ req: req.join(' '), n, solvN, exit: r.status, e2e, solveMs, dnfMs, solvMs });
  console.log(rows.at(-1));
}

const ratio = (a, b) => (a && b ? `${(b / a).toFixed(1)}×` : 'n/a');
const md = [
  '# Solver benchmark (CentOS Stream 9 BaseOS 2022-02-07 + AppStream 2025-01-13, x86_64)',
  '',
  `One run per cell, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}. "ours e2e" is \`rootfs-assemble resolve --json\` in a fresh`,
  'process (metadata from our pool cache, pool build, solve); "ours solve" is `resolve()` on a built pool;',
  'dnf is `dnf --assumeno install` with a warm cache (install_weak_deps=False); testsolv reads',
  '`rpmmd2solv` output and solves the same jobs (its time includes loading the .solv files).',
  `Where the end-to-end time goes (in this process): loading both repos from the metadata cache (\`loadRepo\` + modular filter) ${loadMs} ms, building the solver pool ${poolMs} ms, then the solve.${convMs !== null ? ` rpmmd2solv conversion of both primaries (once): ${convMs} ms.` : ''}`,
  '',
  '| request | packages (ours / testsolv) | ours e2e (ms) | ours solve (ms) | dnf (ms) | testsolv (ms) | dnf / ours e2e | testsolv / ours solve |',
  '|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.req} | ${r.n} / ${r.solvN ?? 'n/a'} | ${r.e2e} | ${r.solveMs} | ${r.dnfMs ?? 'n/a'} | ${r.solvMs ?? 'n/a'} | ${ratio(r.e2e, r.dnfMs)} | ${ratio(r.solveMs, r.solvMs)} |`),
  '',
];
const out = join(here, 'RESULTS-solver.md');
const prev = existsSync(out) ? readFileSync(out, 'utf8') : '';
const keep = prev.includes('\n## ') ? prev.slice(prev.indexOf('\n## ')) : '';
writeFileSync(out, md.join('\n') + keep);
console.log(`wrote ${out}`);
