// The image as one merged filesystem view, built in install order. Content stays on disk
// (spool files) or in small buffers; the tree holds only metadata and references.
import { closeSync, openSync, readSync } from 'node:fs';
import { posix } from 'node:path';
import { RfsError } from '../errors/index.js';
import type { ImageEntryType, ImageFS, ImageStat, WriteOptions } from '../types/imagefs.js';

export type ContentRef =
  | { kind: 'bytes'; data: Uint8Array }
  // keep: the file is not ours (a base image's layer blob): never deleted after its last read
  | { kind: 'spool'; file: string; offset: number; length: number; keep?: boolean };

export interface TreeNode {
  type: ImageEntryType;
  mode: number;
  user: string;
  group: string;
  mtime: number;
  size: number;
  /** symlink target, or for 'hardlink' the path of the entry holding the data */
  linkTarget?: string;
  devMajor?: number;
  devMinor?: number;
  /** file capability text form ('cap_net_raw=ep') */
  caps?: string;
  content?: ContentRef;
  /** hex digest as the header states it, for the merge's conflict checks (cleared after it) */
  digest?: string;
  /** rpm file colour (1 = ELF32, 2 = ELF64) */
  color?: number;
  owner?: string;
}

const MAX_SYMLINK_HOPS = 40; // as the Linux kernel

