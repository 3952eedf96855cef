// Layer reuse of --layers: bytes a registry push must upload (blobs it does not have yet, plus the
// config and manifest) for --layers 1 vs --layers 16, on the fixture repos (npm run fixtures):
// (a) a second image sharing the base set with the first, (b, c) a rebuild after one package update.
// Usage: node bench/layers.mjs   -> prints a markdown table; writes bench/RESULTS-layers.md
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveFixtureRepos } from './lib.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// centos:7 (major) reads os and updates; $releasever is the point release in the vault layout
const { url: mirror, server } = await serveFixtureRepos(ROOT, { '/7.9.2009/os/x86_64/': 'el7-os', '/7.9.2009/updates/x86_64/': 'el7-updates' });
const work = mkdtempSync(join(tmpdir(), 'rfs-bench-layers-'));

/** Build an oci-archive; returns its blobs as digest -> size (layers, config, manifest). */
async function image(name, layers, args) {
  const out = join(work, `${name}-${layers}.tar`);
  // not execFileSync: the mirror runs in this process's event loop
  await promisify(execFile)(process.execPath, [join(ROOT, 'bin/rootfs-assemble.js'), 'centos:7', '--mirror', mirror, '--gpgkey', join(ROOT, 'test/fixtures/content/RPM-GPG-KEY-fixture'),
    '--cache-dir', join(work, 'cache'), '-q', '--format', 'oci-archive', '--layers', String(layers), '-o', out, ...args],
  { env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' } });
  const read = (p) => execFileSync('tar', ['-xOf', out, p]);
  const index = JSON.parse(read('index.json'));
  const m = index.manifests[0];
  const manifest = JSON.parse(read(`blobs/${m.digest.replace(':', '/')}`));
  const blobs = new Map([[m.digest, m.size], [manifest.config.digest, manifest.config.size]]);
  for (const l of manifest.layers) blobs.set(l.digest, l.size);
  return { blobs, layers: manifest.layers.length, bytes: manifest.layers.reduce((n, l) => n + l.size, 0) };
}

const toPush = (have, next) => [...next.blobs].reduce((n, [d, s]) => n + (have.blobs.has(d) ? 0 : s), 0);
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
const pct = (n, of) => `${((100 * n) / of).toFixed(0)} %`;

const SCENARIOS = [
  { name: '(a) second image sharing the base set (+ openssh-server)', first: [], second: ['openssh-server'] },
  { name: '(b) rebuild after one package update (bash -34 → -35, 1.2 MB static binary)', first: ['--exclude', 'bash-4.2.46-35.el7_9*'], second: [] },
  { name: '(c) rebuild after one package update (tzdata 2020a → 2024a, small)', first: ['--exclude', 'tzdata-2024a*'], second: [] },
];
const rows = [];
try {
  for (const s of SCENARIOS) {
    for (const layers of [1, 16]) {
      const a = await image('first', layers, s.first);
      const b = await image('second', layers, s.second);
      const push = toPush(a, b);
      rows.push(`| ${s.name} | ${layers} | ${b.layers} | ${kb(b.bytes)} | ${kb(push)} | ${pct(push, b.bytes)} |`);
    }
  }
} finally {
  server.close();
  rmSync(work, { recursive: true, force: true });
}
const text = [
  `Bytes to push for the second image when the registry has the first (gzip layers + config + manifest; el7 fixture repos, node ${process.version}):`,
  '',
  '| scenario | --layers | layers | image (compressed) | to push | of the image |',
  '|---|---:|---:|---:|---:|---:|',
  ...rows,
  '',
].join('\n');
process.stdout.write(text);
writeFileSync(join(ROOT, 'bench/RESULTS-layers.md'), `# --layers: layer reuse\n\n${text}`);
