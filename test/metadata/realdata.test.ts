// Loads real CentOS Stream 9 repodata through file:// and checks it against createrepo_c's own
// view of the same XML: sqliterepo_c builds primary/filelists sqlite DBs, sqlite3 reads them.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fetcher } from '../../src/fetch/index.js';
import { filterModular, loadRepo, plainPackage, type LoadedRepo } from '../../src/metadata/index.js';
import { Sense, type Dep, type RepoPackage } from '../../src/types/index.js';
import { sharedPath } from '../helpers/realdata.js';

const REAL = sharedPath('realdata/repos');
const tools = ['sqliterepo_c', 'sqlite3'].every((t) => spawnSync(t, ['--version'], { stdio: 'ignore' }).status === 0);
const ok = existsSync(join(REAL, 'cs9-baseos-20220207')) && tools;
if (!ok) console.warn(`skipping real repodata tests: ${existsSync(REAL) ? 'sqliterepo_c/sqlite3 missing' : `${REAL} absent`}`);

/** Copy repodata, drop records whose files are absent (other.xml), and let createrepo_c build sqlite. */
function sqliteOf(repo: string, tmp: string): { primary: string; filelists: string } {
  const dir = join(tmp, repo);
  cpSync(join(REAL, repo, 'repodata'), join(dir, 'repodata'), { recursive: true });
  chmodSync(join(dir, 'repodata'), 0o755);
  for (const f of readdirSync(join(dir, 'repodata'))) chmodSync(join(dir, 'repodata', f), 0o644);
  const mdPath = join(dir, 'repodata', 'repomd.xml');
  const md = readFileSync(mdPath, 'utf8').replace(/<data type="[^"]+">[\s\S]*?<\/data>\s*/g, (d) => {
    const href = /href="repodata\/([^"]+)"/.exec(d)?.[1] ?? '';
    return existsSync(join(dir, 'repodata', href)) ? d : '';
  });
  writeFileSync(mdPath, md);
  execFileSync('sqliterepo_c', ['--quiet', '--compress-type', 'gz', dir]);
  const out = { primary: '', filelists: '' };
  for (const f of readdirSync(join(dir, 'repodata'))) {
    const m = /-(primary|filelists)\.sqlite\.gz$/.exec(f);
    if (!m) continue;
    const p = join(tmp, `${repo}-${m[1]}.sqlite`);
    writeFileSync(p, gunzipSync(readFileSync(join(dir, 'repodata', f))));
    out[m[1] as 'primary' | 'filelists'] = p;
  }
  return out;
}

function q<T>(db: string, sql: string): T[] {
  const out = execFileSync('sqlite3', ['-json', db, sql], { maxBuffer: 512 << 20 }).toString();
  return out.trim() ? (JSON.parse(out) as T[]) : [];
}

interface Row { pkgKey: number; pkgId: string; name: string; arch: string; epoch: string; version: string; release: string; location_href: string; size_package: number; rpm_sourcerpm: string; time_build: number }
interface DepRow { pkgKey: number; name: string; flags: string | null; epoch: string | null; version: string | null; release: string | null; pre?: string | number }

const FLAGS: Record<string, number> = { EQ: Sense.EQUAL, LT: Sense.LESS, LE: Sense.LESS | Sense.EQUAL, GT: Sense.GREATER, GE: Sense.GREATER | Sense.EQUAL };
const depOf = (r: DepRow): Dep => {
  let flags = r.flags ? FLAGS[r.flags] ?? -1 : 0;
  if (r.pre === 'TRUE' || r.pre === 1 || r.pre === '1') flags |= Sense.PREREQ | Sense.SCRIPT_PRE;
  let v = r.version ?? '';
  if (r.epoch && r.epoch !== '0') v = `${r.epoch}:${v}`;
  if (r.release) v += `-${r.release}`;
  return { name: r.name, flags, version: v };
};
const nevra = (p: { name: string; epoch: number | string; version: string; release: string; arch: string }): string => `${p.name}-${p.epoch}:${p.version}-${p.release}.${p.arch}`;
const sortDeps = (d: readonly Dep[]): Dep[] => [...d].map((x) => ({ ...x })).sort((a, b) => `${a.name}\0${a.version}\0${a.flags}`.localeCompare(`${b.name}\0${b.version}\0${b.flags}`));