export function normalizePath(p: string): string {
  let depth = 0;
  for (const part of p.split('/')) {
    if (part === '..') depth--;
    else if (part !== '' && part !== '.') depth++;
    if (depth < 0) throw new RfsError('RFS_UNSAFE_PATH', `normalising path: ${p} escapes the image root`, { subject: p });
  }
  const n = posix.normalize('/' + p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/** The directory above a resolved absolute path; `..` at the root stays there. */
function parentDir(dir: string): string {
  return dir === '/' ? '/' : dir.slice(0, dir.lastIndexOf('/')) || '/';
}

export class ImageTree implements ImageFS {
  private readonly nodes = new Map<string, TreeNode>();
  private readonly children = new Map<string, Set<string>>();
  constructor(private readonly mtime: number) {
    this.nodes.set('/', { type: 'dir', mode: 0o755, user: 'root', group: 'root', mtime, size: 0 });
    this.children.set('/', new Set());
  }

  get size(): number {
    return this.nodes.size;
  }

  /**
   * Resolve the directories leading to `path` through symlinks inside the image (as rpm's
   * install does when /lib -> usr/lib), keeping the last component as it is.
   */
  resolveParent(path: string): string {
    // a path that climbs above the root by its own `..` is hostile (package and layer paths never do)
    if (normalizePath(path) === '/') return '/';
    const queue = path.split('/').filter((p) => p !== '' && p !== '.');
    const last = queue.pop()!;
    let hops = 0;
    let cur = '/';
    // component by component, as the kernel walks it: a link is followed where it stands (a relative
    // target from the link's directory), and `..` steps back from where the walk has got to, so
    // `alt/../x` with alt -> /opt/real/dir is /opt/real/x, not /x
    while (queue.length > 0) {
      const name = queue.shift()!;
      if (name === '..') {
        cur = parentDir(cur);
        continue;
      }
      const next = cur === '/' ? `/${name}` : `${cur}/${name}`;
      const node = this.nodes.get(next);
      if (node?.type === 'symlink' && node.linkTarget !== undefined) {
        if (++hops > MAX_SYMLINK_HOPS) {
          throw new RfsError('RFS_UNSAFE_PATH', `resolving ${path}: too many levels of symbolic links`, { subject: path });
        }
        // confined to the image root: `..` above '/' stays at '/'
        if (node.linkTarget.startsWith('/')) cur = '/';
        queue.unshift(...node.linkTarget.split('/').filter((p) => p !== '' && p !== '.'));
        continue;
      }
      cur = next;
    }
    if (last === '..') return parentDir(cur);
    return cur === '/' ? `/${last}` : `${cur}/${last}`;
  }

  get(path: string): TreeNode | undefined {
    return this.nodes.get(this.resolveParent(path));
  }

  /** Insert or replace a node; parents are created as root-owned 0755 directories when missing. */
  put(path: string, node: TreeNode): string {
    const p = this.resolveParent(path);
    if (p === '/') {
      if (node.type !== 'dir') throw new RfsError('RFS_UNSAFE_PATH', 'writing /: the root must stay a directory', { subject: path });
      return p;
    }
    this.ensureDir(posix.dirname(p));
    this.nodes.set(p, node);
    this.children.get(posix.dirname(p))!.add(posix.basename(p));
    if (node.type === 'dir' && !this.children.has(p)) this.children.set(p, new Set());
    return p;
  }

  private ensureDir(dir: string, opts: WriteOptions = {}): void {
    if (dir === '/') return;
    const existing = this.nodes.get(dir);
    if (existing?.type === 'dir') return;
    if (existing) {
      throw new RfsError('RFS_FILE_CONFLICT', `creating directory ${dir}: a ${existing.type} is in the way`, { subject: dir });
    }
    const parent = posix.dirname(dir);
    this.ensureDir(parent);
    this.nodes.set(dir, {
      type: 'dir', mode: opts.mode ?? 0o755, user: opts.user ?? 'root', group: opts.group ?? 'root', mtime: this.mtime, size: 0,
    });
    this.children.get(parent)!.add(posix.basename(dir));
    this.children.set(dir, new Set());
  }

  /** All paths in tar order: depth-first, children sorted bytewise, so parents precede children. */
  *walk(): Generator<[string, TreeNode]> {
    const stack: string[] = ['/'];
    while (stack.length > 0) {
      const p = stack.pop()!;
      const node = this.nodes.get(p)!;
      if (p !== '/') yield [p, node];
      const kids = this.children.get(p);
      if (kids && node.type === 'dir') {
        const sorted = [...kids].sort(byteCompare);
        for (let i = sorted.length - 1; i >= 0; i--) stack.push(p === '/' ? `/${sorted[i]}` : `${p}/${sorted[i]}`);
      }
    }
  }

  // --- ImageFS ---
  exists(path: string): boolean {
    return this.nodes.has(this.resolveParent(path));
  }

  readFile(path: string): Uint8Array | undefined {
    let node = this.get(path);
    if (node?.type === 'hardlink' && node.linkTarget) node = this.nodes.get(node.linkTarget);
    if (node?.type !== 'file' || !node.content) return node?.type === 'file' ? new Uint8Array(0) : undefined;
    return readContentSync(node.content);
  }

  writeFile(path: string, data: Uint8Array | string, opts: WriteOptions = {}): void {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    const p = this.resolveParent(path);
    const old = this.nodes.get(p);
    if (old?.type === 'dir') throw new RfsError('RFS_FILE_CONFLICT', `writing ${path}: it is a directory`, { subject: path });
    const base = old && (old.type === 'file' || old.type === 'hardlink') ? old : undefined;
    this.put(p, {
      type: 'file',
      mode: opts.mode ?? base?.mode ?? 0o644,
      user: opts.user ?? base?.user ?? 'root',
      group: opts.group ?? base?.group ?? 'root',
      mtime: this.mtime,
      size: bytes.length,
      content: { kind: 'bytes', data: bytes },
      ...(base?.owner !== undefined ? { owner: base.owner } : {}),
    });
  }

  symlink(target: string, path: string, opts: WriteOptions = {}): void {
    this.put(path, {
      type: 'symlink', mode: 0o777, user: opts.user ?? 'root', group: opts.group ?? 'root',
      mtime: this.mtime, size: 0, linkTarget: target,
    });
  }

  /** mkdir -p: an existing symlink to a directory is followed, as the shell's mkdir -p does */
  mkdir(path: string, opts: WriteOptions = {}): void {
    this.ensureDir(this.resolveDir(path), opts);
  }

  remove(path: string): void {
    const p = this.resolveParent(path);
    if (p === '/' || !this.nodes.has(p)) return;
    for (const name of this.children.get(p) ?? []) this.remove(`${p}/${name}`);
    this.nodes.delete(p);
    this.children.delete(p);
    this.children.get(posix.dirname(p))?.delete(posix.basename(p));
  }

  list(dir: string): string[] {
    const p = this.resolveDir(dir);
    return [...(this.children.get(p) ?? [])].sort(byteCompare);
  }

  lstat(path: string): ImageStat | undefined {
    const n = this.get(path);
    if (!n) return undefined;
    return {
      type: n.type, mode: n.mode, user: n.user, group: n.group,
      ...(n.linkTarget !== undefined ? { linkTarget: n.linkTarget } : {}),
      ...(n.owner !== undefined ? { owner: n.owner } : {}),
    };
  }

  chmod(path: string, mode: number): void {
    const n = this.get(path);
    if (n) n.mode = mode & 0o7777;
  }

  chown(path: string, user: string, group: string): void {
    const n = this.get(path);
    if (n) {
      n.user = user;
      n.group = group;
    }
  }

  /** A directory path with symlinks resolved, including the last component. */
  private resolveDir(dir: string): string {
    let p = this.resolveParent(dir);
    for (let i = 0; i < MAX_SYMLINK_HOPS; i++) {
      const n = this.nodes.get(p);
      if (n?.type !== 'symlink' || n.linkTarget === undefined) return p;
      p = this.resolveParent(n.linkTarget.startsWith('/') ? n.linkTarget : posix.join(posix.dirname(p), n.linkTarget));
    }
    return p;
  }
}

/**
 * Order of the UTF-8 bytes (as Buffer.compare of the encoded strings), without encoding: sorting
 * a directory of 100k names allocated two Buffers per comparison. UTF-16 units compare as code
 * points, so as UTF-8, except surrogates (U+10000 and up) against U+E000..U+FFFF. For well-formed
 * strings (names decoded from UTF-8 always are); Buffer.from would turn a lone surrogate into U+FFFD.
 */
export function byteCompare(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) return codeOrder(x) - codeOrder(y);
    return x - y;
  }
  return a.length - b.length;
}

/** Compare paths as the tree walks them (component by component): hard-link holders, whiteout places. */
export function walkOrder(a: string, b: string): number {
  const pa = a.split('/');
  const pb = b.split('/');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const c = byteCompare(pa[i]!, pb[i]!);
    if (c !== 0) return c;
  }
  return pa.length - pb.length;
}

/** Surrogates above U+E000..U+FFFF, as their code points are. */
function codeOrder(unit: number): number {
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}


export function readContentSync(ref: ContentRef): Uint8Array {
  if (ref.kind === 'bytes') return ref.data;
  const buf = Buffer.alloc(ref.length);
  const fd = openSync(ref.file, 'r');
  try {
    let done = 0;
    while (done < ref.length) {
      const n = readSync(fd, buf, done, ref.length - done, ref.offset + done);
      if (n === 0) break;
      done += n;
    }
  } finally {
    closeSync(fd);
  }
  return buf;
}
