// Bodies that reuse one buffer (SpoolReader with reuse, WriteOutputOptions.transientBodies): every
// output must hold the bytes each chunk had when it was handed over. A consumer that kept a chunk
// by reference instead of copying it would write later bytes in its place.
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { writeOutput } from '../../src/assemble/output/index.js';
import type { ImageConfig } from '../../src/assemble/output/index.js';
import { SpoolReader } from '../../src/assemble/spool.js';
import { writeTar } from '../../src/tar/index.js';
import type { TarEntry } from '../../src/tar/index.js';

const work = mkdtempSync(join(tmpdir(), 'rfs-transient-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const CONFIG: ImageConfig = { architecture: 'x86_64', os: 'linux', env: [], labels: {}, created: '2020-09-13T12:26:40Z' };
const base = { uid: 0, gid: 0, uname: 'root', gname: 'root', mtime: 1_600_000_000, mode: 0o644 };

/** content of file i: `size` bytes of a pattern, different per file */
const content = (i: number, size: number): Buffer => Buffer.from(Uint8Array.from({ length: size }, (_, k) => (k * 31 + i * 7) & 0xff));
const SIZES = [1, 700, 65_536, 70_000, 300_000, 1_100_000];

/** entries whose bodies come in 100 000-byte chunks of ONE shared buffer, overwritten for the next chunk */
function transientEntries(): AsyncIterable<TarEntry> {
  const shared = Buffer.alloc(100_000); // > 64 KiB: writeTar would otherwise pass chunks on by reference
  return (async function* () {
    yield { ...base, path: '/d', type: 'dir', mode: 0o755, size: 0 };
    for (const [i, size] of SIZES.entries()) {
      const data = content(i, size);
      yield {
        ...base, path: `/d/f${i}`, type: 'file', size,
        body: function* () {
          for (let at = 0; at < size; at += shared.length) {
            const n = Math.min(shared.length, size - at);
            data.copy(shared, 0, at, at + n);
            yield shared.subarray(0, n);
            shared.fill(0xee); // what a buffer-keeping consumer would write instead
          }
        },
      };
    }
  })();
}

function tarFiles(tar: Buffer): Map<string, Buffer> {
  const py = "import sys,tarfile,json\nt=tarfile.open(fileobj=sys.stdin.buffer, mode='r|')\nd={}\nfor m in t:\n  if m.isfile(): d[m.name]=t.extractfile(m).read().hex()\nprint(json.dumps(d))";
  const out = JSON.parse(execFileSync('python3', ['-c', py], { input: tar, maxBuffer: 1 << 26 }).toString()) as Record<string, string>;
  return new Map(Object.entries(out).map(([k, v]) => [k, Buffer.from(v, 'hex')]));
}

function expectContents(files: Map<string, Buffer>): void {
  for (const [i, size] of SIZES.entries()) expect(files.get(`d/f${i}`)?.equals(content(i, size)), `f${i}`).toBe(true);
}

describe('transient bodies', () => {
  it('writeTar with recycle copies every chunk and reuses its own buffers', async () => {
    const file = join(work, 'recycled.tar');
    const bytes = await writeTar(transientEntries(), createWriteStream(file), { recycle: true });
    const tar = readFileSync(file);
    expect(bytes).toBe(tar.length);
    expectContents(tarFiles(tar));
  });

  it.each([['plain.tar'], ['packed.tar.gz']])('writeOutput tar (%s) with transientBodies', async (name) => {
    const path = join(work, name);
    await writeOutput(() => transientEntries(), { format: 'tar', path, config: CONFIG, tmpDir: work, transientBodies: true });
    const raw = readFileSync(path);
    expectContents(tarFiles(name.endsWith('.gz') ? gunzipSync(raw) : raw));
  });

  it('writeOutput dir with transientBodies', async () => {
    const path = join(work, 'rootfs');
    await writeOutput(() => transientEntries(), { format: 'dir', path, config: CONFIG, tmpDir: work, transientBodies: true, privileged: false });
    for (const [i, size] of SIZES.entries()) expect(readFileSync(join(path, `d/f${i}`)).equals(content(i, size))).toBe(true);
  });

  it('writeOutput docker-archive with transientBodies', async () => {
    const path = join(work, 'img.docker.tar');
    await writeOutput(() => transientEntries(), { format: 'docker-archive', path, config: CONFIG, tmpDir: work, transientBodies: true });
    const outer = tarFiles(readFileSync(path));
    const layer = [...outer].find(([k]) => k.endsWith('layer.tar') || k.includes('blobs/'));
    expect(layer).toBeDefined();
    expectContents(tarFiles(layer![1]));
  });
});

describe('SpoolReader', () => {
  it('serves slices from one reused buffer and deletes a spool after its last expected read', () => {
    const spool = join(work, 'a.spool');
    const data = content(9, 3_000_000);
    writeFileSync(spool, data);
    const slices: [number, number][] = [[0, 10], [10, 5000], [5010, 200_000], [205_010, 1_500_000], [1_705_010, 1_294_990]];
    const r = new SpoolReader({ reuse: true });
    for (const [, ] of slices) r.expect(spool);
    for (const [off, len] of slices) {
      const parts: Buffer[] = [];
      for (const c of r.read(spool, off, len)) parts.push(Buffer.from(c)); // copy before the next chunk, as the outputs do
      expect(Buffer.concat(parts).equals(data.subarray(off, off + len)), `${off}+${len}`).toBe(true);
    }
    expect(() => readFileSync(spool)).toThrow(/ENOENT/);
    r.close();
  });

  it('a spool shorter than recorded is an error, not a short file', () => {
    const spool = join(work, 'short.spool');
    writeFileSync(spool, content(1, 100));
    const r = new SpoolReader({ reuse: true });
    expect(() => [...r.read(spool, 50, 2_000_000)]).toThrow(/shorter than recorded/);
    r.close();
  });
});
