// File capabilities of a base given as a host directory. Node cannot read xattrs, so libcap's
// `getcap -r` reads them (as `dir` output uses host mkfifo/mknod); without them a dnf-made root
// would lose newuidmap's cap_setuid and `rpm -V` would flag it.
import { spawnSync } from 'node:child_process';
import { encodeCapability } from '../../tar/index.js';

export interface DirCaps {
  /** '/'-rooted path -> security.capability bytes; only regular files that have caps */
  caps: Map<string, Uint8Array>;
  /** why none could be read (getcap missing or failing), else undefined */
  unread?: string;
}

/** libcap text to xattr bytes, or undefined when `text` is not capability text (a split in the wrong place) */
function encoded(text: string): Uint8Array | undefined {
  try {
    return encodeCapability(text);
  } catch {
    return undefined;
  }
}

/**
 * Lines are "PATH CAPS" (libcap >= 2.30) or "PATH = CAPS"; a path may hold spaces, so every
 * split is kept whose right side is capability text, and the walk looks up the real paths.
 */
export function parseGetcap(out: string, root: string): Map<string, Uint8Array> {
  const caps = new Map<string, Uint8Array>();
  for (const line of out.split('\n')) {
    if (!line.startsWith(`${root}/`)) continue;
    for (let i = line.indexOf(' ', root.length); i >= 0; i = line.indexOf(' ', i + 1)) {
      const bytes = encoded(line.slice(i + 1).replace(/^= /, ''));
      if (bytes) caps.set(line.slice(root.length, i), bytes);
    }
  }
  return caps;
}

export function readDirCaps(root: string): DirCaps {
  const dir = root.replace(/\/+$/, '') || '/';
  const r = spawnSync('getcap', ['-r', dir], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.error) return { caps: new Map(), unread: `getcap could not run (${r.error.message}); install libcap2-bin/libcap` };
  // getcap exits non-zero for unreadable files yet prints the others: keep what it printed
  return { caps: parseGetcap(r.stdout, dir === '/' ? '' : dir) };
}
