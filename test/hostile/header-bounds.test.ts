// Hostile packages, header sizes: a crafted rpm listing more files than any real package, and
// headers whose intro claims 2^31 tags or 4 GiB of data. The real CLI refuses each with
// RFS_RPM_BAD_HEADER (exit 5) before the cost lands: peak RSS stays far under the 400 MB.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, run } from '../e2e/helpers.js';
import { tempDir } from '../helpers/temp-dir.js';
import { craftRpm } from '../rpm/craft.js';
import { MAX_ARRAY_ENTRIES } from '../../src/rpm/meta.js';

const built = existsSync(join(ROOT, 'dist', 'rpm', 'inspect.js'));
const PRELOAD = pathToFileURL(join(__dirname, 'hwm-preload.mjs')).href;
const RSS_LIMIT_KB = 400 * 1024;

describe.skipIf(!built)(`rpm header bounds${built ? '' : ' (skipped: dist/ not built)'}`, () => {
  const tmp = tempDir('rfs-hostile-hdr-');
  let n = 0;
  let small: Uint8Array = new Uint8Array();
  beforeAll(() => {
    small = craftRpm({ name: 'small', files: [{ path: '/usr/bin/ok', content: 'ok' }] });
  });
  afterAll(() => tmp.cleanup());

  const inspect = async (bytes: Uint8Array, args: string[] = []): Promise<{ code: number; stderr: string; hwmKb: number }> => {
    const file = join(tmp.dir, `p${++n}.rpm`);
    const hwm = join(tmp.dir, `hwm${n}`);
    writeFileSync(file, bytes);
    const r = await run(process.execPath, ['--import', PRELOAD, BIN, 'inspect', file, ...args], { ...process.env, RFS_DEBUG: '', RFS_HWM_FILE: hwm });
    return { code: r.code, stderr: r.stderr, hwmKb: Number(readFileSync(hwm, 'utf8')) };
  };

  it('a package listing more files than any real one is refused before its file list is decoded', async () => {
    // the paths are all the header holds; the archive is left empty
    const files = Array.from({ length: MAX_ARRAY_ENTRIES + 1 }, (_, i) => ({ path: `/usr/share/x/d${i % 1000}/f${i}`, content: '', archiveName: null }));
    const r = await inspect(craftRpm({ name: 'many', files }));
    expect(r.stderr).toMatch(/error RFS_RPM_BAD_HEADER: reading rpm header: 200001 files, more than the 200000 any real package has/);
    expect(r.code).toBe(5);
    // 300k decoded files cost 460 MB before the bound
    expect(r.hwmKb).toBeLessThan(RSS_LIMIT_KB / 2);
  }, 120_000);

  it('a package at the bound is still read', async () => {
    const files = Array.from({ length: 20_000 }, (_, i) => ({ path: `/usr/share/y/f${i}`, content: '', archiveName: null }));
    const r = await inspect(craftRpm({ name: 'fine', files }), ['--header-only']);
    expect(r.stderr).not.toMatch(/RFS_RPM_BAD_HEADER/);
    expect(r.code).toBe(0);
  }, 60_000);

  // lead (96 bytes), then the signature header: magic (8), il at +8, dl at +12
  const SIG_INTRO = 96 + 8;
  it.each([
    ['signature header claiming 2^31 tags', SIG_INTRO, 0x8000_0000, /no\. of tags \(2147483648\) out of range/],
    ['signature header claiming 4 GiB of data', SIG_INTRO + 4, 0xffff_ffff, /no\. of bytes \(4294967295\) out of range/],
  ] as const)('%s fails before anything is allocated', async (_what, at, value, msg) => {
    const b = Uint8Array.from(small);
    new DataView(b.buffer).setUint32(at, value);
    const r = await inspect(b);
    expect(r.stderr).toMatch(msg);
    expect(r.stderr).toMatch(/error RFS_RPM_BAD_HEADER/);
    expect(r.code).toBe(5);
    expect(r.hwmKb).toBeLessThan(RSS_LIMIT_KB / 4);
  });

  it('a main header claiming 2^31 tags fails the same way', async () => {
    const b = Uint8Array.from(small);
    const v = new DataView(b.buffer);
    const sigLen = 16 + 16 * v.getUint32(SIG_INTRO) + v.getUint32(SIG_INTRO + 4);
    const main = 96 + sigLen + ((8 - (sigLen % 8)) % 8);
    expect([...b.subarray(main, main + 3)]).toEqual([0x8e, 0xad, 0xe8]);
    v.setUint32(main + 8, 0x8000_0000);
    const r = await inspect(b);
    expect(r.stderr).toMatch(/error RFS_RPM_BAD_HEADER: .*no\. of tags \(2147483648\) out of range/);
    expect(r.code).toBe(5);
  });
});
