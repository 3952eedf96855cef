// The decompression bombs of the hardening issue, served from 127.0.0.1 and fed to the real CLI:
// error code, exit code, wall time and peak RSS (VmHWM, read from /proc while it runs) of each.
// Builds the bombs first (bench/bombs-build.mjs; cached in $RFS_BENCH_DIR, default /tmp/rfs-bench-bombs).
// Usage: npx tsc -p tsconfig.json && node bench/bombs.mjs      (writes bench/RESULTS-bombs.md)
//   RFS_BOMBS_BEFORE=/path/to/other/bin/rootfs-assemble.js adds a column for another build (e.g. main).
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PKG, buildAll } from './bombs-build.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = buildAll(resolve(process.env.RFS_BENCH_DIR ?? '/tmp/rfs-bench-bombs'));
const TIMEOUT_S = Number(process.env.RFS_BOMBS_TIMEOUT ?? 60);
const builds = [['this tree', join(here, '..', 'bin', 'rootfs-assemble.js')]];
if (process.env.RFS_BOMBS_BEFORE) builds.push(['before', resolve(process.env.RFS_BOMBS_BEFORE)]);

const BOMBS = [
  ['pkg-xz', 'xz package: cpio + 1 GiB of zeros (payload declares 292 B)'],
  ['pkg-zstd', 'zstd payload: cpio + 3 GiB of zeros, no frame content size'],
  ['name-3g', 'primary.xml.zst: one 3 GiB <name> (open-size declared: 3 GiB)'],
  ['nested-1g', 'primary.xml.zst: 1 GiB of nested <x>'],
  ['dup-2000', 'primary.xml.zst: the same package 2,000 times'],
];

const server = http.createServer((req, res) => {
  const file = resolve(root, `.${decodeURIComponent((req.url ?? '/').split('?')[0])}`);
  if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) { res.writeHead(404).end(); return; }
  res.writeHead(200, { 'Content-Length': statSync(file).size });
  createReadStream(file).pipe(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}/`;

function run(bin, name, scratch) {
  return new Promise((res) => {
    const out = join(scratch, `${name}.tar`);
    const args = [bin, '--repofrompath', `bomb,${base}${name}/`, PKG, '--rpmdb', 'sqlite', '-o', out, '--cache-dir', join(scratch, `cache-${name}`), '-q'];
    const t = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    let peak = 0;
    child.stderr.on('data', (c) => { err += c; });
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peak = Math.max(peak, Number(m[1]) / 1024);
      } catch { /* gone */ }
    }, 20);
    const kill = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_S * 1000);
    child.on('close', (code, signal) => {
      clearInterval(poll);
      clearTimeout(kill);
      const s = Number(process.hrtime.bigint() - t) / 1e9;
      const killed = signal === 'SIGKILL' && s >= TIMEOUT_S;
      const rfs = code === 0 ? 'ok' : /\b(RFS_[A-Z_]+)\b/.exec(err)?.[1] ?? (killed ? `killed after ${TIMEOUT_S} s` : signal ? `crashed (${signal})` : `exit ${code}`);
      // a failed run must leave no output; a successful one must leave it
      const output = existsSync(out) === (code === 0) ? '' : code === 0 ? ' (no output!)' : ' (output left!)';
      res({ code: rfs + output, exit: code ?? signal, s, mb: peak, line: err.trim().split('\n')[0]?.slice(0, 160) ?? '' });
    });
  });
}

const rows = [];
const lines = [];
const scratch = mkdtempSync(join(tmpdir(), 'rfs-bombs-run-'));
try {
  for (const [name, what] of BOMBS) {
    const served = servedBytes(join(root, name));
    const cells = [];
    for (const [label, bin] of builds) {
      const r = await run(bin, name, scratch);
      console.error(label, name, r);
      cells.push(`${r.code} | ${r.exit} | ${r.s.toFixed(1)} | ${r.mb.toFixed(0)}`);
      if (label === 'this tree') lines.push(`- ${name}: \`${r.line.replace(/`/g, "'")}\``);
    }
    rows.push(`| ${name} | ${what} | ${(served / 1024).toFixed(0)} | ${cells.join(' | ')} |`);
  }
} finally {
  server.close();
  rmSync(scratch, { recursive: true, force: true });
}

/** bytes the mirror serves for a bomb (repomd.xml aside) */
function servedBytes(d) {
  return readdirSync(d, { recursive: true }).map((f) => join(d, String(f)))
    .filter((f) => statSync(f).isFile() && !f.endsWith('repomd.xml')).reduce((n, f) => n + statSync(f).size, 0);
}

const head = builds.map(([l]) => `${l}: code | exit | s | peak RSS MB`).join(' | ');
const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const md = [
  '# Decompression bombs through the CLI',
  '',
  `Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, shared 2-core machine (load average ${load} at the end). One run each of`,
  '`rootfs-assemble --repofrompath bomb,URL coreutils-common` against a repo on 127.0.0.1 made by bench/bombs-build.mjs; peak RSS is',
  `the child's VmHWM read from /proc every 20 ms; runs are killed after ${TIMEOUT_S} s. "served kB" is what the mirror sends.`,
  '',
  `| bomb | what | served kB | ${head} |`,
  `|---|---|---|${builds.map(() => '---|---|---|---|').join('')}`,
  ...rows,
  '',
  'First error line of each (this tree):',
  '',
  ...lines,
  '',
];
const resultsFile = join(here, 'RESULTS-bombs.md');
const previous = existsSync(resultsFile) ? readFileSync(resultsFile, 'utf8') : '';
// keep the sections that follow (decoder throughput, bench/bombs-throughput.mjs)
const tail = previous.includes('\n## ') ? previous.slice(previous.indexOf('\n## ') + 1) : '';
writeFileSync(resultsFile, md.join('\n') + (tail ? `\n${tail}` : ''));
console.log(md.join('\n'));
