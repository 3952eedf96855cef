// sh pattern matching over the image: `*`, `?`, `[...]` and backslash escapes, one path
// component at a time, symlinked directories followed as the shell would.
import type { ImageFS } from '../../types/imagefs.js';

/** sh pattern -> anchored RegExp (`*`, `?`, `[...]`, backslash escapes) */
export function globRegex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) re += pattern[++i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    else if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else { re += '[' + pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']'; i = end; }
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

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
      const re = globRegex(seg);
      for (const child of fs.list(dir)) {
        if (child.startsWith('.') && !seg.startsWith('.')) continue;
        if (re.test(child)) next.push(`${prefix}/${child}`);
      }
    }
    paths = next;
  }
  return paths.sort();
}
