// .xz through the host's `xz -dc` against lzma-native: the same bytes, the same errors (code and
// message), bounded by the caller's limit, and no child left running whatever stops the stream.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { unxz } from '../../src/decompress/codecs.js';
import { decompress } from '../../src/decompress/index.js';
import { XZ_CHILD_MIN_OUT, hostXzUsable, unxzChild, xzDecoder } from '../../src/decompress/xzchild.js';
import { RfsError, isRfsError } from '../../src/errors/index.js';
import { chunksOf, concat } from '../../src/util/bytes.js';

const plain = Buffer.concat([Buffer.from('rootfs-assemble xz child\n'.repeat(30000)), randomBytes(200_000)]);
const xz = (args: string[], input: Uint8Array = plain): Uint8Array => new Uint8Array(execFileSync('xz', ['-c', '-T1', ...args], { input, maxBuffer: 1 << 28 }));

async function* gen(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  yield* chunksOf(bytes, size);
}

async function outcome(src: AsyncIterable<Uint8Array>): Promise<{ code: string; message: string; out?: Buffer }> {
  const parts: Uint8Array[] = [];
  try {
    for await (const c of src) parts.push(c);
    return { code: 'ok', message: '', out: Buffer.from(concat(parts)) };
  } catch (e) {
    return isRfsError(e) ? { code: e.code, message: e.message } : { code: 'non-RfsError', message: String(e) };
  }
}

/** pids of this process's xz children (zombies included: they would be the leak) */
function xzChildren(): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).flatMap((d) => {
    try {
      const s = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      return s.includes('(xz)') && Number(f[1]) === process.pid ? [Number(d)] : [];
    } catch {
      return [];
    }
  });
}

async function noXzChildrenSoon(): Promise<number[]> {
  for (let i = 0; i < 50 && xzChildren().length > 0; i++) await new Promise((r) => setTimeout(r, 20));
  return xzChildren();
}

describe.skipIf(!hostXzUsable())('xz through a child process', () => {
  it('gives the bytes lzma-native gives, for every check, concatenated streams and padding', async () => {
    const two = concat([xz(['-C', 'crc32']), new Uint8Array(8), xz(['-6', '-C', 'sha256'], plain.subarray(0, 1000))]);
    for (const packed of [xz(['-C', 'sha256']), xz(['-0', '-C', 'none']), xz(['-9', '-C', 'crc64']), two]) {
      for (const skip of [false, true]) {
        const a = await outcome(unxzChild(gen(packed, 5000), skip));
        const b = await outcome(unxz(gen(packed, 5000), skip));
        expect(a.code).toBe('ok');
        expect(a.out?.equals(b.out ?? Buffer.alloc(0))).toBe(true);
      }
    }
  });

  it('fails with the code and message lzma-native gives: cuts, damage, trailing junk, not xz', async () => {
    const packed = xz(['-C', 'sha256']);
    const cases: [string, Uint8Array][] = [];
    for (const at of [1, 5, 6, 11, 12, 13, 100, packed.length >> 1, packed.length - 13, packed.length - 1]) cases.push([`cut at ${at}`, packed.subarray(0, at)]);
    for (const at of [200, packed.length >> 1, packed.length - 40]) {
      const bad = packed.slice();
      bad[at] = bad[at]! ^ 0x55;
      cases.push([`byte ${at} flipped`, bad]);
    }
    cases.push(['junk after the stream', concat([packed, Buffer.from('junk')])]);
    cases.push(['not xz', Buffer.from('this is not xz at all, just text')]);
    const differ: string[] = [];
    for (const [what, bytes] of cases) {
      const a = await outcome(decompress(gen(bytes, 4096), 'xz', { subject: 'p.rpm' }));
      const b = await outcome(unxz(gen(bytes, 4096)));
      if (a.code !== 'RFS_DECOMPRESS' || a.message !== b.message) differ.push(`${what}: child ${a.code} ${a.message} | native ${b.code} ${b.message}`);
    }
    expect(differ).toEqual([]);
    expect(await noXzChildrenSoon()).toEqual([]);
  });

  it('stops a bomb at the caller limit with RFS_SIZE_LIMIT and kills the child', async () => {
    const bomb = xz(['-0', '-C', 'sha256'], new Uint8Array(256 << 20));
    expect(bomb.length).toBeLessThan(100_000);
    const before = process.memoryUsage().rss;
    const r = await outcome(decompress(gen(bomb, 4096), 'xz', { maxBytes: 4 << 20 }));
    expect(r.code).toBe('RFS_SIZE_LIMIT');
    expect(process.memoryUsage().rss - before).toBeLessThan(64 << 20);
    expect(await noXzChildrenSoon()).toEqual([]);
  });

  it('kills the child when the consumer stops early, and passes an input error on as it is', async () => {
    for await (const c of unxzChild(gen(xz([]), 1000))) {
      expect(c.length).toBeGreaterThan(0);
      break;
    }
    expect(await noXzChildrenSoon()).toEqual([]);
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield xz([]).subarray(0, 3000);
      throw new RfsError('RFS_FETCH_FAILED', 'connection reset');
    }
    const r = await outcome(unxzChild(failing()));
    expect([r.code, r.message]).toEqual(['RFS_FETCH_FAILED', 'connection reset']);
    expect(await noXzChildrenSoon()).toEqual([]);
  });

  const dist = new URL('../../dist/decompress/xzchild.js', import.meta.url).pathname;
  it.skipIf(!existsSync(dist))('leaves no xz running when its parent is killed mid-stream (needs dist/)', async () => {
    const script = `
      const { unxzChild } = await import(${JSON.stringify(dist)});
      async function* slow() { yield ${JSON.stringify([...xz([]).subarray(0, 2000)])}.reduce((b, x, i) => (b[i] = x, b), new Uint8Array(2000)); await new Promise(() => {}); }
      const it = unxzChild(slow());
      void it.next();
      setTimeout(() => process.stdout.write('started\\n'), 300);
      setInterval(() => {}, 1000);`;
    const node = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((r) => node.stdout.once('data', () => r()));
    const pids = spawnSync('pgrep', ['-P', String(node.pid), '-x', 'xz'], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).map(Number);
    expect(pids.length).toBe(1);
    node.kill('SIGKILL');
    const alive = (pid: number): boolean => {
      try {
        return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 100 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 20));
    expect(pids.filter(alive)).toEqual([]);
  });

  it('is chosen for large streams, RFS_XZ forces either, a bad value is a usage error', () => {
    expect(xzDecoder(XZ_CHILD_MIN_OUT, {})).toBe('child');
    expect(xzDecoder(XZ_CHILD_MIN_OUT - 1, {})).toBe('native');
    expect(xzDecoder(1, { RFS_XZ: 'child' })).toBe('child');
    expect(xzDecoder(XZ_CHILD_MIN_OUT, { RFS_XZ: 'native' })).toBe('native');
    expect(() => xzDecoder(1, { RFS_XZ: 'fast' })).toThrow(expect.objectContaining({ code: 'RFS_USAGE' }));
  });
});
