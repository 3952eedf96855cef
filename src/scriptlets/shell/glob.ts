// sh pattern matching over the image, one path component at a time (each component matched
// as fnmatch(3) does: util/glob), symlinked directories followed as the shell would.
import type { ImageFS } from '../../types/imagefs.js';
import { globToRegExp } from '../../util/glob.js';

/** Expand an absolute pattern against the image; [] when nothing matches (or it is relative). */
export function globImage(fs: ImageFS, pattern: string): string[] {
  if (!pattern.startsWith('/')) return [];
  let paths = ['/'];
  for (const seg of pattern.split('/').filter(Boolean)) {
    const next: string[] = [];
    const wild = /(^|[^\\])[*?[]/.test(seg);
    for (const dir of paths) {
      const prefix = dir === '/' ? '' : dir;
      if (!wild) {
        const p = `${prefix}/${seg.replace(/\\(.)/g, '$1')}`;
        if (fs.lstat(p)) next.push(p);
        continue;
      }
      const re = globToRegExp(seg);
      for (const child of fs.list(dir)) {
        if (child.startsWith('.') && !seg.startsWith('.')) continue;
        if (re.test(child)) next.push(`${prefix}/${child}`);
      }
    }
    paths = next;
  }
  return paths.sort();
}
