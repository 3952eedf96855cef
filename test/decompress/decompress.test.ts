// Sniffing and streaming decompression of every codec rpm payloads use, with limits.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decompress, sniffCodec, type Codec } from '../../src/decompress/index.js';
import { chunksOf, concat } from '../../src/util/bytes.js';
import { isRfsError } from '../../src/errors/index.js';
import { TOOLS } from './tools.js';

const have = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
// text-like and random content, so that both compress and the output is long enough to stream
const plain = Buffer.concat([Buffer.from('rootfs-assemble '.repeat(20000)), randomBytes(300000)]);


async function all(src: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of src) parts.push(c);
  return Buffer.from(concat(parts));
}

async function* gen(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  yield* chunksOf(bytes, size);
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return isRfsError(e) ? e.code : `non-RfsError: ${String(e)}`;
  }
}

describe('decompress', () => {
  for (const [codec, tool, args] of TOOLS) {
    describe.skipIf(!have(tool))(codec, () => {
      const packed = new Uint8Array(execFileSync(tool, args, { input: plain, maxBuffer: 1 << 26 }));
      it('is sniffed from its magic', () => expect(sniffCodec(packed.subarray(0, 6))).toBe(codec));
      it('round-trips, sniffed, in 1 MiB and 1000-byte chunks', async () => {
        expect((await all(decompress(gen(packed, 1 << 20)))).equals(plain)).toBe(true);
        expect((await all(decompress(gen(packed, 1000), codec))).equals(plain)).toBe(true);
      });
      it('yields chunks the caller may keep: intact later, no two sharing memory', async () => {
        const kept: Uint8Array[] = [];
        for await (const c of decompress(gen(packed, 4096), codec)) kept.push(c);
        expect(Buffer.from(concat(kept)).equals(plain)).toBe(true);
        const spans = kept.map((c) => [c.buffer, c.byteOffset, c.byteOffset + c.byteLength] as const);
        for (let i = 0; i < spans.length; i++) {
          for (let j = i + 1; j < spans.length; j++) {
            const [ab, s, e] = spans[i]!;
            const [ab2, s2, e2] = spans[j]!;
            expect(ab === ab2 && s < e2 && s2 < e, `chunks ${i} and ${j} overlap`).toBe(false);
          }
        }
      });
      it('stops at maxBytes with RFS_SIZE_LIMIT', async () => {
        expect(await code(all(decompress(gen(packed, 4096), codec, { maxBytes: 1000 })))).toBe('RFS_SIZE_LIMIT');
      });
      it('reports corrupt and truncated input as RFS_DECOMPRESS', async () => {
        const bad = packed.slice();
        for (let i = 40; i < bad.length - 40; i += 97) bad[i] = bad[i]! ^ 0x55;
        expect(await code(all(decompress(gen(bad, 4096), codec)))).toBe('RFS_DECOMPRESS');
        expect(await code(all(decompress(gen(packed.subarray(0, packed.length >> 1), 4096), codec)))).toBe('RFS_DECOMPRESS');
      });
    });
  }

  it('passes uncompressed data through', async () => {
    expect(sniffCodec(Buffer.from('070701'))).toBe('none');
    expect((await all(decompress(gen(plain, 777)))).equals(plain)).toBe(true);
  });

  it('does not read further than the consumer wants', async () => {
    let pulled = 0;
    async function* endless(): AsyncGenerator<Uint8Array> {
      for (;;) {
        pulled++;
        yield new Uint8Array(65536);
      }
    }
    for await (const c of decompress(endless(), 'none')) {
      expect(c.length).toBeGreaterThan(0);
      break;
    }
    expect(pulled).toBeLessThan(5);
  });
});
