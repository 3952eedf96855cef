#!/usr/bin/env node
// Cold parse and warm (pool-cache) load of CentOS Stream 9 AppStream primary.xml (17,649 pkgs),
// next to libsolv's rpmmd2solv and dnf makecache on the same files. Each measurement runs in
// its own process so peak RSS is its own. Median of RUNS runs (the machine is shared).
//   npx tsc -p . && node bench/metadata.mjs          (RFS_DIST=/other/dist to use another build)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from './lib.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const DIST = resolve(process.env.RFS_DIST ?? join(HERE, '..', 'dist'));
const REPO = resolve(HERE, '../../shared/realdata/repos/cs9-appstream-20250113');
const RUNS = Number(process.env.RUNS ?? 3);
const NOTES = '<!-- notes: kept by bench/metadata.mjs -->';

async function child(mode, cacheDir) {
  const { Fetcher } = await import(pathToFileURL(join(DIST, 'fetch/index.js')).href);
  const { loadRepo, primaryParser, parseXmlFile, writeStoreCache } = await import(pathToFileURL(join(DIST, 'metadata/index.js')).href);
  if (mode === 'primary') {
    // What rpmmd2solv does: primary.xml.gz in, a binary pool out.
    const path = join(REPO, 'repodata', readdirSync(join(REPO, 'repodata')).find((n) => n.endsWith('-primary.xml.gz')));
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const pp = primaryParser();
    await parseXmlFile({ path, url: pathToFileURL(path).href, repo: 'appstream' }, pp.machine, 'primary.xml');
    const store = pp.finish();
    writeStoreCache(join(cacheDir, 'bench.pool'), store);
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    process.stdout.write(JSON.stringify({ ms, cpuMs: (c.user + c.system) / 1000, packages: store.count, rssMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
    return;
  }
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const f = new Fetcher({ cacheDir });
  const r = await loadRepo({ id: 'appstream', baseurl: [pathToFileURL(REPO).href + '/'], enabled: true }, f, { arch: 'x86_64', cacheDir, ...(mode === 'sax' ? { tokenizer: 'sax', noPoolCache: true } : {}) });
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  await f.close();
  process.stdout.write(JSON.stringify({ ms, cpuMs: (c.user + c.system) / 1000, packages: r.packages.length, rssMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
}

/** wall time and peak RSS of a command, via GNU time */
function timed(cmd) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', 'sh', '-c', cmd], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
  const [s, u, sys, kb] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  return { ms: s * 1000, cpuMs: (u + sys) * 1000, rssMB: kb / 1024 };
}

function ours(mode, cacheDir) {
  const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', mode, cacheDir], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop());
}

function summarize(runs) {
  return { ms: median(runs.map((r) => r.ms)), cpuMs: median(runs.map((r) => r.cpuMs)), rssMB: Math.max(...runs.map((r) => r.rssMB)), packages: runs[0].packages };
}

async function main() {
  if (!existsSync(REPO)) { console.log(`skipped: ${REPO} absent`); return; }
  if (!existsSync(join(DIST, 'metadata/index.js'))) { console.log(`build first: ${DIST}/metadata/index.js missing`); return; }
  const primary = join(REPO, 'repodata', readdirSync(join(REPO, 'repodata')).find((n) => n.endsWith('-primary.xml.gz')));
  const tmp = mkdtempSync(join(tmpdir(), 'rfs-bench-md-'));
  const res = { primary: [], cold: [], warm: [], sax: [], rpmmd2solv: [], dnf: [] };
  for (let i = 0; i < RUNS; i++) {
    const cache = join(tmp, `c${i}`);
    res.primary.push(ours('primary', join(tmp, `p${i}`)));
    res.cold.push(ours('cold', cache));
    res.warm.push(ours('warm', cache));
    res.sax.push(ours('sax', join(tmp, `s${i}`)));
    res.rpmmd2solv.push(timed(`zcat '${primary}' | rpmmd2solv > '${join(tmp, 'out.solv')}'`));
    const dnfCache = join(tmp, `dnf${i}`);
    res.dnf.push(timed(`dnf -q makecache --repofrompath=as,${pathToFileURL(REPO).href} --disablerepo='*' --enablerepo=as --setopt=cachedir=${dnfCache} --setopt=as.gpgcheck=0 --releasever=9 --installroot=${join(tmp, 'root')} >/dev/null 2>&1`));
  }
  rmSync(tmp, { recursive: true, force: true });
  const s = Object.fromEntries(Object.entries(res).map(([k, v]) => [k, summarize(v)]));
  const ratio = (a, b) => (a / b).toFixed(2);
  const row = (name, r, note) => `| ${name} | ${r.ms.toFixed(0)} | ${r.cpuMs.toFixed(0)} | ${r.rssMB.toFixed(0)} | ${note} |`;
  const load = (await import('node:os')).loadavg()[0].toFixed(1);
  const md = `# Metadata benchmark

CentOS Stream 9 AppStream \`primary.xml.gz\` (${s.cold.packages} packages, 3.6 MB gz / 52 MB XML), from
\`../shared/realdata/repos/cs9-appstream-20250113\` via \`file://\`. Median of ${RUNS} runs, each in its
own process (peak RSS = max over runs); measured ${new Date().toISOString().slice(0, 10)} on a shared 2-core machine
with \`node bench/metadata.mjs\`.

| what | wall ms | CPU ms | peak RSS MB | vs rpmmd2solv (wall / CPU) |
|---|---:|---:|---:|---|
${row('rootfs-assemble cold primary parse (gunzip + parse + binary pool write)', s.primary, `${ratio(s.primary.ms, s.rpmmd2solv.ms)}x / ${ratio(s.primary.cpuMs, s.rpmmd2solv.cpuMs)}x; goal ≤ 1.2x`)}
${row('rootfs-assemble cold loadRepo (+ verify, comps, modules.yaml, materialize)', s.cold, `${ratio(s.cold.ms, s.rpmmd2solv.ms)}x / ${ratio(s.cold.cpuMs, s.rpmmd2solv.cpuMs)}x`)}
${row('rootfs-assemble warm (binary pool cache)', s.warm, `${ratio(s.warm.ms, s.rpmmd2solv.ms)}x / ${ratio(s.warm.cpuMs, s.rpmmd2solv.cpuMs)}x; goal < 150 ms`)}
${row('rootfs-assemble cold with the \`sax\` tokenizer', s.sax, `${ratio(s.sax.ms, s.rpmmd2solv.ms)}x / ${ratio(s.sax.cpuMs, s.rpmmd2solv.cpuMs)}x (reference tokenizer)`)}
${row('libsolv \`zcat \\| rpmmd2solv\` (C)', s.rpmmd2solv, 'baseline')}
${row('\`dnf makecache\` (--repofrompath, fresh cachedir)', s.dnf, `${ratio(s.dnf.ms, s.rpmmd2solv.ms)}x / ${ratio(s.dnf.cpuMs, s.rpmmd2solv.cpuMs)}x`)}

Load average during the run: ${load} on 2 cores shared with other jobs, so wall times are inflated; CPU time
(user + system) is the steadier comparison.

Goals: cold primary parse at most 1.2x rpmmd2solv (${ratio(s.primary.ms, s.rpmmd2solv.ms)}x wall, ${ratio(s.primary.cpuMs, s.rpmmd2solv.cpuMs)}x CPU), warm under 150 ms (${s.warm.ms.toFixed(0)} ms wall, ${s.warm.cpuMs.toFixed(0)} ms CPU),
peak RSS under 250 MB (${s.primary.rssMB.toFixed(0)} MB primary parse, ${s.cold.rssMB.toFixed(0)} MB cold loadRepo, ${s.warm.rssMB.toFixed(0)} MB warm). Times include Node start-up
of the load itself but not of the process (measured inside); peers are measured as whole commands.
`;
  // Notes written by hand below the marker (A/B runs, where the time goes) survive a re-run.
  const out = join(HERE, 'RESULTS-metadata.md');
  const prev = existsSync(out) ? readFileSync(out, 'utf8') : '';
  const at = prev.indexOf(NOTES);
  writeFileSync(out, at >= 0 ? `${md}\n${prev.slice(at)}` : md);
  console.log(md);
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4]);
else await main();
