// One repository: mirrors -> repomd.xml -> primary (via the binary pool cache) -> comps,
// modules; filelists and updateinfo only when asked.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RfsError, isRfsError, untrusted } from '../errors/index.js';
import type { Advisory, Checksum, CompsEnvironment, CompsGroup, EventSink, ModuleDefaults, ModuleStream, RepoConfig, RepoPackage } from '../types/index.js';
import { createDigest } from '../util/checksum.js';
import { baseProblem, repoOrigins, type RepoOrigins } from '../util/href.js';
import { globToRegExp } from '../util/glob.js';
import { writeViaOwnedTemp } from '../util/owner.js';
import { COMPS_MAX_BYTES, FILELISTS_LIMITS, MODULES_MAX_BYTES, PRIMARY_LIMITS, SQLITE_MAX_BYTES } from './limits.js';
import { strAt, type PackageStore } from './store.js';
import { readFilelistsCache, readStoreCache, writeFilelistsCache, writeStoreCache } from './pool-cache.js';
import { parseRepomd, pickRecord, type Repomd, type RepomdRecord } from './repomd.js';
import type { Comps } from './comps.js';
import { StoreIndex, storedPackages } from './stored-package.js';
// Parsers (and the xml2js, yaml, sax and sql.js they load) are imported only on a cache miss.
const stream = (): Promise<typeof import('./stream.js')> => import('./stream.js');

/** What loadRepo needs from a Fetcher (src/fetch implements it; metadata may not import fetch). */
export interface MetadataFetcher {
  fetchFile(urls: string[], relPath: string, expected?: Checksum, opts?: { size?: number }): Promise<{ path: string; bytes: number; fromCache: boolean; url: string }>;
  fetchBytes(url: string | string[], opts?: { maxBytes?: number }): Promise<Uint8Array>;
  resolveMirrors(repo: RepoConfig): Promise<{ baseUrls: string[]; repomdChecksums: Checksum[] }>;
}

export interface LoadedRepo {
  config: RepoConfig;
  /** mirror order after mirrorlist/metalink */
  baseUrls: string[];
  packages: RepoPackage[];
  groups: CompsGroup[];
  /** comps environments (absent: none) */
  environments?: CompsEnvironment[];
  modules: { streams: ModuleStream[]; defaults: ModuleDefaults[] } | null;
  hasFilelists: boolean;
  /** all file paths per package, index = position in `packages` at call time */
  loadFilelists(): Promise<string[][]>;
  /** repomd lists updateinfo (advisories) */
  hasUpdateinfo: boolean;
  /** the repo's advisories, fetched and parsed on the first call ([] without updateinfo) */
  loadUpdateinfo(): Promise<Advisory[]>;
  /** name indexes over the primary's records (the solver's pool reads provides from them) */
  index?: StoreIndex;
  /** repomd revision and the primary checksum the pool was keyed by */
  revision: string;
  primaryChecksum: Checksum;
  /** sha256 of the repomd.xml served (the lockfile records it to notice a moved mirror) */
  repomdChecksum: Checksum;
}

export interface LoadRepoOptions {
  arch: string;
  cacheDir: string;
  onEvent?: EventSink;
  signal?: AbortSignal;
  /** 'fast' (default) or the reference `sax` tokenizer */
  tokenizer?: 'fast' | 'sax';
  /** skip reading/writing the binary pool cache */
  noPoolCache?: boolean;
}

/** Where the pool of a primary with this checksum is cached. */
export function poolCachePath(cacheDir: string, sum: Checksum): string {
  return join(cacheDir, 'pool', `${sum.type}-${sum.value}.pool`);
}

