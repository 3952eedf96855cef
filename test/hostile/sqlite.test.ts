// Hostile primary.sqlite: a mirror's database whose tables are views (a recursive one never ends),
// virtual tables, carry generated columns computed on read, or hold huge cells. Each crafted from
// the fixture repo's real createrepo_c database with sql.js and read by the library (then through
// loadRepo's error mapping): refused quickly with RFS_METADATA_MALFORMED.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import initSqlJs from 'sql.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRfsError } from '../../src/errors/index.js';
import { metadataError, readDecompressed } from '../../src/metadata/stream.js';
import { readPrimarySqlite } from '../../src/metadata/primary-sqlite.js';
import { fixtureRepo, fixturesAvailable } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/temp-dir.js';

const fx = fixturesAvailable();

describe.skipIf(!fx.ok)(`hostile primary.sqlite${fx.ok ? '' : ` (skipped: ${fx.reason})`}`, () => {
  const tmp = tempDir('rfs-hostile-sqlite-');
  let original: Uint8Array = new Uint8Array();
  let SQL: Awaited<ReturnType<typeof initSqlJs>>;
  let n = 0;
  beforeAll(async () => {
    const repodata = join(fixtureRepo('el7-os'), 'repodata');
    const name = readdirSync(repodata).find((f) => f.endsWith('-primary.sqlite.bz2'));
    expect(name).toBeDefined();
    const parts: Uint8Array[] = [];
    for await (const c of readDecompressed(join(repodata, name!))) parts.push(c);
    original = Buffer.concat(parts);
    SQL = await initSqlJs();
  });
  afterAll(() => tmp.cleanup());

  /** the real database with `sql` applied, written to a file */
  const craft = (sql: string): string => {
    const db = new SQL.Database(Uint8Array.from(original));
    try {
      db.run(sql);
      const p = join(tmp.dir, `p${++n}.sqlite`);
      writeFileSync(p, db.export());
      return p;
    } finally { db.close(); }
  };
  const refusal = async (path: string): Promise<string> => {
    const t0 = Date.now();
    const err: unknown = await readPrimarySqlite(path).then(() => null, (e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(err).not.toBeNull();
    const rfs = metadataError(err, { url: 'http://127.0.0.1/primary.sqlite', repo: 'h' }, 'primary.sqlite');
    expect(isRfsError(rfs) && rfs.code).toBe('RFS_METADATA_MALFORMED');
    return rfs.message;
  };

  it('the untouched database reads (so each refusal below is the crafted change)', async () => {
    const { store } = await readPrimarySqlite(craft('SELECT 1'));
    expect(store.count).toBeGreaterThan(10);
  });

  it('a table replaced by a never-ending recursive view', async () => {
    const p = craft(`DROP TABLE requires; CREATE VIEW requires AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)
      SELECT 1 AS pkgKey, 'r' || x AS name, NULL AS flags, NULL AS epoch, NULL AS version, NULL AS release, NULL AS pre FROM c`);
    expect(await refusal(p)).toMatch(/requires is a view, not a plain table/);
  }, 30_000);

  it('a generated column computed as it is read', async () => {
    const p = craft(`DROP TABLE files; CREATE TABLE files (pkgKey INTEGER, name TEXT GENERATED ALWAYS AS (hex(zeroblob(100000000))) VIRTUAL, type TEXT);
      INSERT INTO files (pkgKey, type) SELECT pkgKey, 'file' FROM packages`);
    expect(await refusal(p)).toMatch(/column name of table files is generated/);
  }, 30_000);

  it('a missing table, and a text cell over 1 MiB', async () => {
    expect(await refusal(craft('DROP TABLE provides'))).toMatch(/no table provides/);
    expect(await refusal(craft(`UPDATE packages SET summary = hex(zeroblob(600000)) WHERE pkgKey = (SELECT min(pkgKey) FROM packages)`))).toMatch(/a text of 1200000 characters/);
  }, 30_000);

  it('optional weak-dependency tables may be absent (older createrepo)', async () => {
    const { store } = await readPrimarySqlite(craft('DROP TABLE recommends; DROP TABLE suggests; DROP TABLE supplements; DROP TABLE enhances'));
    expect(store.count).toBeGreaterThan(10);
  });

  it('not a database at all: sqlite\'s own error, mapped', async () => {
    const p = join(tmp.dir, 'html.sqlite');
    writeFileSync(p, `<html>${'x'.repeat(5000)}</html>`);
    expect(await refusal(p)).toMatch(/sqlite: .*not a database/);
  });
});
