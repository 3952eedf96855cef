// Decoder choice for src/decompress, by measurement: decompress the same ~60 MB cpio
// (compressed with the CLI tools at rpm's usual levels) with each candidate package and
// with the C tool, report MB/s of output. Candidates not installed are skipped, so point
// CANDIDATES_DIR at a scratch `npm install` of them:  CANDIDATES_DIR=/tmp/cand node bench/rpm-decoders.mjs DIR
// DIR must contain mix.cpio and, made from it the way rpmbuild compresses payloads:
//   gzip -9 > mix.gz; bzip2 -9 > mix.bz2; xz -6 -C sha256 > mix.xz; xz --format=lzma -6 > mix.lzma; zstd -19 > mix.zst
import { createRequire } from 'node:module';
import { readFileSync, createReadStream } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import zlib from 'node:zlib';

const dir = process.argv[2] ?? '/tmp/rpm-bench';
const req = createRequire(join(resolve(process.env.CANDIDATES_DIR ?? '.'), 'package.json'));
const tryReq = (m) => { try { return req(m); } catch { return null; } };
const raw = readFileSync(join(dir, 'mix.cpio'));
const MB = raw.length / 1e6;

async function time(label, fn) {
  const t = process.hrtime.bigint();
  const c = process.cpuUsage();
  let n;
  try {
    n = await fn();
  } catch (e) {
    console.log(`| ${label} | fails: ${String(e.message ?? e).slice(0, 60)} | - | - |`);
    return;
  }
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  const u = process.cpuUsage(c);
  const cpu = label.includes('(C)') ? '-' : (MB / ((u.user + u.system) / 1e6)).toFixed(1);
  console.log(`| ${label} | ${n === raw.length ? 'ok' : 'WRONG ' + n} | ${(MB / s).toFixed(1)} | ${cpu} |`);
}
const streamLen = (stream) => new Promise((res, rej) => { let n = 0; stream.on('data', (c) => (n += c.length)); stream.on('end', () => res(n)); stream.on('error', rej); });
const cli = (cmd, args, f) => () => execFileSync(cmd, [...args, join(dir, f)], { maxBuffer: 1 << 30 }).length;

console.log('| decoder | result | MB/s out (wall) | MB/s out (CPU) |\n|---|---|---|---|');
await time('gzip: node zlib (stream)', () => streamLen(createReadStream(join(dir, 'mix.gz')).pipe(zlib.createGunzip())));
await time('gzip: gzip -dc (C)', cli('gzip', ['-dc'], 'mix.gz'));

const ln = tryReq('lzma-native');
if (ln) await time('xz: lzma-native (stream, liblzma 5.2.3)', () => streamLen(createReadStream(join(dir, 'mix.xz')).pipe(ln.createStream('streamDecoder'))));
if (ln) await time('xz: lzma-native, LZMA_IGNORE_CHECK', () => streamLen(createReadStream(join(dir, 'mix.xz')).pipe(ln.createStream('streamDecoder', { flags: 0x10 }))));
const nr = tryReq('@napi-rs/lzma');
if (nr) await time('xz: @napi-rs/lzma (whole buffer)', async () => (await nr.xz.decompress(readFileSync(join(dir, 'mix.xz')))).length);
const xd = tryReq('xz-decompress');
if (xd) await time('xz: xz-decompress (wasm xz-embedded, stream)', async () => {
  const buf = readFileSync(join(dir, 'mix.xz'));
  const rs = new xd.XzReadableStream(new Blob([buf]).stream());
  let n = 0; for await (const c of rs) n += c.length; return n;
});
await time('xz: xz -dc (C)', cli('xz', ['-dc'], 'mix.xz'));

if (ln) await time('lzma: lzma-native (stream)', () => streamLen(createReadStream(join(dir, 'mix.lzma')).pipe(ln.createStream('aloneDecoder'))));
await time('lzma: xz --format=lzma -dc (C)', cli('xz', ['--format=lzma', '-dc'], 'mix.lzma'));

const fz = tryReq('fzstd');
if (fz) await time('zstd: fzstd (pure JS, stream)', () => new Promise((res) => {
  let n = 0; const d = new fz.Decompress((c) => { n += c.length; });
  const s = createReadStream(join(dir, 'mix.zst')); s.on('data', (c) => d.push(c)); s.on('end', () => { d.push(new Uint8Array(0), true); res(n); });
}));
const bw = tryReq('@bokuweb/zstd-wasm');
if (bw) await time('zstd: @bokuweb/zstd-wasm (whole buffer)', async () => { await bw.init(); return bw.decompress(readFileSync(join(dir, 'mix.zst'))).length; });
const cz = await import(req.resolve('@cloudpss/zstd/napi')).catch(() => null);
if (cz) await time('zstd: @cloudpss/zstd napi (stream, libzstd)', () => streamLen(createReadStream(join(dir, 'mix.zst')).pipe(new cz.Decompressor())));
const cw = await import(req.resolve('@cloudpss/zstd/wasm')).catch(() => null);
if (cw) await time('zstd: @cloudpss/zstd wasm (stream)', () => streamLen(createReadStream(join(dir, 'mix.zst')).pipe(new cw.Decompressor())));
await time('zstd: zstd -dc (C)', cli('zstd', ['-dc'], 'mix.zst'));

const ub = tryReq('unbzip2-stream');
if (ub) await time('bzip2: unbzip2-stream (pure JS, stream)', () => streamLen(createReadStream(join(dir, 'mix.bz2')).pipe(ub())));
const sb = tryReq('seek-bzip');
if (sb) await time('bzip2: seek-bzip (whole buffer)', () => sb.decode(readFileSync(join(dir, 'mix.bz2'))).length);
await time('bzip2: bzip2 -dc (C)', cli('bzip2', ['-dc'], 'mix.bz2'));