async function fetchRepomd(repo: RepoConfig, fetcher: MetadataFetcher, baseUrls: string[], sums: Checksum[]): Promise<{ md: Repomd; url: string; sha256: string }> {
  const urls = baseUrls.map((b) => `${b.endsWith('/') ? b : `${b}/`}repodata/repomd.xml`);
  const url = urls[0] ?? '';
  let bytes: Uint8Array;
  try {
    bytes = await fetcher.fetchBytes(urls, { maxBytes: 16 * 1024 * 1024 });
  } catch (err) {
    if (isRfsError(err) && (err.code === 'RFS_HTTP_STATUS' || err.code === 'RFS_FETCH_FAILED')) {
      throw new RfsError(err.code, `fetching repomd.xml of repo ${repo.id}: ${err.message.replace(/^fetching \S+: /, '')}`, {
        subject: err.subject ?? url, cause: err, details: err.details,
        hint: err.hint ?? (err.code === 'RFS_FETCH_FAILED'
          ? 'the mirror could not be reached: check the network or proxy (HTTPS_PROXY), or point --mirror at a reachable copy'
          : 'is the release/arch right? is the mirror a vault?'),
      });
    }
    throw err;
  }
  if (sums.length) {
    // A metalink lists the repomd.xml checksums current mirrors must serve.
    const ok = sums.some((s) => createDigest(s.type).update(bytes).digest('hex') === s.value);
    if (!ok) {
      throw new RfsError('RFS_CHECKSUM_MISMATCH', `verifying repomd.xml of repo ${repo.id}: matches none of the metalink's checksums`, {
        subject: url, hint: 'the mirror is stale or mid-sync; try again or pick another mirror',
      });
    }
  }
  const sha256 = createDigest('sha256').update(bytes).digest('hex');
  return { md: await parseRepomd(Buffer.from(bytes).toString('utf8'), { url, repo: repo.id }), url, sha256 };
}

/** Refuse any xml:base (of a repomd record or a package) that leaves the repo's own origins. */
function checkBases(repo: RepoConfig, md: Repomd, store: PackageStore | undefined, allowed: RepoOrigins, subject: string): void {
  const refuse = (what: string, base: string, why: string): RfsError => new RfsError('RFS_METADATA_MALFORMED',
    `loading repo ${repo.id}: ${what} xml:base ${untrusted(base)} refused: ${why}`, {
      subject, hint: 'a repo may only point at its own mirrors (and at local files only when configured with file://)',
    });
  for (const rec of md.records.values()) {
    if (rec.locationBase === undefined) continue;
    const why = baseProblem(rec.locationBase, allowed);
    if (why !== undefined) throw refuse(rec.type, rec.locationBase, why);
  }
  if (!store) return;
  // A handful of distinct values at most: each string id is judged once.
  const seen = new Set<number>();
  const col = store.str.locationBase;
  for (let i = 0; i < col.length; i++) {
    const id = col[i]!;
    if (id === 0 || seen.has(id)) continue;
    seen.add(id);
    const base = strAt(store, id);
    const why = base ? baseProblem(base, allowed) : undefined;
    if (why !== undefined) throw refuse(`package ${untrusted(strAt(store, store.str.name[i]!), 80)}`, base, why);
  }
}

function recordUrls(rec: RepomdRecord, baseUrls: string[]): string[] {
  return rec.locationBase ? [rec.locationBase] : baseUrls;
}

/** Fetch a repomd-listed file; failures say which repo and which metadata they were about. */
async function fetchRecord(repo: RepoConfig, fetcher: MetadataFetcher, rec: RepomdRecord, baseUrls: string[]): Promise<{ path: string; url: string }> {
  try {
    return await fetcher.fetchFile(recordUrls(rec, baseUrls), rec.location, rec.checksum, rec.size !== undefined ? { size: rec.size } : {});
  } catch (err) {
    if (!isRfsError(err) || err.code === 'RFS_ABORTED') throw err;
    throw new RfsError(err.code, `loading ${rec.type} of repo ${repo.id}: ${err.message}`, {
      cause: err, details: err.details, ...(err.subject ? { subject: err.subject } : {}), ...(err.hint ? { hint: err.hint } : {}),
    });
  }
}

