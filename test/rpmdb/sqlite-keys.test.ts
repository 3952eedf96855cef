// buildSqlite stores index keys exactly: TEXT tables keep raw (even non-UTF-8) bytes as TEXT,
// BLOB tables keep BLOBs, and an empty key is a zero-length value, never NULL (NOT NULL column).
import { describe, expect, it } from 'vitest';
import { buildSqlite, loadSqlJs } from '../../src/rpmdb/sqlite/write.js';

describe('sqlite index rows', () => {
  it('keeps key bytes, storage class, hnum and idx, in insertion order', async () => {
    const latin1 = Uint8Array.of(0x63, 0x61, 0x66, 0xe9); // "café" in latin1: not valid UTF-8
    const bytes = await buildSqlite(
      [{ hnum: 1, blob: Uint8Array.of(1, 2, 3) }, { hnum: 2, blob: Uint8Array.of(4) }],
      [
        { name: 'Basenames', keyType: 'TEXT', keyIndex: true, hnumIndex: true, rows: [{ key: latin1, hnum: 2, idx: 7 }, { key: new Uint8Array(0), hnum: 1, idx: 0 }] },
        { name: 'Sigmd5', keyType: 'BLOB', keyIndex: false, hnumIndex: false, rows: [{ key: new Uint8Array(0), hnum: 1, idx: 0 }, { key: Uint8Array.of(0, 255), hnum: 2, idx: 0 }] },
      ],
    );
    const SQL = await loadSqlJs();
    const db = new SQL.Database(bytes);
    try {
      const q = (sql: string): unknown[][] => db.exec(sql)[0]?.values ?? [];
      expect(q("SELECT typeof(key), hex(key), hnum, idx FROM 'Basenames' ORDER BY rowid")).toEqual([
        ['text', '636166E9', 2, 7],
        ['text', '', 1, 0],
      ]);
      expect(q("SELECT typeof(key), hex(key), hnum, idx FROM 'Sigmd5' ORDER BY rowid")).toEqual([
        ['blob', '', 1, 0],
        ['blob', '00FF', 2, 0],
      ]);
      expect(q('PRAGMA integrity_check')).toEqual([['ok']]);
    } finally {
      db.close();
    }
  });
});
