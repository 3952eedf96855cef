// Header validation as rpm's header.cc does it, on headers built byte by byte.
import { describe, expect, it } from 'vitest';
import { Header } from '../../src/rpm/index.js';
import { isRfsError } from '../../src/errors/index.js';

interface E { tag: number; type: number; data: Uint8Array; count: number }
const str = (s: string): Uint8Array => new TextEncoder().encode(s + '\0');
const u32 = (...v: number[]): Uint8Array => {
  const b = new Uint8Array(4 * v.length);
  v.forEach((x, i) => new DataView(b.buffer).setUint32(4 * i, x));
  return b;
};

/** A package main header with region 63, entries laid out as rpmbuild does. */
function build(entries: E[], opts: { region?: boolean } = {}): { bytes: Uint8Array; index: DataView; dataStart: number } {
  const region = opts.region ?? true;
  const parts: Uint8Array[] = [];
  const idx: [number, number, number, number][] = [];
  let dl = 0;
  for (const e of entries) {
    const align = [0, 1, 1, 2, 4, 8, 1, 1, 1, 1][e.type]!;
    while (dl % align) (parts.push(new Uint8Array(1)), dl++);
    idx.push([e.tag, e.type, dl, e.count]);
    parts.push(e.data);
    dl += e.data.length;
  }
  const il = entries.length + (region ? 1 : 0);
  if (region) {
    idx.unshift([63, 7, dl, 16]);
    parts.push(u32(63, 7, (-16 * il) >>> 0, 16));
    dl += 16;
  }
  const out = new Uint8Array(16 + 16 * il + dl);
  out.set([0x8e, 0xad, 0xe8, 1, 0, 0, 0, 0]);
  const v = new DataView(out.buffer);
  v.setUint32(8, il);
  v.setUint32(12, dl);
  idx.forEach((e, i) => e.forEach((x, j) => v.setUint32(16 + 16 * i + 4 * j, x >>> 0)));
  let o = 16 + 16 * il;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return { bytes: out, index: new DataView(out.buffer, 16), dataStart: 16 + 16 * il };
}

const GOOD: E[] = [
  { tag: 1000, type: 6, data: str('foo'), count: 1 },
  { tag: 1004, type: 9, data: str('a summary'), count: 1 },
  { tag: 1028, type: 4, data: u32(1, 2), count: 2 },
  { tag: 1030, type: 3, data: Uint8Array.of(0x81, 0xa4, 0x41, 0xed), count: 2 },
  { tag: 1047, type: 8, data: new Uint8Array([...str('foo'), ...str('bar')]), count: 2 },
  { tag: 5008, type: 5, data: new Uint8Array([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7]), count: 2 },
];

function code(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (!isRfsError(e)) throw e;
    return e.code;
  }
}

