// Seeded mutations for the bounded fuzz tests: a mulberry32 PRNG (no Math.random, so a failure
// is reproduced from seed + iteration) and byte-level and XML-aware mutators.
import { expect } from 'vitest';
import { isRfsError, EXIT_CODES } from '../../src/errors/index.js';

export type Rng = () => number;

/** mulberry32: tiny, fast, good enough to spread mutations; the same seed gives the same run. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The PRNG for one case: derived from (seed, iteration) alone, so any case replays by itself. */
export function caseRng(seed: number, iteration: number): Rng {
  return mulberry32((seed ^ Math.imul(iteration + 1, 0x9e3779b1)) >>> 0);
}

export const int = (rng: Rng, n: number): number => Math.floor(rng() * n);
export const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[int(rng, xs.length)]!;

const BOUNDARY = [0, 0xff, 0x7f, 0x80] as const;
export const HUGE32 = [0xffffffff, 0x80000000, 0x7fffffff, 0xfffffff0, 0x10000, 0x1000000, 0] as const;

export type ByteMutation = 'bitflip' | 'boundary' | 'truncate' | 'duplicate' | 'delete';
export const BYTE_MUTATIONS: readonly ByteMutation[] = ['bitflip', 'boundary', 'truncate', 'duplicate', 'delete'];

/** One generic mutation of `b` (a new array; `b` is left alone), within [from, to) when given. */
export function mutateBytes(rng: Rng, b: Uint8Array, kind: ByteMutation, from = 0, to = b.length): Uint8Array {
  const lo = Math.max(0, Math.min(from, b.length));
  const hi = Math.max(lo + 1, Math.min(to, b.length));
  const at = lo + int(rng, hi - lo);
  switch (kind) {
    case 'bitflip': {
      const out = b.slice();
      const flips = 1 + int(rng, 4);
      for (let i = 0; i < flips; i++) {
        const p = Math.min(out.length - 1, at + int(rng, 64));
        if (p >= 0) out[p]! ^= 1 << int(rng, 8);
      }
      return out;
    }
    case 'boundary': {
      const out = b.slice();
      const n = 1 + int(rng, 4);
      for (let i = 0; i < n && at + i < out.length; i++) out[at + i] = pick(rng, BOUNDARY);
      return out;
    }
    case 'truncate':
      return b.slice(0, at);
    case 'duplicate': {
      const len = 1 + int(rng, Math.min(4096, b.length - at));
      const chunk = b.subarray(at, at + len);
      const out = new Uint8Array(b.length + chunk.length);
      out.set(b.subarray(0, at + len));
      out.set(chunk, at + len);
      out.set(b.subarray(at + len), at + 2 * len);
      return out;
    }
    case 'delete': {
      const len = 1 + int(rng, Math.min(4096, b.length - at));
      const out = new Uint8Array(b.length - len);
      out.set(b.subarray(0, at));
      out.set(b.subarray(at + len), at);
      return out;
    }
  }
}

/** Set the big-endian 32-bit field at `off` to a boundary value. */
export function setU32(rng: Rng, b: Uint8Array, off: number): Uint8Array {
  const out = b.slice();
  if (off + 4 > out.length) return out;
  const v = rng() < 0.8 ? pick(rng, HUGE32) : int(rng, 2 ** 32);
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(off, v >>> 0);
  return out;
}

export type XmlMutation = 'dup-element' | 'drop-element' | 'huge-number' | 'deep-nesting' | 'long-text' | 'bad-entity' | 'dup-attribute' | 'evil-value';
export const XML_MUTATIONS: readonly XmlMutation[] = ['dup-element', 'drop-element', 'huge-number', 'deep-nesting', 'long-text', 'bad-entity', 'dup-attribute', 'evil-value'];

const HUGE_NUMBERS = ['99999999999999999999999', '-1', '4294967296', '18446744073709551616', '1e308', 'NaN', '-0', '0x10', ''];
/** Attribute values a hostile mirror would try: escapes, other hosts, sizes, control characters. */
const EVIL_VALUES = [
  '../../../etc/passwd', '/etc/passwd', 'http://evil.example/x.rpm', 'file:///etc/shadow', '', '-1', '99999999999999999999',
  '&#x1b;[2J', 'a&#10;b', 'x'.repeat(70000), 'sha0', 'GT', 'LE\u0000', '%2e%2e/%2e%2e/x',
];
const ENTITIES = ['&#0;', '&#xD800;', '&#x110000;', '&bogus;', '&amp', '&#99999999999;', '&lt;/name&gt;', ']]>'];

/** An element start somewhere in the text and where its element ends (to the matching close tag, or '/>'). */
function someElement(rng: Rng, s: string): { start: number; end: number; name: string } | null {
  const starts: number[] = [];
  const re = /<([A-Za-z][\w:.-]*)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null && starts.length < 20000) starts.push(m.index);
  if (starts.length === 0) return null;
  const start = pick(rng, starts);
  const name = /^<([A-Za-z][\w:.-]*)/.exec(s.slice(start))![1]!;
  const gt = s.indexOf('>', start);
  if (gt < 0) return null;
  if (s[gt - 1] === '/') return { start, end: gt + 1, name };
  const close = s.indexOf(`</${name}>`, gt);
  return close < 0 ? null : { start, end: close + name.length + 3, name };
}

