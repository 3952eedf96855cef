// dnf's --setopt KEY=VALUE (main options) and REPOID.KEY=VALUE / GLOB.KEY=VALUE (repo options),
// restricted to the keys this tool can honour; anything else is a usage error, not ignored.
import { RfsError, untrusted } from '../errors/index.js';
import type { RepoConfig } from '../types/index.js';
import { didYouMean } from '../util/suggest.js';
import { globToRegExp } from '../util/glob.js';

type Kind = 'bool' | 'list' | 'string' | 'int';

/** main (dnf.conf [main]) keys and what they set */
export const MAIN_SETOPT_KEYS: Readonly<Record<string, Kind>> = {
  best: 'bool', skip_broken: 'bool', strict: 'bool', install_weak_deps: 'bool', tsflags: 'list',
  exclude: 'list', excludepkgs: 'list', gpgcheck: 'bool',
};

/** repo keys, as in a .repo section */
export const REPO_SETOPT_KEYS: Readonly<Record<string, Kind>> = {
  enabled: 'bool', name: 'string', baseurl: 'list', mirrorlist: 'string', metalink: 'string', gpgcheck: 'bool', gpgkey: 'list',
  priority: 'int', cost: 'int', exclude: 'list', excludepkgs: 'list', includepkgs: 'list', module_hotfixes: 'bool',
};

/** the tsflags this tool implements (the others change how rpm runs, and no rpm runs here) */
const TSFLAGS = ['nodocs'];

export type SetoptValue = boolean | number | string | string[];
export interface MainSetopt { key: string; value: SetoptValue }
export interface RepoSetopt { repo: string; key: string; value: SetoptValue; text: string }
export interface Setopts { main: MainSetopt[]; repo: RepoSetopt[] }

const TRUE = new Set(['1', 'yes', 'true', 'on']);
const FALSE = new Set(['0', 'no', 'false', 'off']);

function usage(message: string, subject: string, hint: string): RfsError {
  return new RfsError('RFS_USAGE', message, { subject, hint });
}

function parseValue(text: string, key: string, kind: Kind, where: string): SetoptValue {
  const v = text.trim();
  switch (kind) {
    case 'bool': {
      const l = v.toLowerCase();
      if (TRUE.has(l)) return true;
      if (FALSE.has(l)) return false;
      throw usage(`--setopt ${where}: ${key} takes a boolean, got '${untrusted(v, 80)}'`, where, 'use 1/0, yes/no, true/false or on/off');
    }
    case 'int': {
      if (!/^\d+$/.test(v)) throw usage(`--setopt ${where}: ${key} takes a whole number, got '${untrusted(v, 80)}'`, where, key === 'priority' ? 'priority is 1..99 (lower wins)' : 'e.g. 1000');
      const n = Number(v);
      if (key === 'priority' && (n < 1 || n > 99)) throw usage(`--setopt ${where}: priority must be 1..99, got ${n}`, where, 'lower wins; the default is 99');
      return n;
    }
    case 'list': {
      const items = v.split(/[\s,]+/).filter(Boolean);
      if (key === 'tsflags') {
        const bad = items.filter((f) => !TSFLAGS.includes(f));
        if (bad.length) throw usage(`--setopt ${where}: tsflags ${bad.map((b) => untrusted(b, 40)).join(', ')} not supported`, where, `supported tsflags: ${TSFLAGS.join(', ')} (the others change how rpm runs; no rpm runs here)`);
      }
      return items;
    }
    case 'string':
      return v;
  }
}

