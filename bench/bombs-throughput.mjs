// What bounding the decoders costs on normal data: decompress() of the same payload in every
// codec, with two builds side by side (before/after), interleaved rounds, best of N, CPU and wall.
// Usage: node bench/bombs-throughput.mjs DIR BEFORE_DIST AFTER_DIST
//   DIR holds mix.raw and mix.{gz,bz2,xz,lzma,zst} made from it (rpmbuild's levels: gzip -9,
//   bzip2 -9, xz -6 -C sha256, xz --format=lzma -6, zstd -19); the dists are `tsc --outDir` builds.
import { createReadStream, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const [dir = '.', before, after] = process.argv.slice(2);
const RUNS = Number(process.env.RFS_BENCH_RUNS ?? 3);
const builds = [['before', before], ['after', after]].filter(([, d]) => d);
const mods = await Promise.all(builds.map(([, d]) => import(resolve(d, 'decompress', 'index.js'))));
const raw = statSync(join(dir, 'mix.raw')).size;
const FILES = [['gzip', 'mix.gz'], ['bzip2', 'mix.bz2'], ['xz', 'mix.xz'], ['xz (check skipped)', 'mix.xz'], ['lzma', 'mix.lzma'], ['zstd', 'mix.zst']];

async function once(mod, codec, file) {
  const t = process.hrtime.bigint();
  const c = process.cpuUsage();
  let n = 0;
  const skip = codec.includes('skipped');
  for await (const chunk of mod.decompress(createReadStream(join(dir, file), { highWaterMark: 1 << 20 }), undefined, { skipIntegrityCheck: skip })) n += chunk.length;
  if (n !== raw) throw new Error(`${codec}: ${n} bytes, expected ${raw}`);
  const u = process.cpuUsage(c);
  return { wall: Number(process.hrtime.bigint() - t) / 1e9, cpu: (u.user + u.system) / 1e6 };
}

const rows = [];
for (const [codec, file] of FILES) {
  const best = builds.map(() => ({ wall: Infinity, cpu: Infinity }));
  for (let r = 0; r < RUNS; r++) {
    for (let i = 0; i < builds.length; i++) {
      const m = await once(mods[i], codec, file);
      best[i].wall = Math.min(best[i].wall, m.wall);
      best[i].cpu = Math.min(best[i].cpu, m.cpu);
    }
  }
  const mb = raw / 1e6;
  const cells = best.map((b) => `${(mb / b.wall).toFixed(1)} / ${(mb / b.cpu).toFixed(1)}`);
  const ratio = best.length === 2 ? `${(best[0].cpu / best[1].cpu).toFixed(2)}x` : '-';
  rows.push(`| ${codec} | ${cells.join(' | ')} | ${ratio} |`);
  console.error(rows.at(-1));
}
console.log(`| codec | ${builds.map(([n]) => `${n} MB/s wall / cpu`).join(' | ')} | after/before speed (cpu) |`);
console.log(`|---|${builds.map(() => '---|').join('')}---|`);
for (const r of rows) console.log(r);
