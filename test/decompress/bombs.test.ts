// Decompression bombs and cut-short input, for every codec, made with the real tools: the limit
// must hold while the data streams (memory stays near the limit, not the bomb's expanded size),
// and truncated or damaged input must give RFS_DECOMPRESS, never a raw JS error.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decompress, outputLimit, HARD_CAP, type Codec } from '../../src/decompress/index.js';
import { chunksOf, concat } from '../../src/util/bytes.js';
import { isRfsError } from '../../src/errors/index.js';
import { TOOLS } from './tools.js';
import { metadataError } from '../../src/metadata/stream.js';
import { ZstdFrameWalker } from '../../src/decompress/zstdframes.js';
import { XzChunkWalker } from '../../src/decompress/xzchunks.js';

const have = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const MB = 1024 * 1024;

/** `tool args` over n MiB of zeros, without holding the zeros in this process */
function packZeros(tool: string, args: string[], mib: number): Uint8Array {
  return new Uint8Array(execFileSync('sh', ['-c', `head -c ${mib * MB} /dev/zero | ${tool} ${args.join(' ')}`], { maxBuffer: 1 << 28 }));
}

// Each bomb: 64 MiB of zeros packed by the tool, repeated 16 times as concatenated members /
// streams / frames -> 1 GiB from a few hundred kB at most. xz and .lzma as one 512 MiB stream:
// lzma-native's Transform cut its input at xz stream ends, which hid concatenated bombs.
const BOMBS: [Codec, string, string[], number, number][] = [
  ['gzip', 'gzip', ['-9', '-c'], 64, 16],
  ['bzip2', 'bzip2', ['-9', '-c'], 64, 16],
  ['xz', 'xz', ['-0', '-T1', '-c', '-C', 'sha256'], 512, 1],
  ['xz', 'xz', ['-9', '-T1', '-c', '-C', 'crc64'], 64, 16], // streams after the first index: fixed slices
  ['lzma', 'xz', ['--format=lzma', '-0', '-c'], 512, 1],
  ['zstd', 'zstd', ['-19', '-q', '-c'], 64, 16],
];

async function* gen(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  yield* chunksOf(bytes, size);
}

async function outcome(src: AsyncIterable<Uint8Array>): Promise<{ code: string; bytes: number; message: string }> {
  let bytes = 0;
  try {
    for await (const c of src) bytes += c.length;
    return { code: 'ok', bytes, message: '' };
  } catch (e) {
    return isRfsError(e) ? { code: e.code, bytes, message: e.message } : { code: `non-RfsError ${String(e)}`, bytes, message: String(e) };
  }
}

/** Peak growth of rss and of ArrayBuffer memory while `fn` runs, sampled on every chunk via `sample`. */
async function peakGrowth<T>(fn: (sample: () => void) => Promise<T>): Promise<{ result: T; rss: number; ab: number }> {
  global.gc?.();
  const m0 = process.memoryUsage();
  let rss = 0;
  let ab = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss - m0.rss);
    ab = Math.max(ab, m.arrayBuffers - m0.arrayBuffers);
  };
  const result = await fn(sample);
  sample();
  return { result, rss, ab };
}

describe('decompression bombs', () => {
  for (const [codec, tool, args, mib, times] of BOMBS) {
    it.skipIf(!have(tool))(`${codec} (${mib} MiB x ${times}): the bomb stops at the limit with memory near the limit, not the bomb`, async () => {
      const one = packZeros(tool, args, mib);
      const bomb = concat(Array.from({ length: times }, () => one));
      expect(bomb.length).toBeLessThan(8 * MB);
      const limit = 32 * MB;
      // the whole bomb in one chunk: the worst case for a decoder that expands what it is given
      const { result, rss, ab } = await peakGrowth(async (sample) => {
        let bytes = 0;
        try {
          for await (const c of decompress(gen(bomb, bomb.length), undefined, { maxBytes: limit, subject: `bomb.${codec}` })) {
            bytes += c.length;
            sample();
          }
          return { code: 'ok', bytes, subject: '' };
        } catch (e) {
          return { code: isRfsError(e) ? e.code : String(e), bytes, subject: isRfsError(e) ? e.subject : '' };
        }
      });
      expect(result.code).toBe('RFS_SIZE_LIMIT');
      expect(result.subject).toBe(`bomb.${codec}`);
      expect(result.bytes).toBeLessThanOrEqual(limit);
      // loose: the limit (32 MiB) plus one decoder step (<= ~15 MB) plus garbage not yet collected
      expect(ab, `arrayBuffers grew ${ab >> 20} MiB`).toBeLessThan(160 * MB);
      expect(rss, `rss grew ${rss >> 20} MiB`).toBeLessThan(240 * MB);
    }, 120_000);
  }

  it('a declared size gives a limit with a small margin; nothing declared gives the hard cap', () => {
    expect(outputLimit(undefined)).toBe(HARD_CAP);
    expect(outputLimit(1000)).toBe(1000 + 64 * 1024);
    expect(outputLimit(640 * MB)).toBe(650 * MB);
    expect(outputLimit(100 * 1024 ** 3)).toBe(HARD_CAP);
    expect(outputLimit(1000, 500)).toBe(500);
    expect(outputLimit(Number.NaN)).toBe(HARD_CAP);
  });
});

