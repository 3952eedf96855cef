// readRpmdb: the header blobs of any rpmdb flavour, by instance number (round trips, tests).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RfsError } from '../errors/index.js';
import { readBdb } from './bdb/read.js';
import { getU32 } from './bytes.js';
import { readNdb } from './ndb/packages.js';
import { readSqlite } from './sqlite/read.js';

export async function readRpmdbEntries(dir: string): Promise<{ hnum: number; blob: Uint8Array }[]> {
  const sqlite = join(dir, 'rpmdb.sqlite');
  if (existsSync(sqlite)) return readSqlite(new Uint8Array(await readFile(sqlite)));
  const ndb = join(dir, 'Packages.db');
  if (existsSync(ndb)) return readNdb(new Uint8Array(await readFile(ndb)), ndb);
  const bdb = join(dir, 'Packages');
  if (existsSync(bdb)) {
    const f = readBdb(new Uint8Array(await readFile(bdb)), bdb);
    if (f.kind !== 'hash') throw new RfsError('RFS_RPMDB', 'reading rpmdb: Packages is not a hash database', { subject: bdb });
    return f.pairs
      .filter(([k]) => k.length === 4)
      .map(([k, v]) => ({ hnum: getU32(k, 0, f.endian), blob: v }))
      .filter((p) => p.hnum !== 0)
      .sort((a, b) => a.hnum - b.hnum);
  }
  throw new RfsError('RFS_RPMDB', 'reading rpmdb: no rpmdb.sqlite, Packages.db or Packages', { subject: dir });
}

export async function readRpmdb(dir: string): Promise<Uint8Array[]> {
  return (await readRpmdbEntries(dir)).map((p) => p.blob);
}
