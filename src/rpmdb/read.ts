// readRpmdb: the header blobs of any rpmdb flavour, by instance number (round trips, tests).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RfsError } from '../errors/index.js';
import type { RpmdbFlavour } from '../types/index.js';
import { readBdb, type BdbFile } from './bdb/read.js';
import { getU32, type Endian } from './bytes.js';
import { readNdb } from './ndb/packages.js';
import { readSqlite } from './sqlite/read.js';

export async function readRpmdbEntries(dir: string): Promise<{ hnum: number; blob: Uint8Array }[]> {
  const found = await readRpmdbFiles((name) => {
    const p = join(dir, name);
    return existsSync(p) ? new Uint8Array(readFileSync(p)) : undefined;
  }, dir);
  if (!found) throw new RfsError('RFS_RPMDB', 'reading rpmdb: no rpmdb.sqlite, Packages.db or Packages', { subject: dir });
  return found.entries;
}

function bdbEntries(f: BdbFile): { hnum: number; blob: Uint8Array }[] {
  return f.pairs
    .filter(([k]) => k.length === 4)
    .map(([k, v]) => ({ hnum: getU32(k, 0, f.endian), blob: v }))
    .filter((p) => p.hnum !== 0)
    .sort((a, b) => a.hnum - b.hnum);
}

export async function readRpmdb(dir: string): Promise<Uint8Array[]> {
  return (await readRpmdbEntries(dir)).map((p) => p.blob);
}

/** An rpmdb found in an image: its flavour as written, BDB byte order, and its header blobs. */
export interface FoundRpmdb {
  flavour: RpmdbFlavour;
  endian?: Endian;
  entries: { hnum: number; blob: Uint8Array }[];
}

/**
 * The rpmdb among the files `read` gives (names as in the db directory), as rpm would open it:
 * rpmdb.sqlite, then Packages.db (ndb), then Packages (BDB hash, v8 or v9 as its metadata says).
 */
export async function readRpmdbFiles(read: (name: string) => Uint8Array | undefined, dir: string): Promise<FoundRpmdb | null> {
  const sqlite = read('rpmdb.sqlite');
  if (sqlite) return { flavour: 'sqlite', entries: await readSqlite(sqlite) };
  const ndb = read('Packages.db');
  if (ndb) return { flavour: 'ndb', entries: readNdb(ndb, join(dir, 'Packages.db')) };
  const bdb = read('Packages');
  if (!bdb) return null;
  const f = readBdb(bdb, join(dir, 'Packages'));
  if (f.kind !== 'hash') throw new RfsError('RFS_RPMDB', 'reading rpmdb: Packages is not a hash database', { subject: join(dir, 'Packages') });
  return { flavour: f.version <= 8 ? 'bdb-hash-v8' : 'bdb-hash-v9', endian: f.endian, entries: bdbEntries(f) };
}
