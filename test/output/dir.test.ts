import { lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sidecarPath, writeOutput } from '../../src/assemble/output/index.js';
import { BUSYBOX, CONFIG, busyboxStream } from './rootfs.js';

const work = mkdtempSync(join(tmpdir(), 'rfs-dir-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(BUSYBOX === null)('format dir', () => {
  it('extracts modes, links and mtimes; records ownership, devices and caps in the sidecar', async () => {
    const path = join(work, 'rootfs');
    const r = await writeOutput(busyboxStream, { format: 'dir', path, config: CONFIG, tmpDir: work });
    expect(r.bytes).toBe(statSync(BUSYBOX!).size + 3 + statSync(join(path, 'etc/passwd')).size + statSync(join(path, 'etc/group')).size);
    expect(statSync(join(path, 'bin/su')).mode & 0o7777).toBe(0o4755);
    expect(statSync(join(path, 'tmp')).mode & 0o7777).toBe(0o1777);
    expect(readlinkSync(join(path, 'bin/sh'))).toBe('busybox');
    expect(statSync(join(path, 'bin/ping')).ino).toBe(statSync(join(path, 'bin/busybox')).ino);
    expect(statSync(join(path, 'bin/busybox')).mtimeMs).toBe(1_600_000_000_000);
    expect(statSync(join(path, 'var')).mtimeMs).toBe(1_600_000_000_000);
    // device nodes are made only as root (mknod); fifos always (mkfifo): test/assemble/dir-nodes.test.ts
    if (process.getuid?.() === 0) expect(lstatSync(join(path, 'dev/null')).isCharacterDevice()).toBe(true);
    else expect(() => lstatSync(join(path, 'dev/null'))).toThrow(/ENOENT/);
    expect(lstatSync(join(path, 'dev/initctl')).isFIFO()).toBe(true);

    const side = JSON.parse(readFileSync(sidecarPath(path), 'utf8'));
    expect(side).toMatchObject({ format: 'rootfs-assemble-ownership', version: 1, applied: { ownership: process.getuid?.() === 0, devices: process.getuid?.() === 0, fifos: true, xattrs: false } });
    const byPath = new Map<string, Record<string, unknown>>(side.entries.map((e: Record<string, unknown>) => [e.path, e]));
    expect(byPath.get('/dev/null')).toMatchObject({ type: 'char', devMajor: 1, devMinor: 3, mode: '666' });
    expect(byPath.get('/bin/su')).toMatchObject({ mode: '4755', xattrs: { 'security.capability': '0100000280200000000000000000000000000000' } });
    expect(byPath.get('/var/log')).toMatchObject({ uid: 65534, gid: 65534, uname: 'nobody' });
    if (process.getuid?.() === 0) expect(statSync(join(path, 'var/log')).uid).toBe(65534);
  });

  it('refuses to merge into a non-empty directory', async () => {
    await expect(writeOutput(busyboxStream, { format: 'dir', path: join(work, 'rootfs'), config: CONFIG, tmpDir: work }))
      .rejects.toMatchObject({ code: 'RFS_OUTPUT' });
  });
});
