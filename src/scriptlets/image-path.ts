// Paths inside the image as a chrooted process sees them: one resolver for every emulated
// command and library (lua posix/io, test, readlink, ldconfig, file reads), so all agree.
import type { ImageFS } from '../types/imagefs.js';

/** Linux's MAXSYMLINKS: more links than this in one lookup is ELOOP */
export const MAX_SYMLINK_HOPS = 40;

export function dirOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

/** lexical join; `..` above the root stays at the root, as in a chroot */
export function joinPath(dir: string, rel: string): string {
  const parts = (dir + '/' + rel).split('/');
  const out: string[] = [];
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return '/' + out.join('/');
}

/**
 * The canonical path `path` leads to, every symlink followed as the kernel does under a chroot
 * to the image: an absolute target starts again at the image root, a relative one from the
 * directory the link is in (after that directory's own links), and `..` stops at the root.
 * undefined when links loop, a non-directory is walked through, or a component is missing
 * (`missingLast`: the last one may be, as open(O_CREAT) and readlink -f allow).
 */
export function resolvePath(fs: ImageFS, path: string, opts: { missingLast?: boolean } = {}): string | undefined {
  let todo = path.split('/').filter(Boolean);
  const cur: string[] = [];
  let hops = 0;
  while (todo.length) {
    const name = todo.shift()!;
    if (name === '.') continue;
    if (name === '..') { cur.pop(); continue; }
    const p = '/' + [...cur, name].join('/');
    const st = fs.lstat(p);
    if (!st) return opts.missingLast && todo.length === 0 ? p : undefined;
    if (st.type === 'symlink') {
      const t = st.linkTarget ?? '';
      if (t === '' || ++hops > MAX_SYMLINK_HOPS) return undefined;
      if (t.startsWith('/')) cur.length = 0;
      todo = [...t.split('/').filter(Boolean), ...todo];
      continue;
    }
    if (todo.length && st.type !== 'dir') return undefined;
    cur.push(name);
  }
  return '/' + cur.join('/');
}

/** `path` with every component but the last resolved: the entry lstat(2), mkdir(2) and unlink(2) act on */
export function resolveParent(fs: ImageFS, path: string): string | undefined {
  const parts = path.split('/').filter(Boolean);
  const last = parts.pop();
  if (last === undefined || last === '.' || last === '..') return resolvePath(fs, path);
  const dir = resolvePath(fs, '/' + parts.join('/'));
  return dir === undefined ? undefined : joinPath(dir, last);
}

/** lstat of what `path` leads to (stat(2)) */
export function statFollow(fs: ImageFS, path: string): ReturnType<ImageFS['lstat']> {
  const p = resolvePath(fs, path);
  return p === undefined ? undefined : fs.lstat(p);
}
