// writeRpmdb: header blobs -> the files of the target's rpmdb flavour (BDB hash v8/v9 + indexes,
// rpmdb.sqlite, or ndb Packages.db). Instances are 1..n in the order given. Output depends only on
// the input: BDB file ids are derived from the content, install times come from the options.
import { createHash } from 'node:crypto';
import { RfsError } from '../errors/index.js';
import { Header } from '../rpm/header.js';
import type { RpmdbTarget } from '../types/index.js';
import { buildBtree } from './bdb/btree.js';
import { type KV, buildHash } from './bdb/hash.js';
import { buildHeaderBlob } from './blob.js';
import { u32, u32Bytes } from './bytes.js';
import { type Era, type IndexName, eraOf } from './era.js';
import { indexRows } from './indexes.js';
import { buildNdb } from './ndb/packages.js';
import { type SqliteIndexTable, buildSqlite } from './sqlite/write.js';
import type { RpmdbFile, RpmdbPackage, WriteRpmdbOptions } from './types.js';

/** a package to install, or a ready header blob (gpg-pubkey headers, round trips) */
export type RpmdbInput = RpmdbPackage | { blob: Uint8Array };

const FILE_MODE = 0o644;
const SQLITE_NO_KEY_INDEX: ReadonlySet<IndexName> = new Set(['Installtid', 'Sigmd5']);
const SQLITE_NO_HNUM_INDEX: ReadonlySet<IndexName> = new Set(['Name', 'Group', 'Installtid', 'Sigmd5', 'Sha1header']);

function parseBlob(blob: Uint8Array, hnum: number): Header {
  try {
    return Header.parse(blob, { magic: false });
  } catch (cause) {
    throw new RfsError('RFS_RPMDB', `writing rpmdb: header blob ${hnum} does not parse`, { cause, subject: `instance ${hnum}` });
  }
}

/** One index's rows, header by header: made as they are used, one table at a time (never all held). */
function* rowsOf(headers: readonly Header[], spec: Era['indexes'][number], era: Era): Generator<{ key: Uint8Array; hnum: number; idx: number }> {
  for (let i = 0; i < headers.length; i++) {
    for (const r of indexRows(headers[i]!, spec, era)) yield { key: r.key, hnum: i + 1, idx: r.idx };
  }
}

/** BDB index value: (hdrNum, tagNum) u32 pairs per key, in insertion order; empty key -> "\0" */
function groupIndex(rows: Iterable<{ key: Uint8Array; hnum: number; idx: number }>, era: Era): KV[] {
  const byKey = new Map<string, { key: Uint8Array; vals: number[] }>();
  for (const r of rows) {
    const hnum = r.hnum;
    const key = r.key.length === 0 ? Uint8Array.of(0) : r.key;
    const k = Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
    let g = byKey.get(k);
    if (!g) byKey.set(k, (g = { key, vals: [] }));
    g.vals.push(hnum, r.idx);
  }
  return [...byKey.values()].map((g) => {
    const v = new Uint8Array(4 * g.vals.length);
    g.vals.forEach((x, i) => u32(v, 4 * i, x, era.endian));
    return [g.key, v] as const;
  });
}

function fileIdFactory(blobs: readonly Uint8Array[]): (name: string) => Uint8Array {
  const seed = createHash('sha256');
  for (const b of blobs) seed.update(createHash('sha256').update(b).digest());
  const s = seed.digest();
  // unique per file (BDB's mpool shares pages between files with equal ids), stable per content
  return (name) => new Uint8Array(createHash('sha1').update('rootfs-assemble rpmdb\0').update(name).update('\0').update(s).digest());
}

export function blobsFor(target: RpmdbTarget, pkgs: readonly RpmdbInput[], opts: WriteRpmdbOptions): Uint8Array[] {
  return pkgs.map((p) => ('blob' in p ? p.blob : buildHeaderBlob(p, target, opts)));
}

export async function writeRpmdb(target: RpmdbTarget, pkgs: readonly RpmdbInput[], opts: WriteRpmdbOptions): Promise<RpmdbFile[]> {
  const blobs = blobsFor(target, pkgs, opts);
  return writeRpmdbBlobs(target, blobs);
}

/** the database files for ready header blobs (instance i+1 for blobs[i]) */
export async function writeRpmdbBlobs(target: RpmdbTarget, blobs: readonly Uint8Array[]): Promise<RpmdbFile[]> {
  const era = eraOf(target);
  const packages = blobs.map((blob, i) => ({ hnum: i + 1, blob }));
  if (target.flavour === 'ndb') return [{ path: 'Packages.db', data: buildNdb(packages), mode: FILE_MODE }];

  const headers = blobs.map((b, i) => parseBlob(b, i + 1));
  if (target.flavour === 'sqlite') {
    const tables: SqliteIndexTable[] = era.indexes.map((spec) => ({
      name: spec.name,
      keyType: SQLITE_NO_KEY_INDEX.has(spec.name) ? 'BLOB' : 'TEXT',
      keyIndex: !SQLITE_NO_KEY_INDEX.has(spec.name),
      hnumIndex: !SQLITE_NO_HNUM_INDEX.has(spec.name),
      rows: rowsOf(headers, spec, era),
    }));
    return [{ path: 'rpmdb.sqlite', data: await buildSqlite(packages, tables), mode: FILE_MODE }];
  }

  const version = target.flavour === 'bdb-hash-v8' ? 8 : 9;
  const fileId = fileIdFactory(blobs);
  const e = era.endian;
  const pk: KV[] = [[u32Bytes(0, e), u32Bytes(blobs.length, e)], ...packages.map((p) => [u32Bytes(p.hnum, e), p.blob] as const)];
  const files: RpmdbFile[] = [
    {
      path: 'Packages',
      data: buildHash(pk, { version, endian: e, fileId: fileId('Packages'), offpageValue: (k) => k.some((b) => b !== 0) }),
      mode: FILE_MODE,
    },
  ];
  for (const spec of era.indexes) {
    const kv = groupIndex(rowsOf(headers, spec, era), era);
    const data = spec.bdb === 'btree' ? buildBtree(kv, { endian: e, fileId: fileId(spec.name) }) : buildHash(kv, { version, endian: e, fileId: fileId(spec.name) });
    files.push({ path: spec.name, data, mode: FILE_MODE });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
