// Profiles: named, combinable image recipes kept as data in profiles/*.json (packages added
// and replaced, files removed or written, OCI config values). Loading validates each file and
// refuses combinations that disagree.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { packageRoot } from '../../util/package-root.js';
import { RfsError } from '../../errors/index.js';
import type { ImageFS } from '../../types/imagefs.js';
import { globImage } from './glob.js';
import { Accounts } from '../../scriptlets/accounts.js';

export interface ProfileFile {
  path: string;
  type: 'file' | 'dir' | 'symlink';
  /** file bytes (from `content` or `source` in the profile), or the symlink target */
  content: string;
  mode: number;
}

export interface ResolvedProfile {
  names: string[];
  packages: string[];
  removePackages: string[];
  removeFiles: string[];
  keepFiles: string[];
  env: string[];
  cmd?: string[];
  entrypoint?: string[];
  stopSignal?: string;
  volumes: string[];
  labels: Record<string, string>;
  /** NAME:GID groups the profile's files or programs rely on */
  groups: { name: string; gid: number }[];
  files: ProfileFile[];
}

export const PROFILES_DIR = join(packageRoot(import.meta.url), 'profiles');

const KEYS = new Set(['name', 'description', 'conflicts', 'packages', 'removePackages', 'removeFiles', 'keepFiles', 'env', 'cmd', 'entrypoint', 'stopSignal', 'volumes', 'labels', 'files', 'groups']);

function bad(file: string, why: string): RfsError {
  return new RfsError('RFS_BAD_CONFIG', `loading profile: ${why}`, { subject: file });
}

function strings(v: unknown, file: string, key: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw bad(file, `${key} must be a list of strings`);
  return v as string[];
}

export function listProfiles(dir = PROFILES_DIR): string[] {
  return ['minimal', 'systemd', 'init', 'baseimage', 'system-container'].filter((n) => existsSync(join(dir, `${n}.json`)));
}

interface Loaded { name: string; conflicts: string[]; data: Record<string, unknown>; file: string; dir: string }

function loadOne(name: string, dir: string): Loaded {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new RfsError('RFS_USAGE', `choosing profile: ${name} is not a profile name`, { subject: name });
  const file = join(dir, `${name}.json`);
  if (!existsSync(file)) {
    throw new RfsError('RFS_USAGE', `choosing profile: no profile named ${name}`, { subject: name, hint: `known profiles: ${listProfiles(dir).join(', ')}` });
  }
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new RfsError('RFS_BAD_CONFIG', `loading profile: ${(e as Error).message}`, { subject: file, cause: e });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw bad(file, 'not a JSON object');
  const obj = data as Record<string, unknown>;
  for (const k of Object.keys(obj)) if (!KEYS.has(k)) throw bad(file, `unknown key ${k}`);
  if (obj.name !== name) throw bad(file, `name must be ${name}`);
  return { name, conflicts: strings(obj.conflicts, file, 'conflicts'), data: obj, file, dir };
}

function parseFiles(l: Loaded): ProfileFile[] {
  const v = l.data.files;
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw bad(l.file, 'files must be a list');
  return v.map((f: unknown, i) => {
    if (typeof f !== 'object' || f === null) throw bad(l.file, `files[${i}] must be an object`);
    const o = f as Record<string, unknown>;
    const type = o.type ?? 'file';
    if (typeof o.path !== 'string' || !o.path.startsWith('/')) throw bad(l.file, `files[${i}].path must be absolute`);
    if (type !== 'file' && type !== 'dir' && type !== 'symlink') throw bad(l.file, `files[${i}].type must be file, dir or symlink`);
    const mode = typeof o.mode === 'string' && /^[0-7]{3,4}$/.test(o.mode) ? parseInt(o.mode, 8) : type === 'dir' ? 0o755 : 0o644;
    let content = '';
    if (typeof o.source === 'string') {
      const src = resolve(l.dir, o.source);
      if (!src.startsWith(resolve(l.dir) + '/') || !existsSync(src)) throw bad(l.file, `files[${i}].source ${o.source} not found`);
      content = readFileSync(src, 'utf8');
    } else if (typeof o.content === 'string') content = o.content;
    else if (typeof o.target === 'string') content = o.target;
    else if (type !== 'dir') throw bad(l.file, `files[${i}] needs content, source or target`);
    return { path: o.path, type, content, mode };
  });
}

