// `inspect` reads a package's payload from the file once: the digests, a header+payload
// signature and the archive listing share the pass (each used to read it again). Every read
// of the file the rpm reader starts is counted here.
import { statSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { inspectRpm } from '../../src/rpm/index.js';
import { FIXTURE_KEY, fixturePackage, fixturesAvailable } from '../helpers/fixtures.js';

const opened = vi.hoisted(() => [] as { start: number; bytes: number }[]);
vi.mock('../../src/util/file-chunks.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/util/file-chunks.js')>();
  return {
    async *fileChunks(path: string, start = 0): AsyncGenerator<Uint8Array> {
      const rec = { start, bytes: 0 };
      opened.push(rec);
      for await (const c of real.fileChunks(path, start)) {
        rec.bytes += c.length;
        yield c;
      }
    },
  };
});

const fx = fixturesAvailable();

describe.skipIf(!fx.ok)('inspect reads the payload once', () => {
  it('an el4 package with a verified header+payload signature and payload digests', async () => {
    const file = fixturePackage('el4-os', 'bash');
    opened.length = 0;
    const r = await inspectRpm(file, { gpgkeys: [FIXTURE_KEY] });
    expect(r.signatures.find((s) => s.covers === 'header+payload')?.verdict).toBe('verified');
    expect(r.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['size', 'payloadsha256']));
    expect(r.payload?.length).toBeGreaterThan(0);
    const payloadReads = opened.filter((o) => o.start > 0);
    expect(payloadReads).toHaveLength(1);
    const size = statSync(file).size;
    // the header read may run ahead into the payload by one chunk; the payload itself goes by once
    expect(payloadReads[0]!.bytes).toBe(size - payloadReads[0]!.start);
    expect(opened.reduce((n, o) => n + o.bytes, 0)).toBeLessThan(2 * size);
  });
});