describe.skipIf(!ok)('real CentOS Stream 9 repodata via file://', () => {
  let tmp: string;
  let fetcher: Fetcher;
  const db: Record<string, { primary: string; filelists: string }> = {};
  const loaded: Record<string, LoadedRepo> = {};

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'rfs-realdata-'));
    fetcher = new Fetcher({ cacheDir: join(tmp, 'cache') });
    for (const repo of ['cs9-baseos-20220207', 'cs9-appstream-20250113']) {
      db[repo] = sqliteOf(repo, tmp);
      loaded[repo] = await loadRepo({ id: repo, baseurl: [pathToFileURL(join(REAL, repo)).href + '/'], enabled: true }, fetcher, { arch: 'x86_64', cacheDir: join(tmp, 'cache') });
    }
  }, 120_000);
  afterAll(async () => {
    await fetcher?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  for (const repo of ['cs9-baseos-20220207', 'cs9-appstream-20250113']) {
    it(`${repo}: same packages (count and every NEVRA, checksum, location)`, () => {
      const rows = q<Row>(db[repo]!.primary, "select * from packages where arch not in ('src','nosrc')");
      const ours = loaded[repo]!.packages;
      expect(ours.length).toBe(rows.length);
      expect(ours.map((p) => `${nevra(p)} ${p.checksum.value} ${p.location} ${p.packageSize} ${p.sourcerpm} ${p.buildtime}`).sort())
        .toEqual(rows.map((r) => `${nevra(r)} ${r.pkgId} ${r.location_href} ${r.size_package} ${r.rpm_sourcerpm} ${r.time_build}`).sort());
    });

    it(`${repo}: deps of a sample of packages match (all eight kinds, flags, EVR, pre)`, () => {
      const rows = q<Row>(db[repo]!.primary, 'select pkgKey, pkgId from packages order by pkgKey');
      const byId = new Map<string, RepoPackage>(loaded[repo]!.packages.map((p) => [p.checksum.value, p]));
      const sample = rows.filter((_, i) => i % Math.ceil(rows.length / 40) === 0);
      const keys = sample.map((r) => r.pkgKey).join(',');
      for (const kind of ['provides', 'requires', 'conflicts', 'obsoletes', 'recommends', 'suggests', 'supplements', 'enhances'] as const) {
        const deps = q<DepRow>(db[repo]!.primary, `select * from ${kind} where pkgKey in (${keys})`);
        for (const r of sample) {
          const p = byId.get(r.pkgId);
          expect(p, r.pkgId).toBeDefined();
          // createrepo_c's sqlite drops the rpmlib() requires that primary.xml also omits: compare as sets.
          expect(sortDeps(p![kind]), `${p!.name} ${kind}`).toEqual(sortDeps(deps.filter((d) => d.pkgKey === r.pkgKey).map(depOf)));
        }
      }
    });
  }

  it('primary file lists match, and filelists.xml adds the rest on demand', async () => {
    const repo = 'cs9-baseos-20220207';
    const lr = loaded[repo]!;
    const pk = q<{ pkgKey: number; pkgId: string }>(db[repo]!.filelists, 'select pkgKey, pkgId from packages');
    const fl = q<{ pkgKey: number; dirname: string; filenames: string }>(db[repo]!.filelists, 'select pkgKey, dirname, filenames from filelist');
    const want = new Map<string, string[]>();
    const idOf = new Map(pk.map((p) => [p.pkgKey, p.pkgId]));
    for (const r of fl) {
      const id = idOf.get(r.pkgKey)!;
      const list = want.get(id) ?? [];
      for (const f of r.filenames.split("/")) list.push(`${r.dirname === "/" ? "" : r.dirname}/${f}`);
      want.set(id, list);
    }
    // sqlite spells the root directory ambiguously ('/' + ''): compare as sets.
    for (const [k, v] of want) want.set(k, [...new Set(v)]);
    expect(lr.hasFilelists).toBe(true);
    const all = await lr.loadFilelists();
    expect(all.length).toBe(lr.packages.length);
    let files = 0;
    lr.packages.forEach((p, i) => {
      expect([...all[i]!].sort(), p.name).toEqual([...(want.get(p.checksum.value) ?? [])].sort());
      for (const f of p.files) expect(all[i]).toContain(f);
      files += all[i]!.length;
    });
    expect(files).toBe([...want.values()].reduce((n, v) => n + v.length, 0));
    const bash = lr.packages.findIndex((p) => p.name === 'bash');
    expect(all[bash]).toContain('/usr/bin/bash');
    // The next load's filelists come from the binary cache, identical.
    const again = await loadRepo(lr.config, fetcher, { arch: 'x86_64', cacheDir: join(tmp, 'cache') });
    expect(readdirSync(join(tmp, 'cache', 'pool')).some((f) => f.endsWith('.files'))).toBe(true);
    expect(await again.loadFilelists()).toEqual(all);
  });

  it('a repo offering only primary.sqlite loads the same packages', async () => {
    const repo = 'cs9-baseos-20220207';
    const dir = join(tmp, repo);
    // sqliteOf() left createrepo_c's primary_db next to the XML; keep only it.
    const mdPath = join(dir, 'repodata', 'repomd.xml');
    writeFileSync(mdPath, readFileSync(mdPath, 'utf8').replace(/<data type="(primary|filelists|other|filelists_db|other_db)">[\s\S]*?<\/data>\s*/g, ''));
    expect(readFileSync(mdPath, 'utf8')).toContain('primary_db');
    const r = await loadRepo({ id: repo, baseurl: [pathToFileURL(dir).href + '/'], enabled: true }, fetcher, { arch: 'x86_64', cacheDir: join(tmp, 'cache-sqlite') });
    const key = (p: RepoPackage): string => `${nevra(p)} ${p.checksum.value}`;
    const byKey = new Map(r.packages.map((p) => [key(p), p]));
    expect(r.packages.length).toBe(loaded[repo]!.packages.length);
    for (const p of loaded[repo]!.packages) {
      const q = byKey.get(key(p));
      expect(q, key(p)).toBeDefined();
      for (const k of ['provides', 'requires', 'conflicts', 'obsoletes', 'recommends', 'suggests', 'supplements', 'enhances'] as const) expect(sortDeps(q![k]), `${p.name} ${k}`).toEqual(sortDeps(p[k]));
      expect([...q!.files].sort()).toEqual([...p.files].sort());
      expect(q).toMatchObject({ location: p.location, summary: p.summary, license: p.license, sourcerpm: p.sourcerpm, packageSize: p.packageSize });
    }
  });

  it('comps groups and modules are read', () => {
    const bo = loaded['cs9-baseos-20220207']!;
    const core = bo.groups.find((g) => g.id === 'core');
    expect(core?.mandatory).toEqual(expect.arrayContaining(['bash', 'coreutils', 'rpm']));
    const as = loaded['cs9-appstream-20250113']!;
    expect(as.groups.length).toBeGreaterThan(10);
    expect(as.modules?.streams.length).toBeGreaterThan(10);
    expect(as.modules?.streams.some((s) => s.name === 'nodejs' && s.artifacts.length > 0)).toBe(true);
  });

  it('modular filtering hides non-default streams as dnf does', () => {
    const as = loaded['cs9-appstream-20250113']!;
    const copy: LoadedRepo = { ...as, packages: [...as.packages] };
    const nodes = (ps: RepoPackage[]): string[] => [...new Set(ps.filter((p) => p.name === 'nodejs').map((p) => p.version.split('.')[0]!))].sort();
    // EL9 ships nodejs 16 non-modular; the 18/20/22 streams are modules without defaults.
    expect(nodes(copy.packages)).toEqual(expect.arrayContaining(['16', '18', '20']));
    filterModular([copy]);
    expect(nodes(copy.packages)).toEqual(['16']);
    const enabled: LoadedRepo = { ...as, packages: [...as.packages] };
    filterModular([enabled], { enable: ['nodejs:20'] });
    expect(nodes(enabled.packages)).toEqual(['20']);
  });

  it('a second load comes from the binary pool cache and is identical', async () => {
    const repo = 'cs9-appstream-20250113';
    const events: string[] = [];
    const again = await loadRepo({ id: repo, baseurl: [pathToFileURL(join(REAL, repo)).href + '/'], enabled: true }, fetcher, {
      arch: 'x86_64', cacheDir: join(tmp, 'cache'), onEvent: (e) => { if (e.kind === 'repo:loaded') events.push(`${e.packages} ${e.fromCache}`); },
    });
    expect(events).toEqual([`${loaded[repo]!.packages.length} true`]);
    expect(again.packages.map(plainPackage)).toEqual(loaded[repo]!.packages.map(plainPackage));
  });

  it('comps environments are read (grouplist and optionlist)', () => {
    const env = loaded['cs9-baseos-20220207']!.environments?.find((e) => e.id === 'minimal-environment');
    expect(env).toEqual({ id: 'minimal-environment', name: 'Minimal Install', groups: ['core'], options: ['guest-agents', 'standard'] });
  });

  it('the stored name indexes list exactly what a scan of the packages finds', async () => {
    // a warm load: the indexes come from the pool cache, strings are decoded on demand
    const repo = 'cs9-baseos-20220207';
    const warm = await loadRepo({ id: repo, baseurl: [pathToFileURL(join(REAL, repo)).href + '/'], enabled: true }, fetcher, { arch: 'x86_64', cacheDir: join(tmp, 'cache') });
    const ix = warm.index!;
    const all = warm.packages;
    const rec = (p: RepoPackage): number => ix.recordOf(p);
    const want = new Map<string, string[]>();
    const put = (name: string, v: string): void => { (want.get(name) ?? want.set(name, []).get(name)!).push(v); };
    for (const p of all) {
      p.provides.forEach((d, k) => put(d.name, `${rec(p)}:${k}`));
      const self = p.provides.some((d) => d.name === p.name && (d.flags & Sense.EQUAL) !== 0 &&
        [`${p.epoch ? `${p.epoch}:` : ''}${p.version}-${p.release}`, `0:${p.version}-${p.release}`, `${p.epoch}:${p.version}-${p.release}`].includes(d.version));
      if (!self) put(p.name, `${rec(p)}:-1`);
      for (const f of p.files) put(f, `${rec(p)}:-2`);
    }
    const pairs = (a: Int32Array | undefined): string[] => {
      const out: string[] = [];
      for (let i = 0; a && i < a.length; i += 2) out.push(`${a[i]}:${a[i + 1]}`);
      return out.sort();
    };
    let checked = 0;
    for (const [name, v] of want) { expect(pairs(ix.provides(name)), name).toEqual(v.sort()); checked++; }
    expect(checked).toBeGreaterThan(10_000);
    expect(ix.provides('no such provide')).toBeUndefined();
    for (const p of all.slice(0, 200)) {
      expect(pairs(ix.named(p.name))).toEqual(all.filter((q) => q.name === p.name).map((q) => `${rec(q)}:0`).sort());
      p.obsoletes.forEach((d, k) => expect(pairs(ix.obsoletes(d.name))).toContain(`${rec(p)}:${k}`));
      if (p.provides.length) expect(ix.provide(rec(p), 0)).toBe(p.provides[0]);
    }
  });
});