async function loadPrimary(repo: RepoConfig, fetcher: MetadataFetcher, rec: RepomdRecord, baseUrls: string[], opts: LoadRepoOptions): Promise<{ store: PackageStore; fromCache: boolean }> {
  const cachePath = poolCachePath(opts.cacheDir, rec.checksum);
  if (!opts.noPoolCache) {
    const cached = readStoreCache(cachePath);
    if (cached) return { store: cached, fromCache: true };
  }
  const got = await fetchRecord(repo, fetcher, rec, baseUrls);
  const src = { path: got.path, url: got.url, repo: repo.id, ...(opts.tokenizer ? { tokenizer: opts.tokenizer } : {}), limits: PRIMARY_LIMITS, declared: declaredOf(rec) };
  if (rec.type === 'primary_db') {
    let store: PackageStore;
    const [{ readPrimarySqlite }, { metadataError, openLimit }] = await Promise.all([import('./primary-sqlite.js'), stream()]);
    try {
      const read = await readPrimarySqlite(got.path, { subject: got.url, declared: src.declared, maxBytes: openLimit(src.declared, SQLITE_MAX_BYTES) });
      store = read.store;
      reportDuplicates(repo, read.duplicates, got.url, opts);
    } catch (err) { throw metadataError(err, src, 'primary.sqlite'); }
    if (!opts.noPoolCache) writeStoreCache(cachePath, store);
    return { store, fromCache: false };
  }
  const [{ primaryParser, MetadataFormatError }, { metadataError, parseXmlWithFallback }] = await Promise.all([import('./primary.js'), stream()]);
  const pp = await parseXmlWithFallback(src, primaryParser, (p) => p.machine, 'primary.xml');
  reportDuplicates(repo, pp.duplicates(), got.url, opts);
  let store: PackageStore;
  try {
    store = pp.finish();
  } catch (err) {
    throw metadataError(new MetadataFormatError(err instanceof Error ? err.message : String(err)), src, 'primary.xml');
  }
  const declared = pp.declared();
  if (declared !== undefined && declared !== store.count + pp.duplicates().length) {
    throw new RfsError('RFS_METADATA_MALFORMED', `parsing primary.xml of repo ${repo.id}: declares ${declared} packages, contains ${store.count + pp.duplicates().length}`, { subject: got.url });
  }
  if (!opts.noPoolCache) writeStoreCache(cachePath, store);
  return { store, fromCache: false };
}

export async function loadRepo(repo: RepoConfig, fetcher: MetadataFetcher, opts: LoadRepoOptions): Promise<LoadedRepo> {
  const mirrors = await fetcher.resolveMirrors(repo);
  const configured = [...(repo.baseurl ?? []), repo.mirrorlist ?? '', repo.metalink ?? ''].filter((u) => u !== '');
  const allowed = repoOrigins(configured, mirrors.baseUrls);
  // A remote mirror list may not send us to local files: only the user's own config may name file:.
  const baseUrls = mirrors.baseUrls.filter((u) => allowed.local || !/^file:/i.test(u));
  if (baseUrls.length < mirrors.baseUrls.length) {
    opts.onEvent?.({ kind: 'warning', code: 'RFS_METADATA_MALFORMED', message: `mirror list of ${repo.id} names local file: mirrors; ignored`, subject: repo.mirrorlist ?? repo.metalink ?? repo.id });
  }
  if (baseUrls.length === 0) {
    throw new RfsError('RFS_NO_MIRROR', `loading repo ${repo.id}: no baseurl, mirrorlist or metalink`, { subject: repo.id });
  }
  const { md, url: repomdUrl, sha256: repomdSha256 } = await fetchRepomd(repo, fetcher, baseUrls, mirrors.repomdChecksums);
  checkBases(repo, md, undefined, allowed, repomdUrl);
  // primary.xml, or createrepo's sqlite database when that is all there is.
  const prim = pickRecord(md, 'primary') ?? md.records.get('primary_db');
  if (!prim) {
    throw new RfsError('RFS_METADATA_MALFORMED', `loading repo ${repo.id}: repomd.xml lists no primary metadata`, { subject: repomdUrl });
  }
  // Primary, comps and modules download in parallel.
  const groupRec = pickRecord(md, 'group');
  const modRec = pickRecord(md, 'modules');
  const [{ store, fromCache }, { groups, environments }, modules] = await Promise.all([
    loadPrimary(repo, fetcher, prim, baseUrls, opts),
    groupRec ? loadGroups(repo, fetcher, groupRec, baseUrls, opts) : Promise.resolve({ groups: [], environments: [] }),
    modRec ? loadModules(repo, fetcher, modRec, baseUrls, opts) : Promise.resolve(null),
  ]);
  // on every load, cached or not: the same primary may be served by a repo with other mirrors
  checkBases(repo, md, store, allowed, repomdUrl);
  const excludes = (repo.exclude ?? []).map((g) => globToRegExp(g));
  const all = storedPackages(store, repo.id);
  const includes = repo.includepkgs?.length ? repo.includepkgs.map((g) => globToRegExp(g)) : null;
  const packages = all.filter((p) => p.arch !== 'src' && p.arch !== 'nosrc' && !excludes.some((re) => re.test(p.name)) && (!includes || includes.some((re) => re.test(p.name))));

  const flRec = pickRecord(md, 'filelists');
  let filelists: Promise<string[][]> | undefined;
  const uiRec = pickRecord(md, 'updateinfo');
  let updateinfo: Promise<Advisory[]> | undefined;
  const loaded: LoadedRepo = {
    config: repo, baseUrls, packages, groups, environments, modules, hasFilelists: flRec !== undefined, index: new StoreIndex(store),
    revision: md.revision, primaryChecksum: prim.checksum, repomdChecksum: { type: 'sha256', value: repomdSha256 },
    loadFilelists: async () => {
      if (!flRec) return loaded.packages.map((p) => p.files);
      filelists ??= loadFilelists(repo, fetcher, flRec, baseUrls, all, prim.checksum, opts);
      const byOriginal = await filelists;
      // `packages` may have been filtered (filterModular): match by identity.
      const originalIndex = new Map<RepoPackage, number>();
      all.forEach((p, i) => originalIndex.set(p, i));
      return loaded.packages.map((p) => byOriginal[originalIndex.get(p) ?? -1] ?? p.files);
    },
    hasUpdateinfo: uiRec !== undefined,
    loadUpdateinfo: () => {
      if (!uiRec) return Promise.resolve([]);
      updateinfo ??= loadUpdateinfo(repo, fetcher, uiRec, baseUrls, opts);
      return updateinfo;
    },
  };
  opts.onEvent?.({ kind: 'repo:loaded', repo: repo.id, packages: packages.length, fromCache });
  return loaded;
}

