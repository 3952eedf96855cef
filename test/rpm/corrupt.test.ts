// Damaged packages: every flip and every truncation ends in a specific RfsError, never a
// crash, hang or unbounded allocation; parsers fed 1-byte and random chunks agree.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRpm, type RpmPackage } from '../../src/rpm/index.js';
import { isRfsError } from '../../src/errors/index.js';
import { HAVE_REALDATA, RPMS } from './helpers.js';

const SAMPLES = ['rpm-testsuite/hello-2.0-1.x86_64.rpm', 'rpmlint/python311-pytest-xprocess-0.23.0-2.4.noarch.rpm', 'rpm-rs/v6/xz/rpm-basic-2.3.4-5.el9.noarch.rpm'];

async function readAll(src: Parameters<typeof openRpm>[0], opts = {}): Promise<{ pkg: RpmPackage; digest: string }> {
  const pkg = await openRpm(src, opts);
  const h = createHash('sha256');
  for await (const e of pkg.entries()) {
    h.update(e.file.path);
    for await (const c of e.content) h.update(c);
  }
  return { pkg, digest: h.digest('hex') };
}

async function codeOf(src: Uint8Array, opts = {}): Promise<string> {
  try {
    await readAll(src, opts);
    return 'ok';
  } catch (e) {
    if (!isRfsError(e)) throw e;
    return e.code;
  }
}

async function* chunked(bytes: Uint8Array, sizes: () => number): AsyncGenerator<Uint8Array> {
  for (let o = 0; o < bytes.length; ) {
    const n = Math.max(1, sizes());
    yield bytes.slice(o, o + n);
    o += n;
  }
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe.skipIf(!HAVE_REALDATA)('damaged packages', () => {
  for (const name of SAMPLES) {
    // read at collection time, so only when the describe is not skipped
    const bytes = HAVE_REALDATA ? new Uint8Array(readFileSync(join(RPMS, name))) : new Uint8Array(0);
    it(`${name}: truncation at every section boundary`, async () => {
      const pkg = await openRpm(bytes);
      const sigEnd = 96 + pkg.signatureBytes.length;
      const hdrStart = pkg.payloadOffset - pkg.headerBytes.length;
      const cuts: [number, string[]][] = [
        [0, ['RFS_RPM_TRUNCATED']],
        [50, ['RFS_RPM_TRUNCATED']],
        [96, ['RFS_RPM_TRUNCATED']],
        [104, ['RFS_RPM_TRUNCATED']],
        [sigEnd - 1, ['RFS_RPM_TRUNCATED']],
        [hdrStart, ['RFS_RPM_TRUNCATED']],
        [hdrStart + 20, ['RFS_RPM_TRUNCATED']],
        [pkg.payloadOffset - 1, ['RFS_RPM_TRUNCATED']],
        [pkg.payloadOffset, ['RFS_RPM_TRUNCATED']],
        [pkg.payloadOffset + 10, ['RFS_RPM_DIGEST_MISMATCH']],
        [bytes.length - 1, ['RFS_RPM_DIGEST_MISMATCH']],
      ];
      for (const [at, codes] of cuts) expect(codes, `cut at ${at}`).toContain(await codeOf(bytes.subarray(0, at)));
      // without digests the payload layer itself must notice
      for (const at of [pkg.payloadOffset + 10, Math.floor((pkg.payloadOffset + bytes.length) / 2), bytes.length - 1]) {
        expect(['RFS_DECOMPRESS', 'RFS_RPM_TRUNCATED', 'RFS_CPIO_MALFORMED'], `cut at ${at}`).toContain(
          await codeOf(bytes.subarray(0, at), { verify: false }),
        );
      }
    });

    it(`${name}: flipped bytes`, async () => {
      const pkg = await openRpm(bytes);
      const hdrStart = pkg.payloadOffset - pkg.headerBytes.length;
      const flip = (at: number): Uint8Array => {
        const b = bytes.slice();
        b[at] = b[at]! ^ 0x40;
        return b;
      };
      expect(await codeOf(flip(0))).toBe('RFS_RPM_BAD_LEAD');
      expect(await codeOf(flip(hdrStart + 1))).toBe('RFS_RPM_BAD_HEADER'); // magic
      expect(['RFS_RPM_BAD_HEADER', 'RFS_RPM_TRUNCATED']).toContain(await codeOf(flip(hdrStart + 9))); // il
      const desc = pkg.header.entry(1005)!; // DESCRIPTION text: still a valid header, wrong digest
      expect(await codeOf(flip(hdrStart + 16 + 16 * pkg.header.il + desc.offset))).toBe('RFS_RPM_DIGEST_MISMATCH');
      expect(await codeOf(flip(pkg.payloadOffset - 5))).toBe('RFS_RPM_BAD_HEADER'); // region trailer
      expect(await codeOf(flip(bytes.length - 20))).toBe('RFS_RPM_DIGEST_MISMATCH'); // payload
      // random flips anywhere: a specific error or (rarely, in ignored bytes) success, never a crash
      const r = rng(name.length);
      for (let i = 0; i < 60; i++) {
        const at = Math.floor(r() * bytes.length);
        const code = await codeOf(flip(at), { verify: i % 2 === 0 });
        expect(code.startsWith('RFS_') || code === 'ok', `flip at ${at}: ${code}`).toBe(true);
        expect(code).not.toBe('RFS_INTERNAL');
      }
    });

    it(`${name}: 1-byte and random chunks give the same result`, async () => {
      const whole = await readAll(bytes);
      const one = await readAll(chunked(bytes, () => 1));
      const r = rng(7);
      const random = await readAll(chunked(bytes, () => Math.floor(r() * 3000)));
      for (const x of [one, random]) {
        expect(x.digest).toBe(whole.digest);
        expect(x.pkg.meta).toEqual(whole.pkg.meta);
        expect(x.pkg.checks.map((c) => c.name).sort()).toEqual(whole.pkg.checks.map((c) => c.name).sort());
      }
    });
  }
});
