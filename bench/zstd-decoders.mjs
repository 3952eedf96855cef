// zstd payload decoding of the big bench repo (bench/big.mjs builds it): the in-process binding
// (src/decompress, as builds use it) against a host `zstd -dc` child per payload, one and two at a
// time, as xzchild.ts does for xz. CPU = this process and, separately, its children.
// Usage: node bench/zstd-decoders.mjs [rounds=2]   (needs dist/ built and zstd on PATH)
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { unzstd } = await import(join(ROOT, 'dist/decompress/codecs.js'));
const dir = join(ROOT, 'bench/.out/big-repo/x86_64');
// the payload starts at the first zstd frame magic after the headers (good enough for these rpms)
const payloads = readdirSync(dir).map((f) => { const b = readFileSync(join(dir, f)); return b.subarray(b.indexOf(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))); });
const inMB = payloads.reduce((a, b) => a + b.length, 0) / 1e6;
async function* pieces(b) { for (let o = 0; o < b.length; o += 1 << 20) yield b.subarray(o, o + (1 << 20)); }

async function binding() {
  let n = 0;
  for (const p of payloads) for await (const c of unzstd(pieces(p))) n += c.length;
  return n;
}
async function children(parallel) {
  let n = 0;
  let i = 0;
  const worker = async () => {
    while (i < payloads.length) {
      const c = spawn('zstd', ['-dc', '-q'], { stdio: ['pipe', 'pipe', 'ignore'] });
      c.stdin.end(payloads[i++]);
      for await (const x of c.stdout) n += x.length;
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return n;
}
const childCpu = () => { const r = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' '); return (Number(r[13]) + Number(r[14])) / 100; };
for (let round = 0; round < Number(process.argv[2] ?? 2); round++) {
  for (const [name, f] of [['binding', binding], ['child', () => children(1)], ['child x2', () => children(2)]]) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const k0 = childCpu();
    const n = await f();
    const c = process.cpuUsage(c0);
    console.log(`${name.padEnd(9)} ${(n / 1e6).toFixed(0)} MB out of ${inMB.toFixed(0)}: wall ${((performance.now() - t0) / 1e3).toFixed(2)} s, node CPU ${((c.user + c.system) / 1e6).toFixed(2)} s, children CPU ${(childCpu() - k0).toFixed(2)} s`);
  }
}
