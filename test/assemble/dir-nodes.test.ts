// --format dir and special files: fifos are made with the host's mkfifo (no root needed); char and
// block devices with mknod when privileged (root), otherwise only recorded in the sidecar. The
// result says which.
import { lstatSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sidecarPath, writeOutput } from '../../src/assemble/output/index.js';
import type { ImageConfig } from '../../src/assemble/output/index.js';
import type { TarEntry } from '../../src/tar/index.js';

const work = mkdtempSync(join(tmpdir(), 'rfs-nodes-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const isRoot = process.getuid?.() === 0;
const CONFIG: ImageConfig = { architecture: 'x86_64', os: 'linux', env: [], labels: {}, created: '2020-09-13T12:26:40Z' };
const T = 1_600_000_000;
const base = { uid: 0, gid: 0, uname: 'root', gname: 'root', mtime: T, size: 0 };

async function* entries(): AsyncGenerator<TarEntry> {
  yield { ...base, path: '/dev', type: 'dir', mode: 0o755 };
  yield { ...base, path: '/dev/initctl', type: 'fifo', mode: 0o600, uid: 5, gid: 6 };
  yield { ...base, path: "/dev/it's a fifo", type: 'fifo', mode: 0o644 };
  yield { ...base, path: '/dev/null', type: 'char', mode: 0o666, devMajor: 1, devMinor: 3 };
  yield { ...base, path: '/dev/sda1', type: 'block', mode: 0o640, gid: 6, gname: 'disk', devMajor: 8, devMinor: 1 };
  yield { ...base, path: '/dev/zz', type: 'file', mode: 0o644, size: 2, body: () => new Uint8Array([1, 2]) };
}

const major = (rdev: number): number => ((rdev >> 8) & 0xfff);
const minor = (rdev: number): number => ((rdev & 0xff) | ((rdev >> 12) & 0xfff00));

describe('format dir: device nodes and fifos', () => {
  it('unprivileged: fifos are created, devices recorded only, and the result says so', async () => {
    const path = join(work, 'unpriv');
    const r = await writeOutput(entries, { format: 'dir', path, config: CONFIG, tmpDir: work, privileged: false });
    expect(r.nodes).toEqual({ created: 2, recorded: 2, devices: false, fifos: true });
    const fifo = lstatSync(join(path, 'dev/initctl'));
    expect(fifo.isFIFO()).toBe(true);
    expect(fifo.mode & 0o7777).toBe(0o600);
    expect(fifo.mtimeMs).toBe(T * 1000);
    expect(lstatSync(join(path, "dev/it's a fifo")).isFIFO()).toBe(true);
    expect(() => lstatSync(join(path, 'dev/null'))).toThrow(/ENOENT/);
    expect(() => lstatSync(join(path, 'dev/sda1'))).toThrow(/ENOENT/);
    expect(readFileSync(join(path, 'dev/zz'))).toEqual(Buffer.from([1, 2]));
    const side = JSON.parse(readFileSync(sidecarPath(path), 'utf8'));
    expect(side.applied).toEqual({ ownership: false, devices: false, fifos: true, xattrs: false });
    const byPath = new Map<string, Record<string, unknown>>(side.entries.map((e: Record<string, unknown>) => [e.path, e]));
    expect(byPath.get('/dev/null')).toMatchObject({ type: 'char', devMajor: 1, devMinor: 3, mode: '666' });
    expect(byPath.get('/dev/sda1')).toMatchObject({ type: 'block', devMajor: 8, devMinor: 1, gname: 'disk' });
  });

  it.skipIf(!isRoot)('as root: char and block devices are made with mknod, owners applied', async () => {
    const path = join(work, 'root');
    const r = await writeOutput(entries, { format: 'dir', path, config: CONFIG, tmpDir: work });
    expect(r.nodes).toEqual({ created: 4, recorded: 0, devices: true, fifos: true });
    const nul = lstatSync(join(path, 'dev/null'));
    expect(nul.isCharacterDevice()).toBe(true);
    expect([major(nul.rdev), minor(nul.rdev)]).toEqual([1, 3]);
    expect(nul.mode & 0o7777).toBe(0o666);
    const sda = lstatSync(join(path, 'dev/sda1'));
    expect(sda.isBlockDevice()).toBe(true);
    expect([major(sda.rdev), minor(sda.rdev), sda.gid, sda.mode & 0o7777]).toEqual([8, 1, 6, 0o640]);
    expect(sda.mtimeMs).toBe(T * 1000);
    const fifo = lstatSync(join(path, 'dev/initctl'));
    expect([fifo.isFIFO(), fifo.uid, fifo.gid]).toEqual([true, 5, 6]);
    const side = JSON.parse(readFileSync(sidecarPath(path), 'utf8'));
    expect(side.applied).toEqual({ ownership: true, devices: true, fifos: true, xattrs: false });
  });

  it('an abort while making nodes leaves nothing', async () => {
    const path = join(work, 'aborted');
    const ac = new AbortController();
    async function* slow(): AsyncGenerator<TarEntry> {
      yield* entries();
      ac.abort();
    }
    await expect(writeOutput(slow, { format: 'dir', path, config: CONFIG, tmpDir: work, signal: ac.signal, privileged: false }))
      .rejects.toMatchObject({ code: 'RFS_ABORTED' });
    expect(() => lstatSync(path)).toThrow(/ENOENT/);
    expect(() => lstatSync(sidecarPath(path))).toThrow(/ENOENT/);
  });
});
