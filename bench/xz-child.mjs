// xz payload decoding, in-process against a child: the payloads of real .rpm files decoded by
// lzma-native (the in-process decoder of src/decompress), by `xz -dc` children fed through pipes
// (src/decompress/xzchild.ts), and by rpm2cpio on the whole file (the reference floor), rounds
// interleaved. CPU = this process's user+sys during the pass plus its children's (/proc/self/stat
// cutime+cstime, 10 ms ticks; children are reaped before the pass ends).
// Usage: node bench/xz-child.mjs [rounds=3] FILE_OR_DIR...   (build first: npx tsc -p tsconfig.json)
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { unxz } from '../dist/decompress/codecs.js';
import { unxzChild } from '../dist/decompress/xzchild.js';

const argv = process.argv.slice(2);
const rounds = /^\d+$/.test(argv[0] ?? '') ? Number(argv.shift()) : 3;
const files = [];
const add = (p) => {
  if (statSync(p).isDirectory()) for (const n of readdirSync(p).sort()) add(join(p, n));
  else if (p.endsWith('.rpm')) files.push(resolve(p));
};
for (const a of argv) add(a);

/** offset of the payload: lead, signature header (padded to 8), main header */
function payloadOffset(b) {
  const hdr = (off) => off + 16 + 16 * b.readUInt32BE(off + 8) + b.readUInt32BE(off + 12);
  const sigEnd = hdr(96);
  return hdr(sigEnd + ((8 - (sigEnd % 8)) % 8));
}
const XZ_MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
const payloads = [];
for (const f of files) {
  const b = readFileSync(f);
  const p = b.subarray(payloadOffset(b));
  if (p.subarray(0, 6).equals(XZ_MAGIC)) payloads.push({ file: f, data: p });
}
if (payloads.length === 0) throw new Error('no xz payloads found');
const inMB = payloads.reduce((s, p) => s + p.data.length, 0) / 1e6;

async function* chunks(data) {
  for (let o = 0; o < data.length; o += 1 << 20) yield data.subarray(o, o + (1 << 20));
}
const childTicks = () => {
  const f = readFileSync('/proc/self/stat', 'utf8').slice(readFileSync('/proc/self/stat', 'utf8').lastIndexOf(')') + 2).split(' ');
  return Number(f[13]) + Number(f[14]); // cutime, cstime (fields 16, 17)
};
async function drain(gen) {
  let n = 0;
  for await (const c of gen) n += c.length;
  return n;
}
const rpm2cpio = (file) => new Promise((res, rej) => {
  const p = spawn('rpm2cpio', [file], { stdio: ['ignore', 'ignore', 'inherit'] });
  p.on('error', rej);
  p.on('close', (code) => (code === 0 ? res(0) : rej(new Error(`rpm2cpio ${file}: ${code}`))));
});

const methods = {
  'lzma-native (as now: stream check skipped)': (p) => drain(unxz(chunks(p.data), true)),
  'lzma-native, SHA-256 check': (p) => drain(unxz(chunks(p.data), false)),
  'xz -dc child (check skipped)': (p) => drain(unxzChild(chunks(p.data), true)),
  'xz -dc child, SHA-256 check': (p) => drain(unxzChild(chunks(p.data), false)),
  'rpm2cpio (whole file, to /dev/null)': (p) => rpm2cpio(p.file),
};
const results = Object.fromEntries(Object.keys(methods).map((k) => [k, []]));
let outMB = 0;
for (let r = 0; r < rounds; r++) {
  for (const [name, fn] of Object.entries(methods)) {
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    const k0 = childTicks();
    let out = 0;
    for (const p of payloads) out += await fn(p);
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const own = process.cpuUsage(c0);
    const kids = (childTicks() - k0) / 100;
    if (out > 0) outMB = out / 1e6;
    results[name].push({ wall, cpu: (own.user + own.system) / 1e6 + kids, own: (own.user + own.system) / 1e6 });
  }
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const floor = results['rpm2cpio (whole file, to /dev/null)'];
const fw = med(floor.map((x) => x.wall));
const fc = med(floor.map((x) => x.cpu));
const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`${payloads.length} xz payloads, ${inMB.toFixed(1)} MB in, ${outMB.toFixed(1)} MB out; median of ${rounds} interleaved rounds; load ${load}\n`);
console.log('| decoder | wall s | CPU s (of it in node) | MB/s out wall / CPU | vs rpm2cpio wall / CPU |\n|---|---|---|---|---|');
for (const [name, xs] of Object.entries(results)) {
  const w = med(xs.map((x) => x.wall));
  const c = med(xs.map((x) => x.cpu));
  const o = med(xs.map((x) => x.own));
  console.log(`| ${name} | ${w.toFixed(2)} | ${c.toFixed(2)} (${o.toFixed(2)}) | ${(outMB / w).toFixed(1)} / ${(outMB / c).toFixed(1)} | ${(w / fw).toFixed(2)}x / ${(c / fc).toFixed(2)}x |`);
}
