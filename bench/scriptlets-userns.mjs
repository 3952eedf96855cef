#!/usr/bin/env node
// --run-scriptlets=userns: what running the unreproduced scriptlets for real costs, against
// emulating the same work. Image: static busybox as /bin/sh plus FILES small files; N post
// scriptlets that use a command emulation does not know (`tr`), each writing one file.
//  - emulation: emulateScriptlets alone (the scriptlets are reported, not run)
//  - userns: the same, then runUnreproducedInUserns (write the tree out, N x unshare+chroot,
//    read changes back); needs unprivileged user namespaces (skipped otherwise)
//   npx tsc -p . && node bench/scriptlets-userns.mjs      (RFS_DIST=/other/dist for another build)
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const DIST = resolve(process.env.RFS_DIST ?? join(HERE, '..', 'dist'));
const RUNS = Number(process.env.RUNS ?? 3);
const FILES = Number(process.env.FILES ?? 2000);
const SDE = 1_700_000_000;
const { emulateScriptlets, runUnreproducedInUserns, detectUserns } = await import(pathToFileURL(join(DIST, 'scriptlets/index.js')).href);
const { ImageTree } = await import(pathToFileURL(join(DIST, 'assemble/tree.js')).href);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function image() {
  const t = new ImageTree(SDE);
  for (const d of ['/etc', '/usr/bin', '/usr/share/data']) t.mkdir(d);
  t.symlink('usr/bin', '/bin');
  t.writeFile('/usr/bin/busybox', readFileSync('/bin/busybox'), { mode: 0o755 });
  for (const a of ['sh', 'tr']) t.symlink('busybox', `/usr/bin/${a}`);
  t.writeFile('/etc/passwd', 'root:x:0:0:root:/root:/bin/sh\n');
  t.writeFile('/etc/group', 'root:x:0:\n');
  for (let i = 0; i < FILES; i++) t.writeFile(`/usr/share/data/f${i}`, `file ${i}\n`);
  return t;
}
const pkgs = (n) => Array.from({ length: n }, (_, i) => ({
  nevra: `p${i}-1-1.noarch`, name: `p${i}`,
  meta: { name: `p${i}`, epoch: null, version: '1', release: '1', provides: [], triggers: [],
    scriptlets: [{ kind: 'post', prog: ['/bin/sh'], body: `echo p${i} | tr a-z A-Z > /etc/p${i}\n` }] },
}));

const rows = [];
const det = detectUserns();
for (const n of [1, 10]) {
  const emu = [];
  const real = [];
  for (let r = 0; r < RUNS; r++) {
    let t = image();
    let t0 = performance.now();
    emulateScriptlets(pkgs(n), t, { sourceDateEpoch: SDE });
    emu.push(performance.now() - t0);
    if (!det.ok || !existsSync('/bin/busybox')) continue;
    t = image();
    t0 = performance.now();
    const rep = emulateScriptlets(pkgs(n), t, { sourceDateEpoch: SDE, collectUnreproduced: true });
    runUnreproducedInUserns(rep, t);
    real.push(performance.now() - t0);
    if (rep.skipped.length) throw new Error(`not run: ${JSON.stringify(rep.skipped)}`);
  }
  rows.push([`${n} scriptlet(s), emulation only (reported)`, median(emu), null]);
  rows.push([`${n} scriptlet(s), --run-scriptlets=userns`, real.length ? median(real) : NaN, real.length ? median(real) / median(emu) : null]);
}

const fmt = (x) => (Number.isNaN(x) ? 'n/a' : x.toFixed(1));
console.log(`userns mode here: ${det.ok ? det.mode.kind : `unavailable (${det.reason})`}; image: busybox + ${FILES} files\n`);
console.log('| workload | ms (median of %d) | ratio |\n|---|---:|---:|', RUNS);
for (const [name, ms, ratio] of rows) console.log(`| ${name} | ${fmt(ms)} | ${ratio ? `${ratio.toFixed(0)}x` : ''} |`);
