// Expand an absolute sh-style glob against the image (symlinked directories are followed,
// as the shell would when a recipe says /lib/systemd/... on a /lib -> usr/lib system).
import type { ImageFS } from '../imagefs.js';
import { globRegex } from '../scriptlets/shell-run.js';

export function globImage(fs: ImageFS, pattern: string): string[] {
  if (!pattern.startsWith('/')) return [];
  let paths = ['/'];
  for (const seg of pattern.split('/').filter(Boolean)) {
    const next: string[] = [];
    const wild = /[*?[]/.test(seg);
    const re = wild ? globRegex(seg) : null;
    for (const dir of paths) {
      const prefix = dir === '/' ? '' : dir;
      if (!re) {
        if (fs.lstat(`${prefix}/${seg}`)) next.push(`${prefix}/${seg}`);
        continue;
      }
      for (const child of fs.list(dir)) {
        if (child.startsWith('.') && !seg.startsWith('.')) continue;
        if (re.test(child)) next.push(`${prefix}/${child}`);
      }
    }
    paths = next;
  }
  return paths.sort();
}
