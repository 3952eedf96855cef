// Reads repos/**/*.yaml and turns a tag ("centos:4.9") into a DistroRelease.
import { readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { RfsError } from '../errors/index.js';
import type { DistroRelease, RepoConfig, RpmdbTarget } from '../types/index.js';
import { validateDistroFile, type DistroFile, type ReleaseDef } from './schema.js';
import { packageRoot } from '../util/package-root.js';
import { didYouMean } from '../util/suggest.js';
import { definitionDoc, readPrebuilt, yamlFiles } from './prebuilt.js';
import { baseArch, substitute } from './vars.js';

/** repos/ at the package root */
export const DEFAULT_REPOS_DIR = join(packageRoot(import.meta.url), 'repos/');

interface TagEntry { tag: string; file: DistroFile; release: ReleaseDef; source: string }

const indexCache = new Map<string, Map<string, TagEntry>>();

/**
 * Parse and validate definition files; all problems of all files in one error. With `only`, just
 * the files under repos/<dir> whose name the tag's distro starts (`centos:4.9` -> repos/centos/):
 * parsing every file costs ~100 ms of start-up. Tags found nowhere else fall back to all files.
 */
function loadIndex(reposDir: string, only?: string): Map<string, TagEntry> {
  const key = `${reposDir}\0${only ?? ''}`;
  const cached = indexCache.get(key) ?? indexCache.get(`${reposDir}\0`);
  if (cached) return cached;
  const index = new Map<string, TagEntry>();
  const problems: string[] = [];
  let files: string[];
  try {
    files = yamlFiles(reposDir);
  } catch (cause) {
    throw new RfsError('RFS_BAD_CONFIG', `reading distro definitions: cannot list ${reposDir}`, { subject: reposDir, cause });
  }
  if (only !== undefined) files = files.filter((f) => relative(reposDir, f).split(/[\\/]/)[0] === only);
  const prebuilt = readPrebuilt(reposDir);
  for (const f of files) {
    const rel = relative(reposDir, f);
    let doc: unknown;
    try {
      doc = definitionDoc(readFileSync(f, 'utf8'), rel.split(/[\\/]/).join('/'), prebuilt);
    } catch (cause) {
      problems.push(`${rel}: ${cause instanceof Error ? cause.message : String(cause)}`);
      continue;
    }
    const { value, errors } = validateDistroFile(doc);
    if (!value) { problems.push(...errors.map((e) => `${rel}: ${e}`)); continue; }
    for (const r of value.releases) {
      for (const tag of r.tags ?? [`${value.distro}:${r.release}`]) {
        const prev = index.get(tag);
        if (prev) problems.push(`${rel}: tag ${tag} already defined in ${prev.source}`);
        else index.set(tag, { tag, file: value, release: r, source: rel });
      }
    }
  }
  if (problems.length) {
    throw new RfsError('RFS_BAD_CONFIG', `reading distro definitions: ${problems[0] ?? ""}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ""}`, {
      subject: reposDir, details: problems, hint: problems.slice(0, 5).join('; '),
    });
  }
  indexCache.set(key, index);
  return index;
}

export function listDistros(reposDir: string = DEFAULT_REPOS_DIR): { tag: string; prettyName: string; eol: boolean }[] {
  const out: { tag: string; prettyName: string; eol: boolean }[] = [];
  for (const e of loadIndex(reposDir).values()) {
    const eol = e.release.eol ?? e.file.eol ?? true;
    out.push({ tag: e.tag, prettyName: (e.release.prettyName ?? e.file.prettyName ?? '').replace('{release}', e.release.release), eol });
  }
  return out.sort((a, b) => a.tag.localeCompare(b.tag, 'en', { numeric: true }));
}

/** The index entry a tag names (case-insensitive; `fedora` = `fedora:latest`), or undefined. */
function findEntry(tag: string, dir: string): { entry?: TagEntry; index: Map<string, TagEntry> } {
  const t = tag.toLowerCase();
  const find = (index: Map<string, TagEntry>): TagEntry | undefined => index.get(t) ?? (t.includes(':') ? undefined : index.get(`${t}:latest`));
  let index = loadIndex(dir, t.split(':')[0]);
  let entry = find(index);
  if (!entry) {
    index = loadIndex(dir);
    entry = find(index);
  }
  return entry ? { entry, index } : { index };
}

/** The canonical tag when `token` names a definition, else undefined (then it is a package name). */
export function knownDistroTag(token: string, reposDir: string = DEFAULT_REPOS_DIR): string | undefined {
  return findEntry(token, reposDir).entry?.tag;
}

export function loadDistro(tag: string, opts: { arch?: string; releasever?: string; reposDir?: string } = {}): DistroRelease {
  const dir = opts.reposDir ?? DEFAULT_REPOS_DIR;
  const { entry: e, index } = findEntry(tag, dir);
  if (!e) {
    const tags = [...index.keys()];
    const near = didYouMean(tag.toLowerCase(), tags, 3);
    // the same distro's tags of the same major release (centos:4.10 -> centos:4, 4.0 ... 4.9)
    const [distro = tag, release = ''] = tag.toLowerCase().split(':');
    const major = release.split('.')[0] ?? '';
    const ofMajor = tags.filter((t) => t === `${distro}:${major}` || t.startsWith(`${distro}:${major}.`));
    const same = ofMajor.length ? ofMajor : tags.filter((t) => t.startsWith(`${distro}:`));
    const hints = [
      ...(near ? [near] : []),
      ...(same.length ? [`known ${ofMajor.length ? `${distro}:${major}` : distro} tags include: ${same.slice(0, 12).join(', ')}`] : []),
    ];
    throw new RfsError('RFS_UNKNOWN_DISTRO', `looking up distro ${tag}: no such definition`, {
      subject: tag,
      hint: hints.length ? `${hints.join(' ')} (rootfs-assemble list shows all)` : 'run `rootfs-assemble list` for the known definitions',
    });
  }
  const f = e.file; const r = e.release;
  const arches = r.arches ?? f.arches ?? [];
  const defaultArch = r.defaultArch ?? f.defaultArch ?? (arches.includes('x86_64') ? 'x86_64' : arches[0] ?? 'x86_64');
  const arch = opts.arch ?? defaultArch;
  if (!arches.includes(baseArch(arch))) {
    throw new RfsError('RFS_UNKNOWN_DISTRO', `looking up distro ${tag}: no ${arch} tree`, {
      subject: tag, hint: `${tag} exists for ${arches.join(', ')}`,
    });
  }
  const archVars = { ...(f.archVars?.[baseArch(arch)] ?? {}), ...(r.archVars?.[baseArch(arch)] ?? {}) };
  const vars = { ...(f.vars ?? {}), ...(r.vars ?? {}), ...archVars };
  // Definition-level variables are fixed now; $releasever/$basearch stay for applyRepoOptions.
  const sub = (s: string): string => substitute(s, vars);
  const major = r.kind === 'major';
  const repos: RepoConfig[] = f.repos.map((d) => {
    const rc: RepoConfig = { id: d.id, enabled: d.enabled === 'always' || (d.enabled === 'major' && major) };
    if (d.name !== undefined) rc.name = d.name;
    if (d.baseurl) rc.baseurl = d.baseurl.map(sub);
    if (d.mirrorlist !== undefined) rc.mirrorlist = sub(d.mirrorlist);
    if (d.metalink !== undefined) rc.metalink = sub(d.metalink);
    if (d.gpgcheck !== undefined) rc.gpgcheck = d.gpgcheck;
    if (d.gpgkey) rc.gpgkey = d.gpgkey.map(sub);
    if (d.priority !== undefined) rc.priority = d.priority;
    if (d.cost !== undefined) rc.cost = d.cost;
    if (d.exclude) rc.exclude = [...d.exclude];
    if (d.moduleHotfixes !== undefined) rc.moduleHotfixes = d.moduleHotfixes;
    return rc;
  });
  const db = { ...f.rpmdb, ...r.rpmdb };
  if (!db.flavour || !db.path || !db.rpmVersion) {
    throw new RfsError('RFS_BAD_CONFIG', `reading distro ${tag}: incomplete rpmdb`, { subject: e.source });
  }
  const rpmdb: RpmdbTarget = { flavour: db.flavour, path: db.path, rpmVersion: db.rpmVersion };
  if (db.compatSymlink) rpmdb.compatSymlink = true;
  const out: DistroRelease = {
    distro: f.distro,
    release: r.release,
    releasever: opts.releasever ?? r.releasever ?? r.release,
    arch,
    arches: [...arches],
    mirrorRoot: sub(r.mirrorRoot ?? f.mirrorRoot ?? ''),
    repos,
    packages: [...(r.packages ?? f.packages ?? [])],
    rpmdb,
    prettyName: (r.prettyName ?? f.prettyName ?? f.distro).replace('{release}', r.release),
    eol: r.eol ?? f.eol ?? true,
  };
  const installonly = r.installonly ?? f.installonly;
  if (installonly) out.installonly = [...installonly];
  return out;
}

/** Absolute path of a key file shipped in repos/keys, or undefined for URLs/unknown names. */
export function keyFilePath(name: string, reposDir: string = DEFAULT_REPOS_DIR): string | undefined {
  if (/^[a-z]+:\/\//i.test(name) || name.includes('/')) return undefined;
  const p = join(reposDir, 'keys', name);
  try { return statSync(p).isFile() ? p : undefined; } catch { return undefined; }
}
