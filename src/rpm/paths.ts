// Path rules for the names a package carries (header file paths, archive member names, symlink
// targets), in one place: the payload reader refuses what is 'unsafe', `inspect` reports both.
// 'odd' names are ones the unpacker copes with (normalises, confines to the root) but that
// another tool extracting the same package might not.

export type PathSeverity = 'unsafe' | 'odd';

export interface PathProblem {
  severity: PathSeverity;
  reason: string;
}

/** Linux limits; a longer path or component cannot be created, only smuggled through a tar. */
export const PATH_MAX = 4096;
export const NAME_MAX = 255;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;

const unsafe = (reason: string): PathProblem => ({ severity: 'unsafe', reason });
const odd = (reason: string): PathProblem => ({ severity: 'odd', reason });

/** Problems every name shares: empty, control characters, over-long, '..' climbing. */
function common(name: string, rooted: boolean): PathProblem | null {
  if (name === '') return unsafe('empty name');
  if (CONTROL.test(name)) return unsafe('control character in name');
  if (name.length > PATH_MAX) return unsafe(`name longer than ${PATH_MAX} characters`);
  const parts = name.split('/');
  if (parts.some((p) => p.length > NAME_MAX)) return unsafe(`path component longer than ${NAME_MAX} characters`);
  if (!parts.includes('..')) return null;
  let depth = 0;
  for (const p of parts) {
    if (p === '..') depth--;
    else if (p !== '' && p !== '.') depth++;
    if (depth < 0) return unsafe(rooted ? 'escapes / after normalisation' : "climbs above the root with '..'");
  }
  return unsafe("'..' segment");
}

/** '.' segments, empty segments (//) or a trailing '/': not what rpmbuild writes. */
function unnormalised(parts: string[]): boolean {
  return parts.some((p, i) => p === '.' || (p === '' && i > 0 && i < parts.length - 1)) || (parts.length > 1 && parts.at(-1) === '');
}

/** A file path from the main header (DIRNAMES + BASENAMES, or OLDFILENAMES); source packages list bare names. */
export function headerPathProblem(path: string, opts: { source?: boolean } = {}): PathProblem | null {
  const c = common(path, true);
  if (c) return c;
  if (!path.startsWith('/')) return opts.source ? null : odd('relative path in the header');
  if (path === '/') return odd('the root directory itself');
  if (unnormalised(path.split('/'))) return odd("not normalised ('.', '//' or trailing '/')");
  return null;
}

/** Archive (cpio) member name; one leading './' is what rpmbuild writes. */
export function archiveNameProblem(name: string): PathProblem | null {
  const n = name.startsWith('./') ? name.slice(2) : name;
  if (n.startsWith('/')) return unsafe('absolute archive name');
  const c = common(n, false);
  if (c) return c.reason === 'empty name' && name !== '' ? unsafe("archive name is only './'") : c;
  if (n === '.' || unnormalised(n.split('/'))) return odd("not normalised ('.', '//' or trailing '/')");
  return null;
}

/** The header-relative key of a safe archive name ('./usr/bin/x' -> 'usr/bin/x'). */
export function archiveNameKey(name: string): string {
  return (name.startsWith('./') ? name.slice(2) : name).replace(/\/+$/, '');
}

/** The same key for a header path ('/usr/bin/x' -> 'usr/bin/x'). */
export function headerPathKey(path: string): string {
  return path.replace(/^\.?\/+/, '').replace(/\/+$/, '');
}

/** True when a relative symlink at `path` pointing to `target` leaves the root lexically. */
export function symlinkEscapesRoot(path: string, target: string): boolean {
  if (target.startsWith('/')) return false;
  let depth = path.split('/').filter((c) => c && c !== '.').length - 1;
  for (const c of target.split('/')) {
    if (c === '..') depth--;
    else if (c && c !== '.') depth++;
    if (depth < 0) return true;
  }
  return false;
}

/** A symlink target: never refused (the image confines it), but worth a word. */
export function symlinkTargetProblem(path: string, target: string): PathProblem | null {
  if (target === '') return odd('symlink with an empty target');
  if (CONTROL.test(target)) return odd('control character in symlink target');
  if (target.length > PATH_MAX) return odd(`symlink target longer than ${PATH_MAX} characters`);
  if (symlinkEscapesRoot(path, target)) return odd("relative symlink target climbs above / with '..'");
  return null;
}
