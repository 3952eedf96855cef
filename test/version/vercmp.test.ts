import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rpmvercmp, parseEvr, compareEvr, depMatches } from '../../src/version/index.js';
import { Sense } from '../../src/types/deps.js';
import { sharedPath } from '../helpers/realdata.js';

const REAL = sharedPath('realdata/solver/vercmp.json');

// rpm's tests/rpmvercmp.at (rpm-software-management/rpm), plus its caret block (rpm >= 4.15).
const RPM_AT: [string, string, number][] = [
  ['1.0', '1.0', 0], ['1.0', '2.0', -1], ['2.0', '1.0', 1],
  ['2.0.1', '2.0.1', 0], ['2.0', '2.0.1', -1], ['2.0.1', '2.0', 1],
  ['2.0.1a', '2.0.1a', 0], ['2.0.1a', '2.0.1', 1], ['2.0.1', '2.0.1a', -1],
  ['5.5p1', '5.5p1', 0], ['5.5p1', '5.5p2', -1], ['5.5p2', '5.5p1', 1],
  ['5.5p10', '5.5p10', 0], ['5.5p1', '5.5p10', -1], ['5.5p10', '5.5p1', 1],
  ['10xyz', '10.1xyz', -1], ['10.1xyz', '10xyz', 1],
  ['xyz10', 'xyz10', 0], ['xyz10', 'xyz10.1', -1], ['xyz10.1', 'xyz10', 1],
  ['xyz.4', 'xyz.4', 0], ['xyz.4', '8', -1], ['8', 'xyz.4', 1], ['xyz.4', '2', -1], ['2', 'xyz.4', 1],
  ['5.5p2', '5.6p1', -1], ['5.6p1', '5.5p2', 1], ['5.6p1', '6.5p1', -1], ['6.5p1', '5.6p1', 1],
  ['6.0.rc1', '6.0', 1], ['6.0', '6.0.rc1', -1], ['10b2', '10a1', 1], ['10a2', '10b2', -1],
  ['1.0aa', '1.0aa', 0], ['1.0a', '1.0aa', -1], ['1.0aa', '1.0a', 1],
  ['10.0001', '10.0001', 0], ['10.0001', '10.1', 0], ['10.1', '10.0001', 0],
  ['10.0001', '10.0039', -1], ['10.0039', '10.0001', 1], ['4.999.9', '5.0', -1], ['5.0', '4.999.9', 1],
  ['20101121', '20101121', 0], ['20101121', '20101122', -1], ['20101122', '20101121', 1],
  ['2_0', '2_0', 0], ['2.0', '2_0', 0], ['2_0', '2.0', 0],
  ['a', 'a', 0], ['a+', 'a+', 0], ['a+', 'a_', 0], ['a_', 'a+', 0], ['+a', '+a', 0], ['+a', '_a', 0],
  ['_a', '+a', 0], ['+_', '+_', 0], ['_+', '+_', 0], ['_+', '_+', 0], ['+', '_', 0], ['_', '+', 0],
  ['1.0~rc1', '1.0~rc1', 0], ['1.0~rc1', '1.0', -1], ['1.0', '1.0~rc1', 1], ['1.0~rc1', '1.0~rc2', -1],
  ['1.0~rc2', '1.0~rc1', 1], ['1.0~rc1~git123', '1.0~rc1~git123', 0], ['1.0~rc1~git123', '1.0~rc1', -1],
  ['1.0~rc1', '1.0~rc1~git123', 1],
  ['1.0^', '1.0^', 0], ['1.0^', '1.0', 1], ['1.0', '1.0^', -1], ['1.0^git1', '1.0^git1', 0],
  ['1.0^git1', '1.0', 1], ['1.0', '1.0^git1', -1], ['1.0^git1', '1.0^git2', -1], ['1.0^git2', '1.0^git1', 1],
  ['1.0^git1', '1.01', -1], ['1.01', '1.0^git1', 1], ['1.0^20160101', '1.0^20160101', 0],
  ['1.0^20160101', '1.0.1', -1], ['1.0.1', '1.0^20160101', 1], ['1.0^20160101^git1', '1.0^20160101^git1', 0],
  ['1.0^20160102', '1.0^20160101^git1', 1], ['1.0^20160101^git1', '1.0^20160102', -1],
  ['1.0~rc1^git1', '1.0~rc1^git1', 0], ['1.0~rc1^git1', '1.0~rc1', 1], ['1.0~rc1', '1.0~rc1^git1', -1],
  ['1.0^git1~pre', '1.0^git1~pre', 0], ['1.0^git1', '1.0^git1~pre', 1], ['1.0^git1~pre', '1.0^git1', -1],
];

