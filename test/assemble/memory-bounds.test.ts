// What keeps the assembly's memory flat: the spool flushes decoded content by bytes and by piece
// count, the content budget is shared, the tree sorts names without encoding them, and a merged
// file's node stays small.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { snapshotBase } from '../../src/assemble/base/snapshot.js';
import { MemoryBudget, Spool } from '../../src/assemble/spool.js';
import { mergePackages } from '../../src/assemble/merge.js';
import { byteCompare, ImageTree } from '../../src/assemble/tree.js';
import type { ContentRef } from '../../src/assemble/tree.js';
import type { PackageMeta, RpmFile } from '../../src/rpm/package.js';
import { tempDir } from '../helpers/temp-dir.js';

const tmp = tempDir('rfs-membounds-');
afterAll(() => tmp.cleanup());

describe('Spool', () => {
  it('flushes a run of tiny chunks by count, long before their bytes would', async () => {
    const path = join(tmp.dir, 'tiny.spool');
    const spool = new Spool(path, new MemoryBudget(64 << 20));
    for (let i = 0; i < 1023; i++) await spool.write(Uint8Array.of(i & 0xff));
    expect(existsSync(path)).toBe(false);
    await spool.write(Uint8Array.of(0xff));
    expect(statSync(path).size).toBe(1024);
    for (let i = 0; i < 10; i++) await spool.write(Uint8Array.of(7));
    // once on disk, the rest goes there too, and nothing is kept in memory
    expect(await spool.finish()).toBeNull();
    await spool.close();
    const data = readFileSync(path);
    expect(data.length).toBe(1034);
    expect(data[1023]).toBe(0xff);
    expect(data[1033]).toBe(7);
  });

  it('flushes 1 MiB of content to disk instead of holding it for the budget', async () => {
    const path = join(tmp.dir, 'mib.spool');
    const spool = new Spool(path, new MemoryBudget(64 << 20));
    for (let i = 0; i < 16; i++) await spool.write(new Uint8Array(64 << 10).fill(i));
    expect(statSync(path).size).toBe(1 << 20);
    expect(await spool.finish()).toBeNull();
    await spool.close();
  });

  it('keeps a small package in memory only while the shared budget lasts', async () => {
    const budget = new MemoryBudget(3000);
    const kept: (Uint8Array | null)[] = [];
    for (let i = 0; i < 3; i++) {
      const spool = new Spool(join(tmp.dir, `small-${i}.spool`), budget);
      await spool.write(new Uint8Array(1000).fill(i + 1));
      await spool.write(new Uint8Array(400).fill(i + 1));
      kept.push(await spool.finish());
      await spool.close();
    }
    expect(kept[0]?.length).toBe(1400);
    expect(kept[1]?.length).toBe(1400);
    expect(kept[1]?.every((b) => b === 2)).toBe(true);
    // the third would exceed 3000 bytes: it went to its file
    expect(kept[2]).toBeNull();
    expect(readFileSync(join(tmp.dir, 'small-2.spool')).length).toBe(1400);
    expect(existsSync(join(tmp.dir, 'small-0.spool'))).toBe(false);
  });
});

describe('byteCompare', () => {
  const bufferOrder = (a: string, b: string): number => Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b)));

  it('orders as the UTF-8 bytes do, astral characters against U+E000..U+FFFF included', () => {
    const alphabet = ['a', 'b', 'Z', '.', '-', '_', '/', 'é', 'ÿ', 'Ā', 'ж', '中', '\ud7ff', '\ue000', '\uff21', '\ufffd', '😀', '𐀀', '\u{10ffff}'];
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const word = (): string => Array.from({ length: 1 + rand(4) }, () => alphabet[rand(alphabet.length)]!).join('');
    for (let i = 0; i < 5000; i++) {
      const a = word();
      const b = rand(5) === 0 ? a + word() : word();
      expect(Math.sign(byteCompare(a, b)), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).toBe(bufferOrder(a, b));
      expect(Math.sign(byteCompare(b, a))).toBe(bufferOrder(b, a));
    }
    expect(byteCompare('same', 'same')).toBe(0);
  });

  it('sorts a directory listing exactly as Buffer.compare does', () => {
    const names = ['lib64', 'lib', 'lib.so', 'Lib', 'ñ', 'n', '\ufb01', '😀x', 'z', ''];
    expect([...names].sort(byteCompare)).toEqual([...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
  });
});

describe('merged tree', () => {
  // V8 gave every node built by object spread a hidden class of its own (~300 bytes more a file);
  // live heap is measured after a full GC (flag set at run time, as `node --expose-gc` would)
  it('holds a file in under 400 bytes of heap', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const n = 40_000;
    const files: RpmFile[] = [];
    const contents = new Map<number, ContentRef>();
    for (let i = 0; i < n; i++) {
      files.push({
        index: i, path: `/usr/share/mf/d${Math.floor(i / 100)}/file-${i}.txt`, mode: 0o100644, size: 65, mtime: 1_700_000_000 + i,
        user: 'root', group: 'root', digest: createHash('sha256').update(String(i)).digest('hex'), linkTo: '', flags: 0,
        verifyFlags: 0xffffffff, rdev: 0, device: 1, inode: i + 1, lang: '', color: 0, caps: '',
      });
      contents.set(i, { kind: 'spool', file: '/tmp/x.spool', offset: 65 * i, length: 65 });
    }
    const pkg = { nevra: 'mf-1-1.x86_64', repo: 'r', meta: {} as PackageMeta, files: () => files, paths: () => files.map((f) => f.path), fileCount: n, color: 0, headerBytes: new Uint8Array(0), signatureBytes: new Uint8Array(0), contents, hardlinkSets: new Map(), bytes: 65 * n };
    gc();
    const before = process.memoryUsage().heapUsed;
    const tree = new ImageTree(0);
    mergePackages(tree, [pkg]);
    gc();
    const perFile = (process.memoryUsage().heapUsed - before) / n;
    expect(tree.get(files[n - 1]!.path)?.size).toBe(65);
    expect(perFile).toBeLessThan(400); // 538 with spread-built nodes, 233 without
  });
});

describe('base snapshot (--from)', () => {
  // one object of one shape per node, fields by reference: no string or spread copy per node
  it('holds a base node in under 260 bytes of heap', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const n = 40_000;
    const tree = new ImageTree(0);
    const content: ContentRef = { kind: 'spool', file: '/tmp/x.spool', offset: 0, length: 65 };
    for (let i = 0; i < n; i++) {
      tree.put(`/usr/share/mf/d${Math.floor(i / 100)}/file-${i}.txt`, { type: 'file', mode: 0o644, user: 'root', group: 'root', mtime: i, size: 65, content });
    }
    gc();
    const before = process.memoryUsage().heapUsed;
    const snap = snapshotBase(tree);
    gc();
    const perNode = (process.memoryUsage().heapUsed - before) / snap.was.size;
    expect(snap.was.size).toBeGreaterThan(n);
    expect(perNode).toBeLessThan(260); // 228: ~107 the path and its map entry, ~120 the fields
  });
});
