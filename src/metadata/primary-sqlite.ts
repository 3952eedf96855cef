// Fallback for repos whose repomd.xml offers only primary_db (createrepo's *-primary.sqlite):
// the same PackageStore, read with sql.js (wasm, no native build).
import initSqlJs from 'sql.js';
import { isRfsError, untrusted } from '../errors/index.js';
import { checksumType } from '../util/checksum.js';
import { DEP_KINDS, NUM_COLS, STR_COLS, StoreBuilder, type PackageStore } from './store.js';
import { evrString, senseOf } from './deps.js';
import { MetadataFormatError, PackageGuard, nevraOf } from './package-guard.js';
import { readDecompressed, type ReadOptions } from './stream.js';

type Cell = string | number | Uint8Array | null;
const str = (v: Cell | undefined): string => {
  if (typeof v === 'string') {
    if (v.length > MAX_CELL) throw new MetadataFormatError(`a text of ${v.length} characters (the limit is ${MAX_CELL})`);
    return v;
  }
  return typeof v === 'number' ? String(v) : '';
};

/** one text cell: descriptions are the longest (as PRIMARY_LIMITS.maxText) */
const MAX_CELL = 1024 * 1024;
/** tables older createrepo versions do not write: absent means empty */
const OPTIONAL = new Set(['recommends', 'suggests', 'supplements', 'enhances']);
const PACKAGE_COLS = ['pkgKey', 'pkgId', 'name', 'arch', 'version', 'epoch', 'release', 'summary', 'time_build', 'rpm_license', 'rpm_vendor', 'rpm_group',
  'rpm_sourcerpm', 'size_package', 'size_installed', 'location_href', 'location_base', 'checksum_type'];
const DEP_COLS = ['pkgKey', 'name', 'flags', 'epoch', 'version', 'release'];

type Db = InstanceType<Awaited<ReturnType<typeof initSqlJs>>['Database']>;

/**
 * The database is the mirror's: a "table" may be a view (a recursive one never ends), a virtual
 * table, or carry generated columns computed as they are read (randomblob(1e9) per row). Only
 * plain tables with plain columns are read; returns which of the optional tables exist.
 */
function vetSchema(db: Db): Set<string> {
  db.run('PRAGMA trusted_schema = OFF');
  db.run('PRAGMA query_only = ON');
  const present = new Set<string>();
  const want: [string, string[]][] = [['packages', PACKAGE_COLS], ['files', ['pkgKey', 'name']],
    ...DEP_KINDS.map((k): [string, string[]] => [k, k === 'requires' ? [...DEP_COLS, 'pre'] : DEP_COLS])];
  for (const [table, cols] of want) {
    const st = db.prepare('SELECT type, sql FROM sqlite_master WHERE name = ? COLLATE NOCASE');
    let found: Cell[] | null = null;
    try {
      st.bind([table]);
      if (st.step()) found = st.get() as Cell[];
      if (st.step()) throw new MetadataFormatError(`more than one schema object named ${table}`);
    } finally { st.free(); }
    if (found === null) {
      if (OPTIONAL.has(table)) continue;
      throw new MetadataFormatError(`no table ${table}`);
    }
    const sql = typeof found[1] === 'string' ? found[1] : '';
    if (found[0] !== 'table' || /^\s*CREATE\s+VIRTUAL\b/i.test(sql)) {
      throw new MetadataFormatError(`${table} is a ${untrusted(String(found[0]), 20)}${found[0] === 'table' ? ' (virtual)' : ''}, not a plain table`);
    }
    const info = db.exec(`PRAGMA table_xinfo(${table})`)[0]?.values ?? [];
    for (const c of cols) {
      const col = info.find((r) => r[1] === c);
      if (!col) throw new MetadataFormatError(`table ${table} has no column ${c}`);
      if (col[6] !== 0) throw new MetadataFormatError(`column ${c} of table ${table} is generated, not stored`);
    }
    present.add(table);
  }
  return present;
}
const num = (v: Cell | undefined): number => (typeof v === 'number' ? v : Number(v ?? 0) || 0);

/** sqlite's own errors ("file is not a database", "malformed database schema") carry the mirror's words */
function sqlError(cause: unknown): unknown {
  if (cause instanceof MetadataFormatError || !(cause instanceof Error) || isRfsError(cause)) return cause;
  return new MetadataFormatError(`sqlite: ${untrusted(cause.message, 200)}`);
}

