// An abort while a file write is in flight: the destroyed fs stream still reports that write
// (ERR_STREAM_DESTROYED) after writeTar stopped listening. It must surface as RFS_ABORTED from
// tarThrough, never as an uncaught 'error' event (that crashed the CLI with exit 1 and left
// the .partial behind).
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Duplex, PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SLICE, compressStages } from '../../src/assemble/output/compress.js';
import { writeOutput } from '../../src/assemble/output/index.js';
import { tarThrough } from '../../src/assemble/output/streams.js';
import type { TarEntry } from '../../src/tar/index.js';
import { tempDir } from '../helpers/temp-dir.js';
import { CONFIG } from './rootfs.js';

const scratch = tempDir('rfs-streams-abort-');
afterAll(() => scratch.cleanup());

/** one 64 MiB file whose body aborts `ac` after `after` chunks of 1 MiB */
function entries(ac: AbortController, after: number): () => AsyncIterable<TarEntry> {
  return async function* () {
    yield {
      path: '/big', type: 'file', mode: 0o644, uid: 0, gid: 0, uname: 'root', gname: 'root', mtime: 0, size: 64 << 20,
      body: async function* () {
        for (let i = 0; i < 64; i++) {
          if (i === after) ac.abort(new Error('SIGINT'));
          yield new Uint8Array(1 << 20).fill(i);
        }
      },
    };
  };
}

describe('abort with a write in flight', () => {
  it.each([1, 2, 5, 9, 17, 33])('after %i MiB: tarThrough rejects with RFS_ABORTED, nothing uncaught', async (after) => {
    const ac = new AbortController();
    const file = join(scratch.dir, `t${after}.tar`);
    const dest = createWriteStream(file, { highWaterMark: 4 << 20 });
    await expect(tarThrough(entries(ac, after)(), [], dest, ac.signal, { recycle: true })).rejects.toMatchObject({ code: 'RFS_ABORTED' });
    expect(dest.closed).toBe(true);
    // an error event the stream emits after this point would fail the run as an unhandled error
    await new Promise((r) => setTimeout(r, 50));
  }, 10_000);

  it('writeOutput (plain tar file) leaves no temp file', async () => {
    const dir = join(scratch.dir, 'out');
    for (const after of [1, 3, 8]) {
      const ac = new AbortController();
      await expect(writeOutput(entries(ac, after), {
        format: 'tar', path: join(dir, 'x.tar'), tmpDir: scratch.dir, signal: ac.signal, transientBodies: true,
        config: CONFIG,
      })).rejects.toMatchObject({ code: 'RFS_ABORTED' });
      await new Promise((r) => setTimeout(r, 50));
      expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
    }
  });
});

describe('compressors are fed in slices', () => {
  /** `input` as one chunk through `stages`; returns the output and the biggest chunk each stage after the first was handed */
  async function run(stages: Duplex[], input: Buffer): Promise<{ out: Buffer; biggest: number }> {
    const out: Buffer[] = [];
    let biggest = 0;
    const probe = stages[0]!;
    probe.on('data', (c: Buffer) => { biggest = Math.max(biggest, c.length); });
    await pipeline(Readable.from([input]), ...stages as [Duplex], new Writable({ write(c: Buffer, _e, cb) { out.push(c); cb(); } }));
    return { out: Buffer.concat(out), biggest };
  }
  // compressible text with random stretches, one 3 MiB chunk
  const input = Buffer.concat(Array.from({ length: 48 }, (_, i) => Buffer.concat([Buffer.from(`line ${i} `.repeat(4000)), randomBytes(20_000)])));

  it.each(['gzip', 'xz', 'zstd'] as const)('%s: the same bytes as one big chunk, no job bigger than a slice', async (kind) => {
    const sliced = await compressStages(kind);
    const { out, biggest } = await run(sliced, input);
    expect(biggest).toBe(SLICE);
    const whole = await run((await compressStages(kind)).slice(1), input);
    expect(out.equals(whole.out)).toBe(true);
  }, 60_000);

  it('xz in its child process: the bytes lzma-native makes in this process, and a destroy kills it', async () => {
    const lzma = await import('lzma-native');
    const inProcess = await run([new PassThrough(), Duplex.from(lzma.createCompressor({ preset: 6, threads: 1 }))], input);
    const child = await run(await compressStages('xz'), input);
    expect(child.out.equals(inProcess.out)).toBe(true);
    const [, xz] = await compressStages('xz');
    const t0 = Date.now();
    xz!.write(randomBytes(16 << 20)); // seconds of work for liblzma
    await new Promise((r) => setTimeout(r, 200));
    xz!.destroy();
    await new Promise((r) => xz!.once('close', r));
    expect(Date.now() - t0).toBeLessThan(2000);
  }, 60_000);

  it('xz: a failing child is an error, never a short output', async () => {
    const { XzChild } = await import('../../src/assemble/output/xz-child.js');
    const bad = new XzChild(join(scratch.dir, 'no-such-module.js'), 6);
    await expect(run([new PassThrough(), bad], input)).rejects.toThrow(/xz compressor exited 1/);
  });
});
