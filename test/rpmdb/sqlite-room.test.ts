// buildSqlite starts from an empty database file with room for the pages (sql.js grows its file
// 1.125x at a time otherwise): the bytes must be those SQLite writes when it starts from nothing,
// whether the room was too much or too little.
import { describe, expect, it } from 'vitest';
import { buildSqlite, loadSqlJs } from '../../src/rpmdb/sqlite/write.js';
import type { SqliteIndexTable } from '../../src/rpmdb/sqlite/write.js';

type Row = { key: Uint8Array; hnum: number; idx: number };

/** the same database, through sql.js's own empty file */
async function fromNothing(blobs: Uint8Array[], rows: Row[]): Promise<Uint8Array> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database();
  try {
    for (const sql of ['PRAGMA journal_mode=OFF', 'PRAGMA page_size=4096', 'BEGIN',
      "CREATE TABLE IF NOT EXISTS 'Packages' (hnum INTEGER PRIMARY KEY AUTOINCREMENT,blob BLOB NOT NULL)",
      "CREATE TABLE IF NOT EXISTS 'Basenames' (key 'TEXT' NOT NULL, hnum INTEGER NOT NULL, idx INTEGER NOT NULL, FOREIGN KEY (hnum) REFERENCES 'Packages'(hnum))"]) db.run(sql);
    blobs.forEach((b, i) => db.run("INSERT INTO 'Packages' VALUES (?, ?)", [i + 1, b]));
    for (const r of rows) db.run("INSERT INTO 'Basenames' VALUES (CAST(? AS TEXT), ?, ?)", [r.key, r.hnum, r.idx]);
    db.run("CREATE INDEX 'Basenames_key_idx' ON 'Basenames'(key ASC)");
    db.run("CREATE INDEX 'Basenames_hnum_idx' ON 'Basenames'(hnum ASC)");
    db.run('COMMIT');
    return db.export();
  } finally {
    db.close();
  }
}

async function both(blobs: Uint8Array[], rows: Row[]): Promise<[Uint8Array, Uint8Array]> {
  const table: SqliteIndexTable = { name: 'Basenames', keyType: 'TEXT', keyIndex: true, hnumIndex: true, rows };
  return [await buildSqlite(blobs.map((blob, i) => ({ hnum: i + 1, blob })), [table]), await fromNothing(blobs, rows)];
}

describe('sqlite file room', () => {
  it('writes the bytes SQLite writes from nothing when the room is larger than the database', async () => {
    const blobs = [new Uint8Array(300_000).fill(7), Uint8Array.of(1, 2, 3)];
    const rows = [{ key: Buffer.from('bin'), hnum: 1, idx: 0 }, { key: Buffer.from('ls'), hnum: 2, idx: 3 }];
    const [ours, ref] = await both(blobs, rows);
    expect(ours.length).toBeLessThan(300_000 * 1.6); // not the room
    expect(Buffer.compare(ours, ref)).toBe(0);
  });

  it('and when the database outgrows it (many index rows for small headers)', async () => {
    const rows = Array.from({ length: 60_000 }, (_, i) => ({ key: Buffer.from(`file-${i * 7919 % 60_000}.txt`), hnum: 1 + (i % 2), idx: i }));
    const [ours, ref] = await both([Uint8Array.of(1), Uint8Array.of(2)], rows);
    expect(ours.length).toBeGreaterThan(70 * 4096); // past the room of two tiny blobs
    expect(Buffer.compare(ours, ref)).toBe(0);
  });
});