export async function readPrimarySqlite(path: string, opts: ReadOptions = {}): Promise<{ store: PackageStore; duplicates: readonly string[] }> {
  const parts: Uint8Array[] = [];
  for await (const c of readDecompressed(path, opts)) parts.push(c);
  const SQL = await initSqlJs();
  let db: Db;
  try { db = new SQL.Database(Buffer.concat(parts)); } catch (cause) { throw sqlError(cause); }
  try {
    const present = vetSchema(db);
    const rows = (sql: string, each: (r: Cell[]) => void): void => {
      const st = db.prepare(sql);
      try { while (st.step()) each(st.get() as Cell[]); } finally { st.free(); }
    };
    const b = new StoreBuilder();
    const guard = new PackageGuard();
    // Deps per package and kind, as store dep ids, in table order.
    const deps = DEP_KINDS.map(() => new Map<number, number[]>());
    DEP_KINDS.forEach((kind, k) => {
      if (!present.has(kind)) return;
      const pre = kind === 'requires' ? ', pre' : ', NULL';
      rows(`SELECT pkgKey, name, flags, epoch, version, release${pre} FROM ${kind} ORDER BY pkgKey, rowid`, (r) => {
        const key = num(r[0]);
        const p = r[6] === 'TRUE' || r[6] === 1 || r[6] === '1' ? '1' : undefined;
        const id = b.depId(b.intern(str(r[1])), senseOf(str(r[2]) || undefined, p), b.intern(evrString(str(r[3]) || undefined, str(r[4]) || undefined, str(r[5]) || undefined)));
        const m = deps[k]!;
        const list = m.get(key);
        if (list) list.push(id); else m.set(key, [id]);
      });
    });
    const files = new Map<number, string[]>();
    rows('SELECT pkgKey, name FROM files ORDER BY pkgKey, rowid', (r) => {
      const key = num(r[0]);
      const list = files.get(key);
      if (list) list.push(str(r[1])); else files.set(key, [str(r[1])]);
    });
    const S = (c: (typeof STR_COLS)[number]): number => STR_COLS.indexOf(c);
    const N = (c: (typeof NUM_COLS)[number]): number => NUM_COLS.indexOf(c);
    rows(`SELECT pkgKey, pkgId, name, arch, version, epoch, release, summary, time_build, rpm_license, rpm_vendor, rpm_group,
      rpm_sourcerpm, size_package, size_installed, location_href, location_base, checksum_type FROM packages ORDER BY pkgKey`, (r) => {
      const key = num(r[0]);
      const ct = checksumType(str(r[17]));
      if (!ct) throw new MetadataFormatError(`unknown checksum type ${untrusted(str(r[17]), 40)}`);
      const name = str(r[2]);
      const pkgid = str(r[1]).toLowerCase();
      guard.checksum(name, ct, pkgid);
      guard.href(name, str(r[15]));
      if (guard.duplicate(pkgid, nevraOf(name, num(r[5]), str(r[4]), str(r[6]), str(r[3])))) return;
      guard.deps(name, DEP_KINDS.reduce((n, _, k) => n + (deps[k]!.get(key)?.length ?? 0), 0));
      guard.files(name, files.get(key)?.length ?? 0);
      b.begin();
      b.setUniqueStr(S('checksumValue'), pkgid);
      b.setStr(S('checksumType'), ct);
      b.setStr(S('name'), str(r[2])); b.setStr(S('arch'), str(r[3])); b.setStr(S('version'), str(r[4]));
      b.setNum(N('epoch'), num(r[5])); b.setStr(S('release'), str(r[6])); b.setStr(S('summary'), str(r[7]));
      b.setNum(N('buildtime'), num(r[8])); b.setStr(S('license'), str(r[9])); b.setStr(S('vendor'), str(r[10]));
      b.setStr(S('group'), str(r[11])); b.setStr(S('sourcerpm'), str(r[12]));
      b.setNum(N('packageSize'), num(r[13])); b.setNum(N('installedSize'), num(r[14]));
      b.setUniqueStr(S('location'), str(r[15]));
      if (str(r[16])) b.setStr(S('locationBase'), str(r[16]));
      DEP_KINDS.forEach((_, k) => { for (const id of deps[k]!.get(key) ?? []) b.addDepRef(k, id); });
      for (const f of files.get(key) ?? []) b.addFile(f);
      b.end();
    });
    return { store: b.finish(), duplicates: guard.duplicates };
  } catch (cause) {
    throw sqlError(cause);
  } finally {
    db.close();
  }
}
