// What is settled once every base layer is applied: owners named through the base's own
// passwd/group, hard-link sets given one data holder, and capability xattrs as libcap text.
import { RfsError } from '../../errors/index.js';
import { decodeCapability } from '../../tar/index.js';
import type { ImageTree, TreeNode } from '../tree.js';

/** security.capability bytes as libcap text ("cap_a,cap_b=ep cap_c=i"), as node.caps holds it. */
export function capsText(bytes: Uint8Array, source: string): string {
  let d: ReturnType<typeof decodeCapability>;
  try {
    d = decodeCapability(bytes);
  } catch (e) {
    throw new RfsError('RFS_BAD_ARCHIVE', 'applying base image: a security.capability value shorter than 20 bytes', { subject: source, cause: e });
  }
  const flags = new Map<string, string[]>();
  for (const name of new Set([...d.permitted, ...d.inheritable])) {
    const f = `${d.effective ? 'e' : ''}${d.inheritable.includes(name) ? 'i' : ''}${d.permitted.includes(name) ? 'p' : ''}`;
    flags.set(f, [...(flags.get(f) ?? []), name]);
  }
  return [...flags].map(([f, names]) => `${names.join(',')}=${f}`).join(' ');
}

/** id -> first name (as getpwuid answers) from a passwd or group file's text */
function namesById(text: Uint8Array | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of new TextDecoder().decode(text ?? new Uint8Array(0)).split('\n')) {
    const f = line.split(':');
    if (f.length < 3 || f[0] === '' || line.startsWith('#') || !/^\d+$/.test(f[2]!)) continue;
    const key = `#${Number(f[2])}`;
    if (!out.has(key)) out.set(key, f[0]!);
  }
  return out;
}

/** Layers carry numeric ids ('#1000'); the base's own passwd and group name them where they can. */
export function finishOwners(tree: ImageTree): void {
  const users = namesById(tree.readFile('/etc/passwd'));
  const groups = namesById(tree.readFile('/etc/group'));
  // rpm knows root without any passwd file
  if (!users.has('#0')) users.set('#0', 'root');
  if (!groups.has('#0')) groups.set('#0', 'root');
  for (const [, n] of tree.walk()) {
    if (n.user.startsWith('#')) n.user = users.get(n.user) ?? n.user;
    if (n.group.startsWith('#')) n.group = groups.get(n.group) ?? n.group;
  }
}

/**
 * A hard-link set shares one node object while layers apply (so whiteouts and replacements of any
 * member leave the others intact); now the first member in tree order holds the data and the
 * others become 'hardlink' nodes to it, as merge.ts builds them for packages.
 */
export function linkHardlinks(tree: ImageTree): void {
  const first = new Map<TreeNode, string>();
  const links: [string, string, TreeNode][] = [];
  for (const [path, n] of tree.walk()) {
    if (n.type !== 'file') continue;
    const holder = first.get(n);
    if (holder === undefined) first.set(n, path);
    else links.push([path, holder, n]);
  }
  for (const [path, holder, n] of links) {
    tree.put(path, {
      type: 'hardlink', mode: n.mode, user: n.user, group: n.group, mtime: n.mtime, size: 0, linkTarget: holder,
      devMajor: undefined, devMinor: undefined, caps: undefined, content: undefined, digest: undefined, color: undefined, owner: undefined,
    });
  }
}