/** One XML-aware mutation; returns the text unchanged when the document offers no place for it. */
export function mutateXml(rng: Rng, s: string, kind: XmlMutation): string {
  switch (kind) {
    case 'dup-element': {
      const e = someElement(rng, s);
      if (!e) return s;
      const copy = s.slice(e.start, e.end);
      return s.slice(0, e.end) + copy.repeat(1 + int(rng, 3)) + s.slice(e.end);
    }
    case 'drop-element': {
      const e = someElement(rng, s);
      return e ? s.slice(0, e.start) + s.slice(e.end) : s;
    }
    case 'huge-number': {
      const nums: [number, number][] = [];
      const re = /\d+/g;
      let m: RegExpExecArray | null;
      while ((m = re.exec(s)) !== null && nums.length < 20000) nums.push([m.index, m[0].length]);
      if (nums.length === 0) return s;
      const [at, len] = pick(rng, nums);
      return s.slice(0, at) + pick(rng, HUGE_NUMBERS) + s.slice(at + len);
    }
    case 'deep-nesting': {
      const e = someElement(rng, s);
      const at = e ? e.start : int(rng, s.length);
      const depth = pick(rng, [100, 1000, 20000, 200000]);
      const closed = rng() < 0.5;
      return s.slice(0, at) + '<d>'.repeat(depth) + (closed ? '</d>'.repeat(depth) : '') + s.slice(at);
    }
    case 'long-text': {
      const e = someElement(rng, s);
      if (!e) return s;
      const gt = s.indexOf('>', e.start) + 1;
      return s.slice(0, gt) + 'A'.repeat(pick(rng, [70000, 1 << 20, 3 << 20])) + s.slice(gt);
    }
    case 'bad-entity': {
      const e = someElement(rng, s);
      if (!e) return s;
      const gt = s.indexOf('>', e.start) + 1;
      return s.slice(0, gt) + pick(rng, ENTITIES) + s.slice(gt);
    }
    case 'evil-value': {
      const re = /\s[\w:.-]+="([^"]*)"/g;
      const hits: [number, number][] = [];
      let x: RegExpExecArray | null;
      while ((x = re.exec(s)) !== null && hits.length < 20000) hits.push([x.index + x[0].length - 1 - x[1]!.length, x[1]!.length]);
      if (hits.length === 0) return s;
      const [at, len] = pick(rng, hits);
      return s.slice(0, at) + pick(rng, EVIL_VALUES) + s.slice(at + len);
    }
    case 'dup-attribute': {
      const m = /<[A-Za-z][\w:.-]*(\s+[\w:.-]+="[^"]*")/g;
      const hits: [number, string][] = [];
      let x: RegExpExecArray | null;
      while ((x = m.exec(s)) !== null && hits.length < 20000) hits.push([x.index + x[0].length, x[1]!]);
      if (hits.length === 0) return s;
      const [at, attr] = pick(rng, hits);
      return s.slice(0, at) + attr.repeat(1 + int(rng, 2)) + s.slice(at);
    }
  }
}

/** What a case ended in: 'ok', an RfsError code, or the description of anything else thrown. */
export async function outcome(run: () => Promise<unknown>, timeoutMs: number): Promise<{ ok: boolean; what: string }> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<{ ok: boolean; what: string }>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, what: `no answer within ${timeoutMs} ms (hang?)` }), timeoutMs);
  });
  const done = run().then(
    () => ({ ok: true, what: 'ok' }),
    (e: unknown) => {
      if (isRfsError(e) && e.code in EXIT_CODES && e.code !== 'RFS_INTERNAL') return { ok: true, what: e.code };
      const err = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack?.split('\n').slice(1, 6).join('\n') ?? ''}` : String(e);
      return { ok: false, what: isRfsError(e) ? `${e.code}: ${e.message}` : err };
    },
  );
  try {
    return await Promise.race([done, hang]);
  } finally {
    clearTimeout(timer);
  }
}

export const rssMB = (): number => process.memoryUsage().rss / 2 ** 20;

/**
 * The verdict of a fuzz run: no case failed, RSS stayed bounded, and (unless one case was replayed)
 * the mutations reached past the first checks: some cases succeed, some fail in several ways.
 */
export function expectFuzzVerdict(r: { failures: string[]; codes: Map<string, number>; rss0: number; peak: number; replaying: boolean; minKinds: number; rssGrowthMB: number }): void {
  expect(r.failures, r.failures.join('\n\n')).toEqual([]);
  expect(r.peak - r.rss0, `RSS grew from ${r.rss0.toFixed(0)} MB to ${r.peak.toFixed(0)} MB`).toBeLessThan(r.rssGrowthMB);
  if (r.replaying) return;
  expect(r.codes.get('ok') ?? 0, JSON.stringify([...r.codes])).toBeGreaterThan(0);
  expect(r.codes.size, JSON.stringify([...r.codes])).toBeGreaterThan(r.minKinds);
}
