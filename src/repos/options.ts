// --mirror, --repofrompath (+ --gpgkey), --repo-file, --enablerepo/--disablerepo applied to a definition.
import { readFileSync } from 'node:fs';
import { RfsError } from '../errors/index.js';
import type { DistroRelease, RepoConfig } from '../types/index.js';
import { globToRegExp } from '../util/glob.js';
import { parseRepoFile } from './repofile.js';
import { applyRepoSetopts, type RepoSetopt } from './setopt.js';
import { standardVars, substitute } from './vars.js';

export interface RepoOptions {
  /** replaces the definition's mirror root in every baseurl */
  mirror?: string;
  repofrompath?: [id: string, url: string][];
  /** paths of .repo files */
  repoFiles?: string[];
  enablerepo?: string[];
  disablerepo?: string[];
  /** --gpgkey: a --repofrompath repo is gpgchecked against these when given (dnf), else unchecked */
  gpgkeys?: string[];
  /** used for $releasever/$basearch when there is no distro definition (or to override it) */
  releasever?: string;
  arch?: string;
  /** --setopt REPOID.KEY=VALUE, applied before --disablerepo/--enablerepo (as dnf) */
  repoSetopts?: RepoSetopt[];
  /** --setopt gpgcheck=B: for repos whose own config does not say */
  gpgcheck?: boolean;
}

function withSlash(u: string): string {
  return u.endsWith('/') ? u : `${u}/`;
}

/** Rewrite a URL under `root` to live under `mirror` instead (both treated as directories). */
export function rewriteMirror(url: string, root: string, mirror: string): string {
  const r = withSlash(root);
  if (url.startsWith(r)) return withSlash(mirror) + url.slice(r.length);
  if (`${url}/` === r) return withSlash(mirror);
  return url;
}

/** The enabled repos after all options, with variables substituted and mirrors rewritten. */
export function applyRepoOptions(distro: DistroRelease | null, opts: RepoOptions): RepoConfig[] {
  const releasever = opts.releasever ?? distro?.releasever;
  const arch = opts.arch ?? distro?.arch;
  // Without a definition or --releasever/--arch, $releasever/$basearch stay as written.
  const all = standardVars(releasever ?? '', arch ?? '');
  const vars = Object.fromEntries(Object.entries(all).filter(([k]) =>
    (releasever !== undefined || !k.startsWith('releasever')) && (arch !== undefined || (k !== 'arch' && k !== 'basearch'))));
  let repos: RepoConfig[] = (distro?.repos ?? []).map((r) => ({ ...r }));
  const put = (rc: RepoConfig): void => {
    const i = repos.findIndex((r) => r.id === rc.id);
    if (i >= 0) repos[i] = rc; else repos.push(rc);
  };
  for (const file of opts.repoFiles ?? []) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (cause) {
      throw new RfsError('RFS_BAD_CONFIG', `reading repo file ${file}: ${cause instanceof Error ? cause.message : String(cause)}`, { subject: file, cause });
    }
    for (const rc of parseRepoFile(text, vars, file)) put(rc);
  }
  for (const [id, url] of opts.repofrompath ?? []) {
    if (!id || !url) throw new RfsError('RFS_USAGE', `reading --repofrompath: expected ID,URL`, { subject: `${id},${url}` });
    const keys = opts.gpgkeys ?? [];
    put({ id, name: id, baseurl: [url], enabled: true, gpgcheck: keys.length > 0, ...(keys.length > 0 ? { gpgkey: [...keys] } : {}) });
  }
  if (opts.repoSetopts?.length) applyRepoSetopts(repos, opts.repoSetopts);
  if (opts.gpgcheck !== undefined) for (const r of repos) r.gpgcheck ??= opts.gpgcheck;
  for (const g of opts.disablerepo ?? []) {
    const re = globToRegExp(g);
    for (const r of repos) if (re.test(r.id)) r.enabled = false;
  }
  for (const g of opts.enablerepo ?? []) {
    const re = globToRegExp(g);
    const hits = repos.filter((r) => re.test(r.id));
    if (hits.length === 0 && !/[*?[]/.test(g)) {
      throw new RfsError('RFS_USAGE', `enabling repo ${g}: no such repo`, { subject: g, hint: `known repos: ${repos.map((r) => r.id).join(', ') || 'none'}` });
    }
    for (const r of hits) r.enabled = true;
  }
  repos = repos.filter((r) => r.enabled).map((r) => {
    const sub = (s: string): string => substitute(s, vars);
    const out: RepoConfig = { ...r };
    if (r.baseurl) out.baseurl = r.baseurl.map(sub);
    if (r.mirrorlist !== undefined) out.mirrorlist = sub(r.mirrorlist);
    if (r.metalink !== undefined) out.metalink = sub(r.metalink);
    if (r.gpgkey) out.gpgkey = r.gpgkey.map(sub);
    if (r.name !== undefined) out.name = sub(r.name);
    if (opts.mirror && distro && out.baseurl) {
      const root = distro.mirrorRoot;
      const rewritten = out.baseurl.map((u) => rewriteMirror(u, root, opts.mirror ?? ''));
      // A local mirror replaces the upstream mirror network, too.
      if (rewritten.some((u, i) => u !== out.baseurl?.[i])) {
        out.baseurl = rewritten;
        delete out.mirrorlist;
        delete out.metalink;
      }
    }
    return out;
  });
  return repos;
}