describe('Header.parse', () => {
  it('reads every type', () => {
    const h = Header.parse(build(GOOD).bytes);
    expect(h.region).toEqual({ tag: 63, ril: 7, rdl: h.dl });
    expect(h.string(1000)).toBe('foo');
    expect(h.string(1004)).toBe('a summary');
    expect(h.numbers(1028)).toEqual([1, 2]);
    expect(h.numbers(1030)).toEqual([0o100644, 0o40755]);
    expect(h.strings(1047)).toEqual(['foo', 'bar']);
    expect(h.bigints(5008)).toEqual([2n ** 32n, 7n]);
    expect(h.numbers(5008)).toEqual([2 ** 32, 7]);
    expect(h.has(1001)).toBe(false);
    expect(h.strings(1001)).toEqual([]);
    expect(h.blob.length).toBe(build(GOOD).bytes.length - 8);
  });

  it('reads a v3 header without region, and an rpmdb blob without magic', () => {
    const v3 = build(GOOD, { region: false }).bytes;
    expect(Header.parse(v3).region).toBeNull();
    const blob = build(GOOD).bytes.subarray(8);
    expect(Header.parse(blob, { magic: false }).string(1000)).toBe('foo');
    expect(code(() => Header.parse(new Uint8Array([...blob, 0]), { magic: false }))).toBe('RFS_RPM_BAD_HEADER');
  });

  const mutations: [string, (b: ReturnType<typeof build>) => void, string][] = [
    ['bad magic', (b) => (b.bytes[0] = 0), 'RFS_RPM_BAD_HEADER'],
    ['il over 0xffff', (b) => new DataView(b.bytes.buffer).setUint32(8, 0x10000), 'RFS_RPM_BAD_HEADER'],
    ['dl over 256 MiB', (b) => new DataView(b.bytes.buffer).setUint32(12, 0x10000000), 'RFS_RPM_BAD_HEADER'],
    ['dl beyond the bytes', (b) => new DataView(b.bytes.buffer).setUint32(12, 100000), 'RFS_RPM_TRUNCATED'],
    ['tag below 100', (b) => b.index.setUint32(16 * 1, 99), 'RFS_RPM_BAD_HEADER'],
    ['type 10', (b) => b.index.setUint32(16 * 3 + 4, 10), 'RFS_RPM_BAD_HEADER'],
    ['count 0', (b) => b.index.setUint32(16 * 3 + 12, 0), 'RFS_RPM_BAD_HEADER'],
    ['count beyond data', (b) => b.index.setUint32(16 * 3 + 12, 1000), 'RFS_RPM_BAD_HEADER'],
    ['misaligned INT32', (b) => b.index.setUint32(16 * 3 + 8, b.index.getUint32(16 * 3 + 8) + 1), 'RFS_RPM_BAD_HEADER'],
    ['offset beyond dl', (b) => b.index.setUint32(16 * 5 + 8, 0x7fff0000), 'RFS_RPM_BAD_HEADER'],
    ['negative offset', (b) => b.index.setInt32(16 * 1 + 8, -4), 'RFS_RPM_BAD_HEADER'],
    ['overlapping data', (b) => b.index.setUint32(16 * 2 + 8, 0), 'RFS_RPM_BAD_HEADER'],
    ['STRING with count 2', (b) => b.index.setUint32(16 * 1 + 12, 2), 'RFS_RPM_BAD_HEADER'],
    ['unterminated string', (b) => b.bytes.fill(0x41, b.dataStart + b.index.getUint32(16 * 5 + 8), b.dataStart + b.index.getUint32(16 * 6 + 8)), 'RFS_RPM_BAD_HEADER'],
    ['known tag with wrong type', (b) => b.index.setUint32(16 * 3 + 4, 3), 'RFS_RPM_BAD_HEADER'],
    ['region tag not BIN', (b) => b.index.setUint32(4, 4), 'RFS_RPM_BAD_HEADER'],
    ['region trailer tag', (b) => new DataView(b.bytes.buffer).setUint32(b.bytes.length - 16, 62), 'RFS_RPM_BAD_HEADER'],
    ['region trailer count', (b) => new DataView(b.bytes.buffer).setInt32(b.bytes.length - 8, -16 * 3), 'RFS_RPM_BAD_HEADER'],
    ['region too large', (b) => new DataView(b.bytes.buffer).setInt32(b.bytes.length - 8, -16 * 99), 'RFS_RPM_BAD_HEADER'],
  ];
  it.each(mutations)('%s -> %s', (_n, mutate, want) => {
    const b = build(GOOD);
    mutate(b);
    expect(code(() => Header.parse(b.bytes))).toBe(want);
  });

  it('rejects data that does not pack the way rpm re-lays it out (hdr load: BAD)', () => {
    const gap: E[] = [
      { tag: 1000, type: 6, data: new Uint8Array([...str('foo'), 0]), count: 1 },
      { tag: 1001, type: 6, data: str('1.0'), count: 1 },
    ];
    expect(code(() => Header.parse(build(gap).bytes))).toBe('RFS_RPM_BAD_HEADER');
    expect(code(() => Header.parse(build(gap.map((e) => ({ ...e, data: str(e.tag === 1000 ? 'foo' : '1.0') }))).bytes))).toBe('ok');
  });

  it('keeps the namespaces apart: signature limits il to 32', () => {
    const many: E[] = Array.from({ length: 40 }, (_, i) => ({ tag: 1000 + i, type: 7, data: Uint8Array.of(1), count: 1 }));
    const b = build(many, { region: false }).bytes;
    expect(code(() => Header.parse(b, { namespace: 'signature' }))).toBe('RFS_RPM_BAD_HEADER');
    expect(code(() => Header.parse(b, { namespace: 'main' }))).toBe('ok');
  });

  it('never throws anything but RfsError on random bytes', () => {
    let s = 1;
    const r = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const good = build(GOOD).bytes;
    for (let i = 0; i < 2000; i++) {
      const b = good.slice();
      for (let k = 0; k < 3; k++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
      const c = code(() => Header.parse(b));
      expect(['ok', 'RFS_RPM_BAD_HEADER', 'RFS_RPM_TRUNCATED']).toContain(c);
    }
  });
});