describe('rpmvercmp', () => {
  it.each(RPM_AT)('rpmvercmp(%s, %s) = %i (rpmvercmp.at)', (a, b, want) => {
    expect(rpmvercmp(a, b)).toBe(want);
  });

  describe.skipIf(!existsSync(REAL))('realdata vercmp.json (rpm labelCompare)', () => {
    it('matches every vector', () => {
      const vecs = JSON.parse(readFileSync(REAL, 'utf8')) as { a: string; b: string; expect: number }[];
      expect(vecs.length).toBeGreaterThan(100);
      const bad = vecs.filter((v) => rpmvercmp(v.a, v.b) !== v.expect).map((v) => `${v.a} ${v.b} ${v.expect}`);
      expect(bad).toEqual([]);
    });
  });
  if (!existsSync(REAL)) console.warn(`skipping vercmp.json vectors: ${REAL} absent`);

  const CARET = sharedPath('realdata/solver/libsolv-0.7.23/testcases/evrcmp/caret.t');
  describe.skipIf(!existsSync(CARET))('libsolv evrcmp/caret.t', () => {
    it('matches every expected comparison', () => {
      const want = readFileSync(CARET, 'utf8').split('\n').map((l) => /^#>job noop provides (\S+) ([<=>]) (\S+)$/.exec(l)).filter((m) => m !== null);
      expect(want.length).toBeGreaterThan(20);
      for (const m of want) expect(`${m[1]} ${['<', '=', '>'][rpmvercmp(m[1]!, m[3]!) + 1]} ${m[3]}`).toBe(`${m[1]} ${m[2]} ${m[3]}`);
    });
  });

  // seeded PRNG (mulberry32) so failures reproduce
  function rng(seed: number): () => number {
    let s = seed >>> 0;
    return () => {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const ALPHABET = ['0', '1', '2', '9', '00', '10', 'a', 'b', 'z', 'A', '.', '-', '_', '~', '^', '+'];
  const rand = rng(20260101);
  const gen = (): string => {
    const n = Math.floor(rand() * 7);
    let s = '';
    for (let k = 0; k < n; k++) s += ALPHABET[Math.floor(rand() * ALPHABET.length)];
    return s;
  };
  const sample = Array.from({ length: 160 }, gen);

  it('is reflexive', () => {
    for (const a of sample) expect(rpmvercmp(a, a)).toBe(0);
  });
  it('is antisymmetric', () => {
    for (const a of sample) for (const b of sample) expect(rpmvercmp(a, b)).toBe(-rpmvercmp(b, a) || 0);
  });
  it('is transitive', () => {
    const s = sample.slice(0, 60);
    for (const a of s) for (const b of s) for (const c of s) {
      if (rpmvercmp(a, b) <= 0 && rpmvercmp(b, c) <= 0) expect(rpmvercmp(a, c)).toBeLessThanOrEqual(0);
    }
  });
});

describe('parseEvr / compareEvr', () => {
  it('splits epoch, version and release like rpm', () => {
    expect(parseEvr('1:2.3-4.el9')).toEqual({ epoch: 1, version: '2.3', release: '4.el9' });
    expect(parseEvr('2.3')).toEqual({ epoch: null, version: '2.3', release: '' });
    expect(parseEvr('2.3-a-b')).toEqual({ epoch: null, version: '2.3-a', release: 'b' });
    expect(parseEvr('0:1')).toEqual({ epoch: 0, version: '1', release: '' });
  });
  it('treats a missing epoch as 0 and compares epoch first', () => {
    expect(compareEvr(parseEvr('1.0-1'), parseEvr('0:1.0-1'))).toBe(0);
    expect(compareEvr(parseEvr('1:1.0-1'), parseEvr('9.0-1'))).toBe(1);
    expect(compareEvr(parseEvr('1.0-2'), parseEvr('1.0-10'))).toBe(-1);
  });
});

describe('depMatches (rpmdsCompare)', () => {
  const d = (name: string, flags: number, version = '') => ({ name, flags, version });
  const { EQUAL: EQ, LESS: LT, GREATER: GT } = Sense;
  it('unversioned on either side always matches', () => {
    expect(depMatches(d('a', EQ, '1-1'), d('a', 0))).toBe(true);
    expect(depMatches(d('a', 0), d('a', GT, '5'))).toBe(true);
    expect(depMatches(d('b', 0), d('a', 0))).toBe(false);
  });
  it('a release-less side matches any release when it includes equality', () => {
    expect(depMatches(d('a', EQ, '1.0-3'), d('a', EQ, '1.0'))).toBe(true);
    expect(depMatches(d('a', EQ, '1.0'), d('a', EQ, '1.0-3'))).toBe(true);
    expect(depMatches(d('a', EQ, '1.0-3'), d('a', GT, '1.0'))).toBe(false);
    expect(depMatches(d('a', EQ, '1.0-3'), d('a', GT | EQ, '1.0'))).toBe(true);
    expect(depMatches(d('a', EQ, '1.0-3'), d('a', LT, '1.0'))).toBe(false);
  });
  it('epochs: missing equals 0', () => {
    expect(depMatches(d('a', EQ, '1:1.0-1'), d('a', GT | EQ, '2.0'))).toBe(true);
    expect(depMatches(d('a', EQ, '0:1.0-1'), d('a', EQ, '1.0-1'))).toBe(true);
    expect(depMatches(d('a', EQ, '1.0-1'), d('a', LT, '1:0.1'))).toBe(true);
  });
  it('ranges overlap', () => {
    expect(depMatches(d('a', GT, '1'), d('a', LT, '3'))).toBe(true);
    expect(depMatches(d('a', LT, '1'), d('a', GT, '3'))).toBe(false);
    expect(depMatches(d('a', LT | EQ, '2'), d('a', GT | EQ, '2'))).toBe(true);
    expect(depMatches(d('a', LT, '2'), d('a', GT, '2'))).toBe(false);
  });
});
