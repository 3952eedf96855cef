// rpmdb.sqlite writer (rpm >= 4.16, formats.md §4): rpm's exact schema, TEXT keys for string tags,
// BLOB keys for Installtid/Sigmd5, rollback journal (no -wal/-shm), byte-reproducible output.
//
// Library choice: sql.js (SQLite compiled to wasm). It needs no compiler, no prebuilt binary for the
// user's platform and no network at install time, and runs on Node 20 everywhere; a native module
// (better-sqlite3) would need a matching prebuilt or build tools, and node:sqlite only exists from
// Node 22.5. The database is built in wasm memory and exported once, which also makes the bytes
// deterministic (no WAL, no timing-dependent checkpoints).
import initSqlJs from 'sql.js';
import type { SqlJsStatic } from 'sql.js';
import type { IndexName } from '../era.js';

export interface SqliteIndexTable {
  name: IndexName;
  keyType: 'TEXT' | 'BLOB';
  /** key index: string-class tags; hnum index: tags whose value is an array */
  keyIndex: boolean;
  hnumIndex: boolean;
  rows: { key: Uint8Array; hnum: number; idx: number }[];
}

const CHUNK = 20000;

let sqlPromise: Promise<SqlJsStatic> | null = null;
export function loadSqlJs(): Promise<SqlJsStatic> {
  sqlPromise ??= initSqlJs();
  return sqlPromise;
}

export async function buildSqlite(packages: readonly { hnum: number; blob: Uint8Array }[], tables: readonly SqliteIndexTable[]): Promise<Uint8Array> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database();
  try {
    // no journal while building in memory: rollback journal modes are not recorded in the file,
    // so readers see the default DELETE mode (file header bytes 18/19 = 1, never WAL)
    db.run('PRAGMA journal_mode=OFF');
    db.run('PRAGMA synchronous=OFF');
    db.run('PRAGMA page_size=4096');
    db.run('PRAGMA cache_size=-262144'); // keep every page in cache until COMMIT: one write per page
    db.run('BEGIN');
    db.run("CREATE TABLE IF NOT EXISTS 'Packages' (hnum INTEGER PRIMARY KEY AUTOINCREMENT,blob BLOB NOT NULL)");
    for (const t of tables) {
      db.run(`CREATE TABLE IF NOT EXISTS '${t.name}' (key '${t.keyType}' NOT NULL, hnum INTEGER NOT NULL, idx INTEGER NOT NULL, FOREIGN KEY (hnum) REFERENCES 'Packages'(hnum))`);
    }
    const ins = db.prepare("INSERT INTO 'Packages' VALUES (?, ?)");
    for (const p of packages) ins.run([p.hnum, p.blob]);
    ins.free();
    for (const t of tables) {
      // Rows go in as one JSON document per chunk (binding row by row through the wasm boundary is
      // ~10x slower). Keys travel as hex and become raw bytes again in SQL: stored as TEXT without
      // transcoding for string tags (rpm binds them with sqlite3_bind_text), as BLOB otherwise.
      const keyExpr = t.keyType === 'TEXT' ? "CAST(unhex(value->>0) AS TEXT)" : 'unhex(value->>0)';
      const sql = `INSERT INTO '${t.name}' SELECT ${keyExpr}, value->>1, value->>2 FROM json_each(?)`;
      for (let i = 0; i < t.rows.length; i += CHUNK) {
        const chunk = t.rows.slice(i, i + CHUNK).map((r) => [Buffer.from(r.key.buffer, r.key.byteOffset, r.key.byteLength).toString('hex'), r.hnum, r.idx]);
        db.run(sql, [JSON.stringify(chunk)]);
      }
    }
    // indexes after the rows: same schema as rpm's, fewer page splits
    for (const t of tables) {
      if (t.keyIndex) db.run(`CREATE INDEX '${t.name}_key_idx' ON '${t.name}'(key ASC)`);
      if (t.hnumIndex) db.run(`CREATE INDEX '${t.name}_hnum_idx' ON '${t.name}'(hnum ASC)`);
    }
    db.run('COMMIT');
    return db.export();
  } finally {
    db.close();
  }
}
