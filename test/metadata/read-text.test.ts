// readText copies ASCII chunks out as latin1 and hands the rest to a streaming UTF-8 decoder:
// the text must be what one decode of the whole file gives, whatever falls on chunk boundaries.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { readAll } from '../../src/metadata/stream.js';

const tmp = mkdtempSync(join(tmpdir(), 'rfs-readtext-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const CHUNK = 1 << 16; // gunzip's output step (decompress/codecs.ts)

/** `n` ASCII bytes with `insert` written at each of `at` */
function doc(n: number, inserts: [number, number[]][]): Buffer {
  const b = Buffer.alloc(n, 'a'.charCodeAt(0));
  for (const [at, bytes] of inserts) b.set(bytes, at);
  return b;
}

async function roundTrip(name: string, raw: Buffer): Promise<void> {
  const path = join(tmp, name);
  writeFileSync(path, gzipSync(raw));
  expect(await readAll(path)).toBe(new TextDecoder('utf-8').decode(raw));
}

describe('readText', () => {
  it('multi-byte characters split across chunk boundaries, after ASCII chunks', async () => {
    const euro = [0xe2, 0x82, 0xac]; const smile = [0xf0, 0x9f, 0x98, 0x80]; const e9 = [0xc3, 0xa9];
    const inserts: [number, number[]][] = [];
    // chunks 0-1 ASCII, then each later boundary cut inside a different character
    [[2, e9, 1], [3, euro, 1], [4, euro, 2], [5, smile, 1], [6, smile, 2], [7, smile, 3]].forEach(([k, bytes, before]) => {
      inserts.push([(k as number) * CHUNK - (before as number), bytes as number[]]);
    });
    await roundTrip('split.gz', doc(9 * CHUNK, inserts));
  });

  it('invalid and truncated sequences at boundaries give the same replacement characters', async () => {
    await roundTrip('bad.gz', doc(8 * CHUNK, [[2 * CHUNK - 1, [0xe2]], [3 * CHUNK - 2, [0xf0, 0x9f]], [4 * CHUNK - 1, [0x80]], [5 * CHUNK, [0xff, 0xc3]], [7 * CHUNK - 1, [0xc3]]]));
  });

  it('drops a BOM at the start only', async () => {
    await roundTrip('bom.gz', doc(4 * CHUNK, [[0, [0xef, 0xbb, 0xbf]], [2 * CHUNK, [0xef, 0xbb, 0xbf]]]));
    await roundTrip('bom2.gz', doc(4 * CHUNK, [[2 * CHUNK, [0xef, 0xbb, 0xbf]]]));
  });
});
