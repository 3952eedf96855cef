// The image as a directory on disk for --run-scriptlets=userns, and back: the tree is written
// out (files, dirs, symlinks; device nodes and fifos cannot be made without privilege, so
// /dev gets plain placeholder files), and after each scriptlet the directory is compared with
// what was written, so new, changed and removed entries, modes and owners go back into the image.
import { chmodSync, chownSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { Buffer } from 'node:buffer';
import { join } from 'node:path';
import type { ImageFS, ImageStat } from '../../types/imagefs.js';

/** mtime given to every materialised entry: anything else was touched by a scriptlet */
const STAMP = 1;
/** pseudo filesystems: scriptlet writes there (redirections to /dev/null) are not image content */
const IGNORED = ['/dev', '/proc', '/sys'];

export interface Snapshot {
  entries: Map<string, { type: 'file' | 'dir' | 'symlink' | 'other'; mode: number; uid: number; gid: number; mtimeMs: number; size: number; link?: string }>;
}

export interface IdMapping {
  /** inner id ranges and where they sit outside */
  uid: { inner: number; outer: number; count: number }[];
  gid: { inner: number; outer: number; count: number }[];
  /** the materialised tree can carry the image's owners (the host maps them, e.g. as root) */
  chownable: boolean;
}

const kindOf = (st: Stats): 'file' | 'dir' | 'symlink' | 'other' => (st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other');

export function parseIds(text: string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of (text ?? '').split('\n')) {
    const f = l.split(':');
    if (f.length >= 3 && f[0] && /^\d+$/.test(f[2]!)) out.set(f[0], Number(f[2]));
  }
  return out;
}

function toOuter(ranges: IdMapping['uid'], inner: number): number | undefined {
  const r = ranges.find((x) => inner >= x.inner && inner < x.inner + x.count);
  return r ? r.outer + inner - r.inner : undefined;
}
function toInner(ranges: IdMapping['uid'], outer: number): number | undefined {
  const r = ranges.find((x) => outer >= x.outer && outer < x.outer + x.count);
  return r ? r.inner + outer - r.outer : undefined;
}

/** Writes the image under `dir`; returns the snapshot later runs are compared with. */
export function materialise(fs: ImageFS, dir: string, ids: IdMapping): Snapshot {
  const users = parseIds(new TextDecoder().decode(fs.readFile('/etc/passwd') ?? new Uint8Array()));
  const groups = parseIds(new TextDecoder().decode(fs.readFile('/etc/group') ?? new Uint8Array()));
  const dirModes: [string, number][] = [];
  const own = (host: string, st: ImageStat): void => {
    if (!ids.chownable) return;
    const u = toOuter(ids.uid, users.get(st.user) ?? 0);
    const g = toOuter(ids.gid, groups.get(st.group) ?? 0);
    if (u !== undefined && g !== undefined) chownSync(host, u, g);
  };
  const walk = (p: string): void => {
    for (const name of fs.list(p)) {
      const ip = p === '/' ? `/${name}` : `${p}/${name}`;
      const st = fs.lstat(ip);
      if (!st) continue;
      const host = join(dir, ip);
      if (st.type === 'dir') {
        mkdirSync(host, { mode: 0o700 });
        walk(ip);
        dirModes.push([host, st.mode]);
        own(host, st);
        continue;
      }
      if (st.type === 'symlink') {
        symlinkSync(st.linkTarget ?? '', host);
        continue;
      }
      // hardlinks become copies; device nodes and fifos become empty files (under /dev only)
      const data = st.type === 'file' || st.type === 'hardlink' ? fs.readFile(ip) ?? new Uint8Array() : new Uint8Array();
      writeFileSync(host, data, { mode: 0o600 });
      chmodSync(host, st.type === 'file' || st.type === 'hardlink' ? st.mode : 0o666);
      own(host, st);
      utimesSync(host, STAMP, STAMP);
    }
  };
  walk('/');
  for (const d of ['dev', 'proc', 'sys', 'tmp']) mkdirSync(join(dir, d), { recursive: true });
  try { writeFileSync(join(dir, 'dev/null'), ''); } catch { /* /dev/null is a dangling image symlink: leave it */ }
  for (const [host, mode] of dirModes.reverse()) {
    chmodSync(host, mode);
    utimesSync(host, STAMP, STAMP);
  }
  return snapshot(dir);
}

export function snapshot(dir: string): Snapshot {
  const entries: Snapshot['entries'] = new Map();
  const walk = (ip: string): void => {
    for (const name of readdirSync(join(dir, ip))) {
      const p = ip === '/' ? `/${name}` : `${ip}/${name}`;
      if (IGNORED.includes(p)) continue;
      const st = lstatSync(join(dir, p));
      const type = kindOf(st);
      entries.set(p, { type, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtimeMs: st.mtimeMs, size: st.size, ...(type === 'symlink' ? { link: readlinkSync(join(dir, p)) } : {}) });
      if (type === 'dir') walk(p);
    }
  };
  walk('/');
  return { entries };
}

/**
 * Copies what changed between `before` and the directory now into the image; returns the
 * changes in words and the problems (owners the mapping cannot name, special files).
 */
export function readBack(fs: ImageFS, dir: string, before: Snapshot, ids: IdMapping): { after: Snapshot; changes: string[]; problems: string[] } {
  const after = snapshot(dir);
  const changes: string[] = [];
  const problems: string[] = [];
  const users = new Map([...parseIds(readText(join(dir, 'etc/passwd')))].map(([n, id]) => [id, n] as const));
  const groups = new Map([...parseIds(readText(join(dir, 'etc/group')))].map(([n, id]) => [id, n] as const));
  const owner = (p: string, uid: number, gid: number, was: { uid: number; gid: number } | undefined): { user: string; group: string } | undefined => {
    if (was && was.uid === uid && was.gid === gid) return undefined; // unchanged: the image's owner stands
    const iu = toInner(ids.uid, uid);
    const ig = toInner(ids.gid, gid);
    const user = iu === undefined ? undefined : users.get(iu);
    const group = ig === undefined ? undefined : groups.get(ig);
    if (user === undefined || group === undefined) {
      problems.push(`${p}: owner ${iu ?? `host uid ${uid}`}:${ig ?? `host gid ${gid}`} has no name in the image`);
      return undefined;
    }
    return { user, group };
  };
  for (const [p, was] of before.entries) {
    if (!after.entries.has(p) && fs.lstat(p)) {
      fs.remove(p);
      changes.push(`removed ${p}`);
    }
  }
  for (const [p, now] of after.entries) {
    const was = before.entries.get(p);
    const typeChanged = was !== undefined && was.type !== now.type;
    if (typeChanged) fs.remove(p);
    const fresh = was === undefined || typeChanged;
    const own = owner(p, now.uid, now.gid, fresh && !ids.chownable ? undefined : was);
    const opts = { mode: now.mode, ...(own ?? (fresh ? { user: 'root', group: 'root' } : {})) };
    if (now.type === 'other') {
      problems.push(`${p}: a special file the image cannot take from a user namespace`);
    } else if (now.type === 'dir') {
      if (fresh) { fs.mkdir(p, opts); changes.push(`created ${p}/`); }
    } else if (now.type === 'symlink') {
      if (fresh || was?.link !== now.link) {
        if (!fresh) fs.remove(p);
        fs.symlink(now.link ?? '', p, own ?? {});
        changes.push(`${fresh ? 'created' : 'changed'} ${p} -> ${now.link}`);
      }
    } else if (fresh || now.mtimeMs !== was?.mtimeMs || now.size !== was?.size) {
      const data = readFileSync(join(dir, p));
      if (fresh || !sameBytes(fs.readFile(p), data)) {
        fs.writeFile(p, data, opts);
        changes.push(`${fresh ? 'created' : 'changed'} ${p}`);
      }
    }
    if (!fresh && was && now.type !== 'symlink') {
      if (now.mode !== was.mode) { fs.chmod(p, now.mode); changes.push(`chmod ${now.mode.toString(8).padStart(4, '0')} ${p}`); }
      if (own) { fs.chown(p, own.user, own.group); changes.push(`chown ${own.user}:${own.group} ${p}`); }
    }
  }
  return { after, changes, problems };
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && Buffer.compare(a, b) === 0;
}

function readText(p: string): string | undefined {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}
