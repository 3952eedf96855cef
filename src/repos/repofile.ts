// yum/dnf .repo files: ini sections, continuation lines (multi-line baseurl), $variables.
import { RfsError } from '../errors/index.js';
import type { RepoConfig } from '../types/index.js';
import { substitute } from './vars.js';

const TRUE = new Set(['1', 'yes', 'true', 'on']);
const FALSE = new Set(['0', 'no', 'false', 'off']);

function bool(v: string, where: string): boolean {
  const l = v.trim().toLowerCase();
  if (TRUE.has(l)) return true;
  if (FALSE.has(l)) return false;
  throw new RfsError('RFS_BAD_CONFIG', `reading repo file: ${where} is not a boolean: ${v}`, { subject: where });
}

function list(v: string): string[] {
  return v.split(/[\s,]+/).filter((s) => s.length > 0);
}

function int(v: string, where: string): number {
  const n = Number(v.trim());
  if (!Number.isFinite(n)) throw new RfsError('RFS_BAD_CONFIG', `reading repo file: ${where} is not a number: ${v}`, { subject: where });
  return n;
}

/** Parse the text of a .repo file; [main] and unknown keys are ignored as yum does. */
export function parseRepoFile(text: string, vars: Record<string, string>, source = '<repo file>'): RepoConfig[] {
  const sections: { id: string; kv: Map<string, string>; line: number }[] = [];
  let cur: { id: string; kv: Map<string, string>; line: number } | undefined;
  let lastKey: string | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    if (/^\s*([#;]|$)/.test(raw)) { if (/^\s*$/.test(raw)) lastKey = undefined; return; }
    const sec = /^\[([^\]]+)\]\s*$/.exec(raw);
    if (sec) {
      cur = { id: substitute(sec[1]!.trim(), vars), kv: new Map(), line: i + 1 };
      sections.push(cur);
      lastKey = undefined;
      return;
    }
    if (/^\s/.test(raw) && cur && lastKey) {
      cur.kv.set(lastKey, `${cur.kv.get(lastKey) ?? ''}\n${raw.trim()}`);
      return;
    }
    const kv = /^([^=]+?)\s*=\s*(.*)$/.exec(raw);
    if (!kv || !cur) {
      throw new RfsError('RFS_BAD_CONFIG', `reading repo file: line ${i + 1} is neither a [section] nor key=value`, { subject: `${source}:${i + 1}` });
    }
    lastKey = kv[1]!.trim().toLowerCase();
    cur.kv.set(lastKey, kv[2]!);
  });
  return sections.filter((s) => s.id !== 'main').map((s) => {
    const where = (k: string): string => `${source}:[${s.id}].${k}`;
    const get = (k: string): string | undefined => {
      const v = s.kv.get(k);
      return v === undefined ? undefined : substitute(v, vars).trim();
    };
    const rc: RepoConfig = { id: s.id, enabled: true };
    const name = get('name'); if (name) rc.name = name;
    const baseurl = get('baseurl'); if (baseurl) rc.baseurl = list(baseurl);
    const ml = get('mirrorlist'); if (ml) rc.mirrorlist = ml;
    const mk = get('metalink'); if (mk) rc.metalink = mk;
    const en = get('enabled'); if (en !== undefined && en !== '') rc.enabled = bool(en, where('enabled'));
    const gc = get('gpgcheck'); if (gc !== undefined && gc !== '') rc.gpgcheck = bool(gc, where('gpgcheck'));
    const gk = get('gpgkey'); if (gk) rc.gpgkey = list(gk);
    const pr = get('priority'); if (pr) rc.priority = int(pr, where('priority'));
    const co = get('cost'); if (co) rc.cost = int(co, where('cost'));
    const ex = get('exclude') ?? get('excludepkgs'); if (ex) rc.exclude = list(ex);
    const inc = get('includepkgs'); if (inc) rc.includepkgs = list(inc);
    const mh = get('module_hotfixes'); if (mh !== undefined && mh !== '') rc.moduleHotfixes = bool(mh, where('module_hotfixes'));
    if (!rc.baseurl && !rc.mirrorlist && !rc.metalink) {
      throw new RfsError('RFS_BAD_CONFIG', `reading repo file: repo ${s.id} has no baseurl, mirrorlist or metalink`, { subject: `${source}:${s.line}` });
    }
    return rc;
  });
}
