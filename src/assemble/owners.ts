// File owners come from the image's own /etc/passwd and /etc/group as they stand after the
// scriptlets' users exist: never the cpio's numeric ids, never the host's.
import type { ImageFS } from '../types/imagefs.js';

export interface IdMaps {
  users: Map<string, number>;
  groups: Map<string, number>;
}

function parseIds(text: string | undefined): Map<string, number> {
  const ids = new Map<string, number>();
  for (const line of (text ?? '').split('\n')) {
    const f = line.split(':');
    if (f.length < 3 || f[0] === '' || line.startsWith('#')) continue;
    const id = Number(f[2]);
    // first entry wins, as getpwnam does
    if (Number.isInteger(id) && id >= 0 && !ids.has(f[0]!)) ids.set(f[0]!, id);
  }
  return ids;
}

export function readIdMaps(fs: ImageFS): IdMaps {
  const dec = new TextDecoder();
  const passwd = fs.readFile('/etc/passwd');
  const group = fs.readFile('/etc/group');
  const users = parseIds(passwd && dec.decode(passwd));
  const groups = parseIds(group && dec.decode(group));
  // rpm knows root without any passwd file.
  if (!users.has('root')) users.set('root', 0);
  if (!groups.has('root')) groups.set('root', 0);
  return { users, groups };
}

/** A base image's owner with no name in its own passwd/group: '#1234' (written with an empty name). */
const NUMERIC = /^#(\d{1,10})$/;

function numeric(name: string): { id: number; name: string } | undefined {
  const m = NUMERIC.exec(name);
  const id = m ? Number(m[1]) : NaN;
  return Number.isSafeInteger(id) ? { id, name: '' } : undefined;
}

/** Map names to ids; unknown names fall back to root (0) and are reported once each, as rpm warns. */
export class OwnerResolver {
  readonly unknown = new Set<string>();
  constructor(private readonly maps: IdMaps) {}

  /** id and the name written into the tar (root when unknown) */
  user(name: string): { id: number; name: string } {
    const id = this.maps.users.get(name);
    if (id !== undefined) return { id, name };
    const n = numeric(name);
    if (n) return n;
    this.unknown.add(`user ${name}`);
    return { id: 0, name: 'root' };
  }

  group(name: string): { id: number; name: string } {
    const id = this.maps.groups.get(name);
    if (id !== undefined) return { id, name };
    const n = numeric(name);
    if (n) return n;
    this.unknown.add(`group ${name}`);
    return { id: 0, name: 'root' };
  }
}