/** Load and merge profiles in the order given. */
export function loadProfiles(names: string[], dir = PROFILES_DIR): ResolvedProfile {
  const loaded = [...new Set(names)].map((n) => loadOne(n, dir));
  for (const a of loaded) {
    for (const c of a.conflicts) {
      if (loaded.some((b) => b.name === c)) throw new RfsError('RFS_USAGE', `combining profiles: ${a.name} and ${c} cannot be combined`, { subject: `${a.name},${c}` });
    }
  }
  const out: ResolvedProfile = { names: loaded.map((l) => l.name), packages: [], removePackages: [], removeFiles: [], keepFiles: [], env: [], volumes: [], labels: {}, groups: [], files: [] };
  const single = (key: 'cmd' | 'entrypoint' | 'stopSignal', l: Loaded): void => {
    const v = l.data[key];
    if (v === undefined) return;
    const val = key === 'stopSignal' ? (typeof v === 'string' ? v : undefined) : strings(v, l.file, key);
    if (val === undefined) throw bad(l.file, `${key} must be a string`);
    const prev = out[key];
    if (prev !== undefined && JSON.stringify(prev) !== JSON.stringify(val)) {
      throw new RfsError('RFS_USAGE', `combining profiles: they set different ${key} values`, { subject: out.names.join(',') });
    }
    (out as unknown as Record<string, unknown>)[key] = val;
  };
  for (const l of loaded) {
    out.packages.push(...strings(l.data.packages, l.file, 'packages'));
    out.removePackages.push(...strings(l.data.removePackages, l.file, 'removePackages'));
    out.removeFiles.push(...strings(l.data.removeFiles, l.file, 'removeFiles'));
    out.keepFiles.push(...strings(l.data.keepFiles, l.file, 'keepFiles'));
    out.env.push(...strings(l.data.env, l.file, 'env'));
    out.volumes.push(...strings(l.data.volumes, l.file, 'volumes'));
    single('cmd', l);
    single('entrypoint', l);
    single('stopSignal', l);
    const labels = l.data.labels;
    if (labels !== undefined) {
      if (typeof labels !== 'object' || labels === null || Array.isArray(labels) || !Object.values(labels).every((x) => typeof x === 'string')) throw bad(l.file, 'labels must map strings to strings');
      Object.assign(out.labels, labels);
    }
    for (const g of strings(l.data.groups, l.file, 'groups')) {
      const m = /^([a-z_][a-z0-9_-]*):(\d+)$/.exec(g);
      if (!m) throw bad(l.file, `groups: ${g} is not NAME:GID`);
      out.groups.push({ name: m[1]!, gid: Number(m[2]) });
    }
    out.files.push(...parseFiles(l));
  }
  return out;
}

/** Remove the profile's globs (minus keepFiles), add its groups, then write its files. */
export function applyProfileFiles(fs: ImageFS, profile: ResolvedProfile): string[] {
  const actions: string[] = [];
  if (profile.groups.length) actions.push(...addGroups(fs, profile.groups));
  const keep = new Set(profile.keepFiles);
  for (const pattern of profile.removeFiles) {
    for (const p of globImage(fs, pattern)) {
      if (keep.has(p)) continue;
      fs.remove(p);
      actions.push(`removed ${p}`);
    }
  }
  for (const f of profile.files) {
    const parent = f.path.slice(0, f.path.lastIndexOf('/')) || '/';
    if (!fs.exists(parent)) fs.mkdir(parent);
    if (f.type === 'dir') { if (!fs.exists(f.path)) fs.mkdir(f.path, { mode: f.mode }); }
    else if (f.type === 'symlink') { if (fs.lstat(f.path)) fs.remove(f.path); fs.symlink(f.content, f.path); }
    else fs.writeFile(f.path, f.content, { mode: f.mode, user: 'root', group: 'root' });
    actions.push(`wrote ${f.path}`);
  }
  return actions;
}

/** Groups as groupadd -g would add them; one already there by name is kept as it is. */
function addGroups(fs: ImageFS, groups: { name: string; gid: number }[]): string[] {
  const acc = new Accounts(fs);
  const actions: string[] = [];
  for (const g of groups) {
    if (acc.group(g.name)) continue;
    if (acc.groupById(g.gid)) throw new RfsError('RFS_BAD_CONFIG', `adding group ${g.name}: gid ${g.gid} is taken`, { subject: `${g.name}:${g.gid}`, hint: 'the image already has a group with that id' });
    acc.add('group', [g.name, 'x', String(g.gid), '']);
    if (acc.hasGshadow()) acc.add('gshadow', [g.name, '!', '', '']);
    actions.push(`added group ${g.name}:${g.gid}`);
  }
  acc.save();
  return actions;
}
