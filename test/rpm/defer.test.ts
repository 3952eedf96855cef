// deferPayloadCheck: a path/bytes source is opened without the payload pre-pass; its payload
// digests are checked as entries() reads, and damage still fails the iteration.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRpm } from '../../src/rpm/index.js';
import { isRfsError } from '../../src/errors/index.js';
import { HAVE_REALDATA, RPMS } from './helpers.js';

const SAMPLES = ['rpm-testsuite/hello-2.0-1.x86_64.rpm', 'rpm-rs/v6/xz/rpm-basic-2.3.4-5.el9.noarch.rpm'];

async function digestOf(src: Uint8Array | string, opts: { deferPayloadCheck?: boolean }): Promise<{ digest: string; checks: string[] }> {
  const pkg = await openRpm(src, opts);
  const h = createHash('sha256');
  for await (const e of pkg.entries()) {
    h.update(e.file.path);
    for await (const c of e.content) h.update(c);
  }
  return { digest: h.digest('hex'), checks: pkg.checks.map((c) => c.name).sort() };
}

describe.skipIf(!HAVE_REALDATA)('deferPayloadCheck', () => {
  for (const name of SAMPLES) {
    it(`${name}: same entries and the same checks, made while reading`, async () => {
      const path = join(RPMS, name);
      const eager = await digestOf(path, {});
      const pkg = await openRpm(path, { deferPayloadCheck: true });
      const before = pkg.checks.map((c) => c.name);
      const lazy = await digestOf(path, { deferPayloadCheck: true });
      expect(lazy).toEqual(eager);
      // payload checks are not done at open, only after the iteration
      expect(before.length).toBeLessThan(eager.checks.length);
    });

    it(`${name}: a damaged payload fails the iteration, not the open`, async () => {
      const bytes = new Uint8Array(readFileSync(join(RPMS, name)));
      const bad = bytes.slice();
      bad[bad.length - 1] = bad[bad.length - 1]! ^ 0xff;
      await expect(openRpm(bad)).rejects.toMatchObject({ code: 'RFS_RPM_DIGEST_MISMATCH' });
      const pkg = await openRpm(bad, { deferPayloadCheck: true });
      let code = 'ok';
      try {
        for await (const e of pkg.entries()) for await (const _ of e.content);
      } catch (e) {
        code = isRfsError(e) ? e.code : String(e);
      }
      expect(['RFS_RPM_DIGEST_MISMATCH', 'RFS_DECOMPRESS']).toContain(code);
    });
  }
});