function loadGroups(repo: RepoConfig, fetcher: MetadataFetcher, rec: RepomdRecord, baseUrls: string[], opts: LoadRepoOptions): Promise<Comps> {
  return cachedParse(rec, opts, 'comps', isComps, () =>
    parseText(repo, fetcher, rec, baseUrls, 'comps', COMPS_MAX_BYTES, () => import('./comps.js').then((m) => m.parseCompsAll)));
}

function loadModules(repo: RepoConfig, fetcher: MetadataFetcher, rec: RepomdRecord, baseUrls: string[], opts: LoadRepoOptions): Promise<ModulesData> {
  return cachedParse(rec, opts, 'modules', isModules, () =>
    parseText(repo, fetcher, rec, baseUrls, 'modules.yaml', MODULES_MAX_BYTES, () => import('./modules.js').then((m) => m.parseModules)));
}

/** Fetch a small record, read it whole and hand it to its parser (imported only now: a cache hit never loads it). */
async function parseText<T>(
  repo: RepoConfig, fetcher: MetadataFetcher, rec: RepomdRecord, baseUrls: string[], what: string, hardCap: number,
  parser: () => Promise<(text: string, src: { url: string; repo: string }) => T | Promise<T>>,
): Promise<T> {
  const got = await fetchRecord(repo, fetcher, rec, baseUrls);
  const src = { url: got.url, repo: repo.id };
  const [parse, { metadataError, openLimit, readAll }] = await Promise.all([parser(), stream()]);
  let text: string;
  const declared = declaredOf(rec);
  try {
    text = await readAll(got.path, { subject: got.url, declared, maxBytes: openLimit(declared, hardCap) });
  } catch (err) { throw metadataError(err, src, what); }
  return await parse(text, src);
}

