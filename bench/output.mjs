// Output bench: our writeOutput (tar, .tar.gz, .tar.zst, .tar.xz, oci-archive) against GNU tar
// (+ gzip/zstd/xz) archiving the same directory, in one run. Each side runs in its own process so
// peak RSS is its own. Usage: node bench/output.mjs [dir] (default /usr/lib/python3.11)
// Build first: npx tsc -p . (or set RFS_DIST to a private outDir).
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { median } from './lib.mjs';

const here = new URL('.', import.meta.url).pathname;
const DIST = resolve(process.env.RFS_DIST ?? join(here, '../dist'));

function* walk(root, rel = '') {
  for (const name of readdirSync(join(root, rel)).sort()) {
    const r = rel ? `${rel}/${name}` : name;
    const st = lstatSync(join(root, r));
    yield [r, st];
    if (st.isDirectory()) yield* walk(root, r);
  }
}

let fileBody; // from dist, set in the child

function entriesOf(root, preload = false) {
  const cache = new Map();
  if (preload) for (const [rel, st] of walk(root)) if (st.isFile()) cache.set(rel, readFileSync(join(root, rel)));
  return async function* () {
    const seen = new Map();
    for (const [rel, st] of walk(root)) {
      const common = { path: `/${rel}`, mode: st.mode & 0o7777, uid: 0, gid: 0, uname: 'root', gname: 'root', mtime: Math.floor(st.mtimeMs / 1000), size: 0 };
      if (st.isDirectory()) yield { ...common, type: 'dir' };
      else if (st.isSymbolicLink()) yield { ...common, type: 'symlink', linkTarget: readlinkSync(join(root, rel)) };
      else if (st.isFile()) {
        const key = `${st.dev}:${st.ino}`;
        if (st.nlink > 1 && seen.has(key)) { yield { ...common, type: 'hardlink', linkTarget: seen.get(key) }; continue; }
        seen.set(key, `/${rel}`);
        const file = join(root, rel);
        const mem = cache.get(rel);
        yield { ...common, type: 'file', size: st.size, body: mem ? () => mem : fileBody(file, 0, st.size) };
      }
    }
  };
}

if (process.argv[2] === '--child') {
  // child: one writeOutput, prints JSON {ms, bytes, rssMB}
  const [, , , dir, format, out, tmp, preload] = process.argv;
  const { writeOutput } = await import(join(DIST, 'assemble/output/index.js'));
  ({ fileBody } = await import(join(DIST, 'tar/index.js')));
  const entries = entriesOf(dir, preload === 'preload');
  const t0 = performance.now();
  const r = await writeOutput(entries, { format, path: out, tmpDir: tmp, config: { architecture: 'x86_64', os: 'linux', env: [], labels: {}, created: '2024-01-01T00:00:00Z' } });
  console.log(JSON.stringify({ ms: performance.now() - t0, bytes: r.bytes, rssMB: process.resourceUsage().maxRSS / 1024 }));
  process.exit(0);
}

const dir = resolve(process.argv[2] ?? '/usr/lib/python3.11');
const work = mkdtempSync(join(tmpdir(), 'rfs-bench-output-'));
let files = 0;
let size = 0;
for (const [, st] of walk(dir)) { files++; if (st.isFile()) size += st.size; }

function ours(format, name, preload = '') {
  const r = spawnSync(process.execPath, [new URL(import.meta.url).pathname, '--child', dir, format, join(work, name), work, preload], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}
function peer(args, name, env = {}) {
  const out = join(work, name);
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', 'tar', '--sort=name', '--owner=0', '--group=0', '--numeric-owner', ...args, '-f', out, '-C', dir, '.'], { encoding: 'utf8', env: { ...process.env, ...env } });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(r.stderr);
  return { ms, bytes: statSync(out).size, rssMB: Number(r.stderr.trim().split('\n').pop()) / 1024 };
}

const cases = [
  ['tar', 'a.tar', () => peer(['-c'], 'b.tar'), 'GNU tar -c'],
  ['tar', 'a.tar', () => peer(['-c'], 'b.tar'), 'GNU tar -c', 'preload'],
  ['tar', 'a.tar.gz', () => peer(['-cz'], 'b.tar.gz'), 'GNU tar -cz (gzip -6)'],
  ['tar', 'a.tar.zst', () => peer(['--zstd', '-c'], 'b.tar.zst'), 'GNU tar --zstd (zstd -3)'],
  ['tar', 'a.tar.xz', () => peer(['-cJ'], 'b.tar.xz', { XZ_OPT: '-6 -T1' }), 'GNU tar -cJ (xz -6 -T1)'],
  ['oci-archive', 'a.oci.tar', () => peer(['-cz'], 'c.tar.gz'), 'GNU tar -cz (layer only)'],
];
const rows = [];
for (const [format, name, runPeer, peerName, preload = ''] of cases) {
  const runs = name.endsWith('.xz') ? 1 : 3;
  const o = [];
  const p = [];
  for (let i = 0; i < runs; i++) { o.push(ours(format, name, preload)); p.push(runPeer()); } // interleaved: same machine load
  const om = median(o.map((x) => x.ms));
  const pm = median(p.map((x) => x.ms));
  rows.push(`| ${format === 'tar' ? name.replace(/^a/, '') : format}${preload ? ' (bodies preloaded in memory: writer + disk only)' : ''} | ${om.toFixed(0)} | ${(size / 1048576 / (om / 1000)).toFixed(0)} | ${(o[0].bytes / 1048576).toFixed(1)} | ${Math.max(...o.map((x) => x.rssMB)).toFixed(0)} | ${peerName} | ${pm.toFixed(0)} | ${(p[0].bytes / 1048576).toFixed(1)} | ${Math.max(...p.map((x) => x.rssMB)).toFixed(0)} | ${(om / pm).toFixed(2)} |`);
  console.error(rows.at(-1));
}
rmSync(work, { recursive: true, force: true });

const md = `# Output bench (bench/output.mjs)

Input: \`${dir}\`, ${files} entries, ${(size / 1048576).toFixed(1)} MiB of file data. Machine: ${spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()} cores shared with other jobs
(load average ${spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout.split(' ').slice(0, 3).join(' ')} at the end), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.
Median of 3 interleaved runs (xz: 1 run). Peers: GNU tar ${spawnSync('tar', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0].replace(/^tar \(GNU tar\) /, '')} with --sort=name, each side in its own process (peak RSS = that process).

| output | ours ms | ours MiB/s | ours MiB | ours peak RSS MiB | peer | peer ms | peer MiB | peer peak RSS MiB | ours/peer time |
|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Ours includes an fsync before the atomic rename (GNU tar does not fsync). Bodies are read with
fileBody() (positional reads on one FileHandle). zlib runs on libuv's thread pool beside the tar
writer; the zstd encoder (N-API) runs synchronously on the main thread, in series with the writer,
where GNU tar pipes into a separate zstd process; xz is liblzma on both sides. On a machine this
loaded, ratios move by up to 2x between runs: compare rows within one run, not across runs.
`;
writeFileSync(join(here, 'RESULTS-output.md'), md);
console.log(md);