// text-like and random content, so that the compressed stream has every kind of structure
const plain = Buffer.concat([Buffer.from('<package type="rpm"><name>rootfs</name></package>\n'.repeat(4000)), randomBytes(60_000)]);


/** cut points: every byte of the first 64 and last 64, and 40 spread over the middle */
function cuts(n: number): number[] {
  const s = new Set<number>();
  for (let i = 1; i < Math.min(64, n); i++) s.add(i);
  for (let i = Math.max(1, n - 64); i < n; i++) s.add(i);
  for (let k = 1; k < 40; k++) s.add(Math.floor((n * k) / 40));
  return [...s].filter((x) => x > 0 && x < n).sort((a, b) => a - b);
}

describe('truncated and damaged input', () => {
  for (const [codec, tool, args] of TOOLS) {
    describe.skipIf(!have(tool))(codec, () => {
      const packed = new Uint8Array(execFileSync(tool, args, { input: plain, maxBuffer: 1 << 26 }));

      it('every cut gives RFS_DECOMPRESS with a clear message, named codec and subject', async () => {
        const bad: string[] = [];
        for (const at of cuts(packed.length)) {
          for (const sniff of [true, false]) {
            const r = await outcome(decompress(gen(packed.subarray(0, at), 777), sniff ? undefined : codec, { subject: `f.${codec}` }));
            if (sniff && at < 6 && r.code === 'ok') continue; // too short to recognise: passed through as plain data
            if (r.code !== 'RFS_DECOMPRESS' || !r.message.startsWith(`decompressing ${codec}: `) || /undefined|TypeError|Cannot read/.test(r.message)) {
              bad.push(`cut at ${at}/${packed.length}${sniff ? ' (sniffed)' : ''}: ${r.code} ${r.message}`);
            }
          }
        }
        expect(bad).toEqual([]);
      }, 120_000);

      it('cut short as metadata, it reads as RFS_METADATA_TRUNCATED', async () => {
        for (const at of [1, packed.length >> 1, packed.length - 1]) {
          let err: unknown;
          try {
            for await (const _ of decompress(gen(packed.subarray(0, at), 4096), codec, { subject: 'http://m/primary.xml' }));
          } catch (e) {
            err = e;
          }
          const m = metadataError(err, { url: 'http://m/primary.xml', repo: 'r' }, 'primary.xml');
          expect([at, m.code, m.message]).toEqual([at, 'RFS_METADATA_TRUNCATED', expect.stringMatching(/^reading primary.xml of repo r: decompressing /)]);
        }
      });

      it('damaged bytes anywhere give the right output or RFS_DECOMPRESS, never another error', async () => {
        const bad: string[] = [];
        for (const at of cuts(packed.length)) {
          const b = packed.slice();
          b[at] = b[at]! ^ 0x5a;
          const r = await outcome(decompress(gen(b, 4096), codec, { maxBytes: plain.length * 4 }));
          if (r.code !== 'ok' && r.code !== 'RFS_DECOMPRESS' && r.code !== 'RFS_SIZE_LIMIT') bad.push(`flip at ${at}: ${r.code} ${r.message}`);
        }
        expect(bad).toEqual([]);
      }, 120_000);
    });
  }
});

