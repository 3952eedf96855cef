// Shape and validation of repos/<distro>/<major>.yaml (see repos/README.md).
import type { RpmdbFlavour } from '../types/index.js';

export type RepoEnabled = 'always' | 'major' | 'never';

export interface RepoDef {
  id: string;
  name?: string;
  baseurl?: string[];
  mirrorlist?: string;
  metalink?: string;
  enabled: RepoEnabled;
  gpgcheck?: boolean;
  gpgkey?: string[];
  priority?: number;
  cost?: number;
  exclude?: string[];
  moduleHotfixes?: boolean;
}

export interface RpmdbDef { flavour?: RpmdbFlavour; path?: string; rpmVersion?: string; compatSymlink?: boolean }

/** Fields a release entry may override. */
export interface Overridable {
  prettyName?: string;
  mirrorRoot?: string;
  eol?: boolean;
  arches?: string[];
  defaultArch?: string;
  vars?: Record<string, string>;
  archVars?: Record<string, Record<string, string>>;
  rpmdb?: RpmdbDef;
  packages?: string[];
  installonly?: string[];
}

export interface ReleaseDef extends Overridable {
  release: string;
  releasever?: string;
  kind: 'point' | 'major';
  tags?: string[];
}

export interface DistroFile extends Overridable {
  distro: string;
  repos: RepoDef[];
  releases: ReleaseDef[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const FLAVOURS: readonly string[] = ['bdb-hash-v8', 'bdb-hash-v9', 'sqlite', 'ndb'];

/** Validate a parsed YAML document; returns the typed value or the list of problems. */
export function validateDistroFile(doc: unknown): { value?: DistroFile; errors: string[] } {
  const errors: string[] = [];
  const str = (o: Obj, k: string, where: string, required = false): string | undefined => {
    const v = o[k];
    if (v === undefined) { if (required) errors.push(`${where}: missing ${k}`); return undefined; }
    if (typeof v === 'number') return String(v);
    if (typeof v !== 'string') { errors.push(`${where}.${k}: expected a string`); return undefined; }
    return v;
  };
  const strs = (o: Obj, k: string, where: string): string[] | undefined => {
    const v = o[k];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) { errors.push(`${where}.${k}: expected a list of strings`); return undefined; }
    return v as string[];
  };
  const bool = (o: Obj, k: string, where: string): boolean | undefined => {
    const v = o[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') { errors.push(`${where}.${k}: expected true or false`); return undefined; }
    return v;
  };
  const num = (o: Obj, k: string, where: string): number | undefined => {
    const v = o[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) { errors.push(`${where}.${k}: expected a number`); return undefined; }
    return v;
  };
  const strMap = (v: unknown, where: string): Record<string, string> | undefined => {
    if (v === undefined) return undefined;
    if (!isObj(v)) { errors.push(`${where}: expected a mapping`); return undefined; }
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(v)) {
      if (typeof x !== 'string') errors.push(`${where}.${k}: expected a string`);
      else out[k] = x;
    }
    return out;
  };
  const overridable = (o: Obj, where: string): Overridable => {
    const out: Overridable = {};
    const set = <K extends keyof Overridable>(k: K, v: Overridable[K] | undefined): void => { if (v !== undefined) out[k] = v; };
    set('prettyName', str(o, 'prettyName', where));
    set('mirrorRoot', str(o, 'mirrorRoot', where));
    set('eol', bool(o, 'eol', where));
    set('arches', strs(o, 'arches', where));
    set('defaultArch', str(o, 'defaultArch', where));
    set('vars', strMap(o.vars, `${where}.vars`));
    set('packages', strs(o, 'packages', where));
    set('installonly', strs(o, 'installonly', where));
    if (o.archVars !== undefined) {
      if (!isObj(o.archVars)) errors.push(`${where}.archVars: expected a mapping`);
      else {
        const av: Record<string, Record<string, string>> = {};
        for (const [a, m] of Object.entries(o.archVars)) { const mm = strMap(m, `${where}.archVars.${a}`); if (mm) av[a] = mm; }
        out.archVars = av;
      }
    }
    if (o.rpmdb !== undefined) {
      if (!isObj(o.rpmdb)) errors.push(`${where}.rpmdb: expected a mapping`);
      else {
        const r: RpmdbDef = {};
        const fl = str(o.rpmdb, 'flavour', `${where}.rpmdb`);
        if (fl !== undefined) { if (FLAVOURS.includes(fl)) r.flavour = fl as RpmdbFlavour; else errors.push(`${where}.rpmdb.flavour: unknown flavour ${fl}`); }
        const p = str(o.rpmdb, 'path', `${where}.rpmdb`); if (p !== undefined) r.path = p;
        const v = str(o.rpmdb, 'rpmVersion', `${where}.rpmdb`); if (v !== undefined) r.rpmVersion = v;
        const c = bool(o.rpmdb, 'compatSymlink', `${where}.rpmdb`); if (c !== undefined) r.compatSymlink = c;
        out.rpmdb = r;
      }
    }
    return out;
  };
  const known = new Set(['distro', 'repos', 'releases', 'prettyName', 'mirrorRoot', 'eol', 'arches', 'defaultArch', 'vars', 'archVars', 'rpmdb', 'packages', 'installonly', 'release', 'releasever', 'kind', 'tags']);
  const unknownKeys = (o: Obj, where: string): void => {
    for (const k of Object.keys(o)) if (!known.has(k) && !k.startsWith('x-')) errors.push(`${where}: unknown field ${k}`);
  };

  if (!isObj(doc)) return { errors: ['document: expected a mapping'] };
  unknownKeys(doc, 'document');
  const distro = str(doc, 'distro', 'document', true) ?? '';
  const base = overridable(doc, 'document');
  for (const k of ['prettyName', 'mirrorRoot', 'eol', 'arches', 'rpmdb', 'packages'] as const) {
    if (base[k] === undefined) errors.push(`document: missing ${k}`);
  }
  const repos: RepoDef[] = [];
  if (!Array.isArray(doc.repos)) errors.push('document.repos: expected a list');
  else doc.repos.forEach((r: unknown, i) => {
    const w = `repos[${i}]`;
    if (!isObj(r)) { errors.push(`${w}: expected a mapping`); return; }
    const id = str(r, 'id', w, true) ?? '';
    const en = r.enabled ?? 'always';
    if (en !== 'always' && en !== 'major' && en !== 'never') errors.push(`${w}.enabled: expected always, major or never`);
    const def: RepoDef = { id, enabled: en as RepoEnabled };
    const name = str(r, 'name', w); if (name !== undefined) def.name = name;
    const bu = strs(r, 'baseurl', w); if (bu) def.baseurl = bu;
    const ml = str(r, 'mirrorlist', w); if (ml !== undefined) def.mirrorlist = ml;
    const mk = str(r, 'metalink', w); if (mk !== undefined) def.metalink = mk;
    const gc = bool(r, 'gpgcheck', w); if (gc !== undefined) def.gpgcheck = gc;
    const gk = strs(r, 'gpgkey', w); if (gk) def.gpgkey = gk;
    const pr = num(r, 'priority', w); if (pr !== undefined) def.priority = pr;
    const co = num(r, 'cost', w); if (co !== undefined) def.cost = co;
    const ex = strs(r, 'exclude', w); if (ex) def.exclude = ex;
    const mh = bool(r, 'moduleHotfixes', w); if (mh !== undefined) def.moduleHotfixes = mh;
    if (!def.baseurl && !def.mirrorlist && !def.metalink) errors.push(`${w}: needs baseurl, mirrorlist or metalink`);
    if (repos.some((x) => x.id === id)) errors.push(`${w}: duplicate id ${id}`);
    repos.push(def);
  });
  const releases: ReleaseDef[] = [];
  if (!Array.isArray(doc.releases) || doc.releases.length === 0) errors.push('document.releases: expected a non-empty list');
  else doc.releases.forEach((r: unknown, i) => {
    const w = `releases[${i}]`;
    if (!isObj(r)) { errors.push(`${w}: expected a mapping`); return; }
    unknownKeys(r, w);
    const kind = r.kind ?? 'point';
    if (kind !== 'point' && kind !== 'major') errors.push(`${w}.kind: expected point or major`);
    const rel: ReleaseDef = { ...overridable(r, w), release: str(r, 'release', w, true) ?? '', kind: kind as 'point' | 'major' };
    const rv = str(r, 'releasever', w); if (rv !== undefined) rel.releasever = rv;
    const tags = strs(r, 'tags', w);
    if (tags) {
      rel.tags = tags;
      for (const t of tags) if (!/^[a-z0-9][a-z0-9._-]*:[A-Za-z0-9._-]+$/.test(t)) errors.push(`${w}.tags: malformed tag ${t}`);
    }
    releases.push(rel);
  });
  if (errors.length) return { errors };
  return { value: { ...base, distro, repos, releases }, errors };
}