async function loadFilelists(repo: RepoConfig, fetcher: MetadataFetcher, rec: RepomdRecord, baseUrls: string[], all: RepoPackage[], primary: Checksum, opts: LoadRepoOptions): Promise<string[][]> {
  // Aligned to the primary's package order, so keyed by both checksums.
  const cachePath = join(opts.cacheDir, 'pool', `${rec.checksum.type}-${rec.checksum.value}.${primary.value.slice(0, 16)}.files`);
  if (!opts.noPoolCache) {
    const cached = readFilelistsCache(cachePath, all.length);
    if (cached) return cached;
  }
  const got = await fetchRecord(repo, fetcher, rec, baseUrls);
  const byId = new Map<string, number>();
  all.forEach((p, i) => byId.set(p.checksum.value, i));
  const [{ filelistsParser }, { parseXmlWithFallback }] = await Promise.all([import('./filelists.js'), stream()]);
  const make = (): { out: string[][]; machine: ReturnType<typeof filelistsParser> } => {
    const out = all.map((p) => p.files);
    return { out, machine: filelistsParser((key, files) => { const i = byId.get(key.pkgid); if (i !== undefined) out[i] = files; }) };
  };
  const src = { path: got.path, url: got.url, repo: repo.id, ...(opts.tokenizer ? { tokenizer: opts.tokenizer } : {}), limits: FILELISTS_LIMITS, declared: declaredOf(rec) };
  const { out } = await parseXmlWithFallback(src, make, (m) => m.machine, 'filelists.xml');
  if (!opts.noPoolCache) writeFilelistsCache(cachePath, out);
  return out;
}

function loadUpdateinfo(repo: RepoConfig, fetcher: MetadataFetcher, rec: RepomdRecord, baseUrls: string[], opts: LoadRepoOptions): Promise<Advisory[]> {
  return cachedParse(rec, opts, 'advisories', isAdvisories, async () => {
    const got = await fetchRecord(repo, fetcher, rec, baseUrls);
    const { readUpdateinfo } = await import('./updateinfo.js');
    return readUpdateinfo({ path: got.path, url: got.url, repo: repo.id, declared: declaredOf(rec) });
  });
}

/** open-checksum and open-size of a record, for the reader to verify. */
function declaredOf(rec: RepomdRecord): { openChecksum?: Checksum; openSize?: number } {
  return { ...(rec.openChecksum ? { openChecksum: rec.openChecksum } : {}), ...(rec.openSize !== undefined ? { openSize: rec.openSize } : {}) };
}

/** Identical packages are kept once (as libsolv does); the mirror's sloppiness is said once per repo. */
function reportDuplicates(repo: RepoConfig, dups: readonly string[], subject: string, opts: LoadRepoOptions): void {
  if (dups.length === 0) return;
  const first = dups.slice(0, 3).map((d) => untrusted(d, 100)).join(', ');
  opts.onEvent?.({
    kind: 'warning', code: 'RFS_METADATA_MALFORMED', subject,
    message: `repo ${repo.id} lists ${dups.length} duplicate package record${dups.length === 1 ? '' : 's'} (kept the first of each): ${first}${dups.length > 3 ? ', ...' : ''}`,
  });
}

type ModulesData = NonNullable<LoadedRepo['modules']>;
const isComps = (v: unknown): v is Comps => typeof v === 'object' && v !== null && Array.isArray((v as Comps).groups) && Array.isArray((v as Comps).environments);
const isAdvisory = (a: unknown): a is Advisory => typeof a === 'object' && a !== null && typeof (a as Advisory).id === 'string' && Array.isArray((a as Advisory).packages) && Array.isArray((a as Advisory).references);
const isAdvisories = (v: unknown): v is Advisory[] => Array.isArray(v) && v.every(isAdvisory);
const isModules = (v: unknown): v is ModulesData => typeof v === 'object' && v !== null && Array.isArray((v as ModulesData).streams) && Array.isArray((v as ModulesData).defaults);

/** comps, modules.yaml and updateinfo parse slowly (xml2js, yaml, sax) and are small parsed: keep them as JSON, keyed like the pool. */
async function cachedParse<T>(rec: RepomdRecord, opts: LoadRepoOptions, what: string, guard: (v: unknown) => v is T, parse: () => Promise<T>): Promise<T> {
  const path = join(opts.cacheDir, 'pool', `${rec.checksum.type}-${rec.checksum.value}.${rec.type}.${what}.json`);
  if (!opts.noPoolCache) {
    try {
      const v: unknown = JSON.parse(readFileSync(path, 'utf8'));
      if (guard(v)) return v;
    } catch { /* not cached yet */ }
  }
  const value = await parse();
  if (!opts.noPoolCache) {
    try {
      writeViaOwnedTemp(path, JSON.stringify(value));
    } catch { /* best effort */ }
  }
  return value;
}