/** Parse --setopt values; every problem is RFS_USAGE naming the option and the supported keys. */
export function parseSetopts(texts: readonly string[]): Setopts {
  const out: Setopts = { main: [], repo: [] };
  for (const text of texts) {
    const eq = text.indexOf('=');
    if (eq <= 0) throw usage(`--setopt ${untrusted(text, 80)}: expected KEY=VALUE or REPOID.KEY=VALUE`, untrusted(text, 80), 'e.g. --setopt install_weak_deps=0 or --setopt updates.enabled=0');
    const lhs = text.slice(0, eq).trim();
    const value = text.slice(eq + 1);
    const dot = lhs.lastIndexOf('.');
    const key = (dot >= 0 ? lhs.slice(dot + 1) : lhs).toLowerCase();
    const table = dot >= 0 ? REPO_SETOPT_KEYS : MAIN_SETOPT_KEYS;
    const kind = table[key];
    if (!kind) {
      const keys = Object.keys(table);
      const other = dot >= 0 ? MAIN_SETOPT_KEYS[key] : REPO_SETOPT_KEYS[key];
      const near = didYouMean(key, keys);
      const hint = other ? (dot >= 0 ? `${key} is a main option: --setopt ${key}=VALUE` : `${key} is a repo option: --setopt REPOID.${key}=VALUE`)
        : `${near ? `${near} ` : ''}supported ${dot >= 0 ? 'repo' : 'main'} keys: ${keys.join(', ')}`;
      throw usage(`--setopt ${untrusted(lhs, 80)}: unknown ${dot >= 0 ? 'repo' : 'main'} option ${untrusted(key, 40)}`, untrusted(lhs, 80), hint);
    }
    const parsed = parseValue(value, key, kind, lhs);
    if (dot >= 0) {
      const repo = lhs.slice(0, dot);
      if (!repo) throw usage(`--setopt ${untrusted(lhs, 80)}: no repo id before the dot`, untrusted(lhs, 80), 'e.g. --setopt updates.priority=10 or --setopt "*.module_hotfixes=1"');
      out.repo.push({ repo, key, value: parsed, text });
    } else out.main.push({ key, value: parsed });
  }
  return out;
}

const strs = (v: SetoptValue): string[] => (Array.isArray(v) ? v : [String(v)]);

/**
 * Apply repo setopts to the configured repos (before --enablerepo/--disablerepo, as dnf does). An
 * id without glob characters must name a repo. list options exclude/includepkgs append, an empty value clears.
 */
export function applyRepoSetopts(repos: RepoConfig[], setopts: readonly RepoSetopt[]): void {
  for (const s of setopts) {
    const re = globToRegExp(s.repo);
    const hits = repos.filter((r) => re.test(r.id));
    if (!hits.length && !/[*?[]/.test(s.repo)) {
      const ids = repos.map((r) => r.id);
      const near = didYouMean(s.repo, ids);
      throw usage(`--setopt ${untrusted(s.repo, 80)}.${s.key}: no repo ${untrusted(s.repo, 80)}`, untrusted(s.repo, 80), `${near ? `${near} ` : ''}known repos: ${ids.join(', ') || 'none'}`);
    }
    for (const r of hits) setRepoKey(r, s.key, s.value);
  }
}

function setRepoKey(r: RepoConfig, key: string, v: SetoptValue): void {
  switch (key) {
    case 'enabled': r.enabled = v === true; break;
    case 'name': r.name = String(v); break;
    case 'baseurl':
      r.baseurl = strs(v);
      // the URL given is the one to use: not a mirror network found through the definition's lists
      delete r.mirrorlist;
      delete r.metalink;
      break;
    case 'mirrorlist': if (v) r.mirrorlist = String(v); else delete r.mirrorlist; break;
    case 'metalink': if (v) r.metalink = String(v); else delete r.metalink; break;
    case 'gpgcheck': r.gpgcheck = v === true; break;
    case 'gpgkey': r.gpgkey = strs(v); break;
    case 'priority': r.priority = Number(v); break;
    case 'cost': r.cost = Number(v); break;
    case 'exclude': case 'excludepkgs': r.exclude = strs(v).length ? [...(r.exclude ?? []), ...strs(v)] : []; break;
    case 'includepkgs': r.includepkgs = strs(v).length ? [...(r.includepkgs ?? []), ...strs(v)] : []; break;
    case 'module_hotfixes': r.moduleHotfixes = v === true; break;
  }
}
