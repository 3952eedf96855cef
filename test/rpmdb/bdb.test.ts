// BDB hash/btree files checked by libdb's own tools (db5.3_verify, db5.3_dump, db5.3_stat) and our reader.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildBtree } from '../../src/rpmdb/bdb/btree.js';
import { buildHash, hamFunc5, type KV } from '../../src/rpmdb/bdb/hash.js';
import { readBdb } from '../../src/rpmdb/bdb/read.js';
import { dbVerifyProblems, hasTool, run, tempDir } from './tools.js';

const enc = new TextEncoder();
const HAVE_DB = hasTool('db5.3_verify') && hasTool('db5.3_dump');
if (!HAVE_DB) console.warn('SKIP: db5.3-util (db5.3_verify/db5.3_dump) not installed: BDB files are checked by our reader only');

function sample(n: number, seed: number): KV[] {
  let x = seed;
  const rnd = (): number => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
  const out: KV[] = [];
  for (let i = 0; i < n; i++) {
    const klen = i % 97 === 0 ? 1500 + (rnd() % 3000) : 1 + (rnd() % 40);
    const vlen = i % 13 === 0 ? 2000 + (rnd() % 9000) : rnd() % 64;
    const k = enc.encode(`k${i}-` + 'x'.repeat(klen));
    const v = new Uint8Array(vlen).map(() => rnd() & 0xff);
    out.push([k, v]);
  }
  // prefix ties: v9 pages must put the longer key first
  out.push([enc.encode('empty'), enc.encode('a')], [enc.encode('emptyfile'), enc.encode('b')], [new Uint8Array([0]), enc.encode('nul')]);
  return out;
}

/** db_dump -p style lines keyed for comparison */
function dumpPairs(file: string): Map<string, string> {
  const r = run('db5.3_dump', [file]);
  expect(r.status, r.stderr).toBe(0);
  const lines = r.stdout.split('\n');
  const start = lines.indexOf('HEADER=END') + 1;
  const m = new Map<string, string>();
  for (let i = start; i + 1 < lines.length && lines[i] !== 'DATA=END'; i += 2) m.set(lines[i]!.trim(), lines[i + 1]!.trim());
  return m;
}
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('BDB writers', () => {
  const t = tempDir('bdb');
  afterAll(t.cleanup);
  const fileId = (s: string): Uint8Array => enc.encode(s.padEnd(20, '.')).subarray(0, 20);

  it('hash function matches the charkey libdb stores', () => {
    expect(hamFunc5(enc.encode('%$sniglet^&\0'))).toBe(0x5e688dd1);
  });

  for (const [version, endian] of [[9, 'little'], [8, 'little'], [9, 'big'], [8, 'big']] as const) {
    it(`hash v${version} ${endian}-endian: verified by libdb and read back`, () => {
      const pairs = sample(3000, version * 7 + (endian === 'big' ? 1 : 0));
      const bytes = buildHash(pairs, { version, endian, fileId: fileId(`h${version}${endian}`), offpageValue: version === 8 ? () => true : undefined });
      const back = readBdb(bytes);
      expect(back.kind).toBe('hash');
      expect(back.version).toBe(version);
      expect(back.endian).toBe(endian);
      const want = new Map(pairs.map(([k, v]) => [hex(k), hex(v)]));
      expect(new Map(back.pairs.map(([k, v]) => [hex(k), hex(v)]))).toEqual(want);
      if (!HAVE_DB) return;
      const f = join(t.dir, `h${version}${endian}.db`);
      writeFileSync(f, bytes);
      expect(dbVerifyProblems(f)).toEqual([]);
      const st = run('db5.3_stat', ['-d', f]);
      expect(st.stdout).toMatch(new RegExp(`^\\s*${version}\\s+Hash version number`, 'm'));
      expect(dumpPairs(f)).toEqual(want);
    });
  }

  for (const endian of ['little', 'big'] as const) {
    it(`btree ${endian}-endian (multi-level, overflow keys and data): verified by libdb and read back`, () => {
      const pairs = sample(20000, endian === 'big' ? 5 : 3);
      const bytes = buildBtree(pairs, { endian, fileId: fileId(`bt${endian}`) });
      const back = readBdb(bytes);
      expect(back.kind).toBe('btree');
      const want = new Map(pairs.map(([k, v]) => [hex(k), hex(v)]));
      expect(new Map(back.pairs.map(([k, v]) => [hex(k), hex(v)]))).toEqual(want);
      if (!HAVE_DB) return;
      const f = join(t.dir, `bt${endian}.db`);
      writeFileSync(f, bytes);
      expect(dbVerifyProblems(f)).toEqual([]);
      expect(dumpPairs(f)).toEqual(want);
    });
  }

  for (const version of [8, 9] as const) {
    it(`hash v${version}: overfull buckets chain onto extra pages`, () => {
      const pairs = sample(2000, 11);
      const bytes = buildHash(pairs, { version, endian: 'little', fileId: fileId(`chain${version}`), maxBuckets: 4 });
      expect(new DataView(bytes.buffer).getUint32(72, true)).toBe(3); // max_bucket
      const want = new Map(pairs.map(([k, v]) => [hex(k), hex(v)]));
      expect(new Map(readBdb(bytes).pairs.map(([k, v]) => [hex(k), hex(v)]))).toEqual(want);
      if (!HAVE_DB) return;
      const f = join(t.dir, `chain${version}.db`);
      writeFileSync(f, bytes);
      expect(dbVerifyProblems(f)).toEqual([]);
      expect(dumpPairs(f)).toEqual(want);
    });
  }

  it('empty hash and btree files verify', () => {
    if (!HAVE_DB) return;
    for (const [n, b] of [['eh', buildHash([], { version: 9, endian: 'little', fileId: fileId('eh') })], ['eb', buildBtree([], { endian: 'little', fileId: fileId('eb') })]] as const) {
      const f = join(t.dir, n);
      writeFileSync(f, b);
      expect(dbVerifyProblems(f)).toEqual([]);
    }
  });
});
