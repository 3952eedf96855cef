// rpmdb.sqlite writer (rpm >= 4.16, formats.md §4): rpm's exact schema, TEXT keys for string tags,
// BLOB keys for Installtid/Sigmd5, rollback journal (no -wal/-shm), byte-reproducible output.
//
// Library choice: sql.js (SQLite compiled to wasm). It needs no compiler, no prebuilt binary for the
// user's platform and no network at install time, and runs on Node 20 everywhere; a native module
// (better-sqlite3) would need a matching prebuilt or build tools, and node:sqlite only exists from
// Node 22.5. The database is built in wasm memory and exported once, which also makes the bytes
// deterministic (no WAL, no timing-dependent checkpoints).
import { createRequire } from 'node:module';
import type { InitSqlJsStatic, SqlJsStatic } from 'sql.js';
import type { IndexName } from '../era.js';

export interface SqliteIndexTable {
  name: IndexName;
  keyType: 'TEXT' | 'BLOB';
  /** key index: string-class tags; hnum index: tags whose value is an array */
  keyIndex: boolean;
  hnumIndex: boolean;
  /** read once, as the rows are inserted */
  rows: Iterable<{ key: Uint8Array; hnum: number; idx: number }>;
}

let sqlPromise: Promise<SqlJsStatic> | null = null;
/** sql.js is imported here, on first use: builds without a sqlite rpmdb skip its ~40 ms of loading */
export function loadSqlJs(): Promise<SqlJsStatic> {
  sqlPromise ??= import('sql.js').then((m) => m.default());
  return sqlPromise;
}

/**
 * A sql.js instance of the writer's own (sql.js keeps one per module load): its wasm memory only
 * grows (header blobs bound, page cache, index sorts) and is freed only with the instance, so the
 * image is not written out beside it. The compiled wasm is reused (V8 caches it by its bytes).
 */
async function ownSqlJs(): Promise<SqlJsStatic> {
  const require = createRequire(import.meta.url);
  const id = require.resolve('sql.js');
  const shared = require.cache[id];
  delete require.cache[id];
  try {
    return await (require(id) as InitSqlJsStatic)();
  } finally {
    if (shared) require.cache[id] = shared;
    else delete require.cache[id];
  }
}

const PAGE = 4096;

/**
 * An empty database (page 1 as SQLite's newDatabase() writes it, its in-header size 1 page) in a
 * file of `pages` pages. sql.js keeps the file in a JS array grown 1.125x at a time as pages are
 * written past its end (~60 MB of garbage arrays at 100k files); the rest of this file is room for
 * them. Pages past the in-header size are free space: page_count and the export stay at the pages
 * written (test/rpmdb/sqlite-room.test.ts).
 */
function emptyDatabase(pages: number): Uint8Array {
  const f = new Uint8Array(Math.max(1, pages) * PAGE);
  f.set(Buffer.from('SQLite format 3\0', 'latin1'), 0);
  f.set([PAGE >> 8, PAGE & 0xff, 1, 1, 0, 64, 32, 32], 16);
  f[31] = 1;
  f.set([0x0d, 0, 0, 0, 0, PAGE >> 8, PAGE & 0xff], 100); // table b-tree leaf, no cells
  return f;
}

/** the file's pages, from the header blobs (the index tables add ~half: rpmdbs hold ~1.5x their blobs) */
const pagesFor = (blobBytes: number): number => Math.ceil((blobBytes * 1.6) / PAGE) + 64;

export async function buildSqlite(packages: readonly { hnum: number; blob: Uint8Array }[], tables: readonly SqliteIndexTable[]): Promise<Uint8Array> {
  const SQL = await ownSqlJs();
  const db = new SQL.Database(emptyDatabase(pagesFor(packages.reduce((n, p) => n + p.blob.length, 0))));
  try {
    // no journal while building in memory: rollback journal modes are not recorded in the file,
    // so readers see the default DELETE mode (file header bytes 18/19 = 1, never WAL)
    db.run('PRAGMA journal_mode=OFF');
    db.run('PRAGMA synchronous=OFF');
    db.run(`PRAGMA page_size=${PAGE}`);
    // a 2 MB page cache: pages spill into the file's room as they are made (the bytes do not depend
    // on it); index sorts spill into wasm memory (temp files would grow in JS arrays, as the db did)
    db.run('PRAGMA cache_size=-2048');
    db.run('PRAGMA temp_store=MEMORY');
    db.run('BEGIN');
    db.run("CREATE TABLE IF NOT EXISTS 'Packages' (hnum INTEGER PRIMARY KEY AUTOINCREMENT,blob BLOB NOT NULL)");
    for (const t of tables) {
      db.run(`CREATE TABLE IF NOT EXISTS '${t.name}' (key '${t.keyType}' NOT NULL, hnum INTEGER NOT NULL, idx INTEGER NOT NULL, FOREIGN KEY (hnum) REFERENCES 'Packages'(hnum))`);
    }
    const ins = db.prepare("INSERT INTO 'Packages' VALUES (?, ?)");
    for (const p of packages) ins.run([p.hnum, p.blob]);
    ins.free();
    for (const t of tables) {
      // One prepared statement per table, bound row by row: sql.js copies a Uint8Array straight into
      // wasm memory as a BLOB, and CAST(? AS TEXT) keeps those bytes untranscoded as TEXT for string
      // tags (rpm binds them with sqlite3_bind_text); BLOB keys (Installtid, Sigmd5) stay BLOB.
      // (A JSON document of hex keys per chunk took 3x as long.)
      const keyExpr = t.keyType === 'TEXT' ? 'CAST(? AS TEXT)' : '?';
      const st = db.prepare(`INSERT INTO '${t.name}' VALUES (${keyExpr}, ?, ?)`);
      try {
        for (const r of t.rows) st.run([r.key, r.hnum, r.idx]);
      } finally {
        st.free();
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