describe.skipIf(!have('bzip2'))('bzip2 decoder', () => {
  const one = Buffer.from('bzip2 '.repeat(50_000));
  it('reads every block size, concatenated streams, and runs of every length', async () => {
    const runs = Buffer.concat(Array.from({ length: 300 }, (_, i) => Buffer.alloc(i, i & 0xff)));
    for (const level of [1, 5, 9]) {
      const a = execFileSync('bzip2', [`-${level}`, '-c'], { input: one });
      const b = execFileSync('bzip2', [`-${level}`, '-c'], { input: runs });
      const out: Uint8Array[] = [];
      for await (const c of decompress(gen(Buffer.concat([a, b]), 1000))) out.push(c);
      expect(Buffer.from(concat(out)).equals(Buffer.concat([one, runs]))).toBe(true);
    }
  });

  it('refuses data after the end of the stream and a wrong block CRC', async () => {
    const a = execFileSync('bzip2', ['-c'], { input: one });
    const trailing = await outcome(decompress(gen(Buffer.concat([a, Buffer.from('garbage!')]), 4096)));
    expect([trailing.code, trailing.message]).toEqual(['RFS_DECOMPRESS', 'decompressing bzip2: data after the end of the stream']);
    const crc = Buffer.from(a);
    crc[10] = crc[10]! ^ 1; // inside the first block's stored CRC
    const r = await outcome(decompress(gen(crc, 4096)));
    expect([r.code, r.message]).toEqual(['RFS_DECOMPRESS', 'decompressing bzip2: block CRC mismatch (corrupt data)']);
  });
});

describe('zstd frame walker slicing', () => {
  // a frame of n RLE blocks of 128 KiB each (4 bytes apiece): 32,768:1, libzstd's worst case
  function rleFrame(n: number): Uint8Array {
    const b: number[] = [0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38]; // magic; no content size; window 2^(10+7) = 128 KiB
    for (let i = 0; i < n; i++) {
      const h = ((128 * 1024) << 3) | (1 << 1) | (i === n - 1 ? 1 : 0);
      b.push(h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff, 0x61);
    }
    return new Uint8Array(b);
  }

  it('cuts the input so that one decoder call can produce at most the step bound', () => {
    const frame = rleFrame(1000);
    const w = new ZstdFrameWalker();
    const ends: number[] = [];
    for (let off = 0; off < frame.length; ) {
      off = w.take(frame, off, 4 * MB);
      ends.push(off);
    }
    w.finish();
    // 32 blocks of 128 KiB per slice: the cut falls right before the byte completing the 33rd header
    expect(ends[0]).toBe(6 + 32 * 4 + 2);
    expect(ends.length).toBe(Math.ceil(1000 / 32));
  });

  it('a 1 GiB frame of RLE blocks (32 kB) stops at the limit, memory near the limit', async () => {
    const frame = rleFrame(8192);
    const before = process.memoryUsage().arrayBuffers;
    let peak = 0;
    const r = await outcome((async function* () {
      for await (const c of decompress(gen(frame, frame.length), 'zstd', { maxBytes: 16 * MB })) {
        peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
        yield c;
      }
    })());
    expect(r.code).toBe('RFS_SIZE_LIMIT');
    expect(peak).toBeLessThan(64 * MB);
    // and the frame is valid zstd: with room for it, all of it comes out
    let n = 0;
    for await (const c of decompress(gen(rleFrame(64), 1 << 16), 'zstd')) n += c.length;
    expect(n).toBe(64 * 128 * 1024);
  });
});

describe.skipIf(!have('xz'))('xz chunk walker', () => {
  it('cuts normal data into few, large slices, and reaches the index', () => {
    const data = Buffer.concat([randomBytes(3 * MB), Buffer.from('text '.repeat(600_000))]);
    for (const args of [['-6'], ['-0', '-C', 'none'], ['-9', '-C', 'sha256'], ['--x86', '--lzma2=preset=6', '-C', 'crc32']]) {
      const packed = new Uint8Array(execFileSync('xz', ['-c', '-T1', ...args], { input: data, maxBuffer: 1 << 26 }));
      const w = new XzChunkWalker(2048);
      let slices = 0;
      let off = 0;
      // everything up to the index in slices of <= 4 MiB output: 6 MB of output -> 2-4 slices
      while (off < packed.length) {
        const end = w.take(packed, off, 4 * MB);
        expect(end).toBeGreaterThan(off);
        off = end;
        slices++;
      }
      expect(slices, args.join(' ')).toBeLessThan(12);
    }
  });

  it('refuses what is not xz', () => {
    expect(() => new XzChunkWalker(2048).take(new Uint8Array(20), 0, 4 * MB)).toThrow(/bad stream header/);
  });
});
