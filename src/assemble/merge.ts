// Merge packages into one filesystem view in install order, with rpm's rules: directories
// shared (first owner's metadata wins), identical files shared, multilib twins resolved by
// file colour, real conflicts reported; %ghost not created; --nodocs / --install-langs files
// not created and recorded as not installed.
import { RfsError } from '../errors/index.js';
import { FileFlag, FileState } from '../types/index.js';
import type { RpmFile } from '../rpm/package.js';
import type { ImageEntryType } from '../types/imagefs.js';
import { readContentSync, walkOrder } from './tree.js';
import type { ImageTree, TreeNode } from './tree.js';
import type { UnpackedPackage } from './unpack.js';

export interface MergeOptions {
  nodocs?: boolean;
  installLangs?: string[];
  /** clamp file mtimes to this (SOURCE_DATE_EPOCH) */
  clampMtime?: number;
  /** rpm's preferred colour: 2 (ELF64) on 64-bit hosts */
  preferColor?: number;
  /**
   * on a base image: resolved paths whose new file is not written (null: the image's changed
   * %config stays) or is written elsewhere (its .rpmnew), as base/config-files.ts decided
   */
  redirects?: ReadonlyMap<string, string | null>;
}

export interface MergeResult {
  /** FILESTATES per package (same order as the packages given) */
  fileStates: Uint8Array[];
  warnings: string[];
}

const S_IFMT = 0o170000;
const TYPES: Record<number, ImageEntryType | 'socket'> = {
  0o040000: 'dir', 0o100000: 'file', 0o120000: 'symlink', 0o020000: 'char', 0o060000: 'block', 0o010000: 'fifo', 0o140000: 'socket',
};

export function fileType(mode: number): ImageEntryType | 'socket' | undefined {
  return TYPES[mode & S_IFMT];
}

/** rpm's %_install_langs match: "fr" selects fr, fr_FR, fr@euro...; "C" and no language always install. */
export function langSelected(fileLang: string, langs: string[] | undefined): boolean {
  if (!langs || fileLang === '' || langs.includes('all')) return true;
  return fileLang.split('|').some((l) => l === 'C' || langs.some((want) => l === want || (l.startsWith(want) && /^[_@.]/.test(l.slice(want.length)))));
}

function decodeRdev(rdev: number): { devMajor: number; devMinor: number } {
  return { devMajor: (rdev >>> 8) & 0xfff, devMinor: (rdev & 0xff) | ((rdev >>> 12) & 0xfff00) };
}

/** two regular files' contents, read (only for the few %config files over unowned base files) */
function sameBytes(a: TreeNode, b: TreeNode): boolean {
  const bytes = (n: TreeNode): Uint8Array => (n.content ? readContentSync(n.content) : new Uint8Array(0));
  return a.size === b.size && Buffer.from(bytes(a)).equals(bytes(b));
}

function sameFile(a: TreeNode, b: TreeNode): boolean {
  if (a.type !== b.type || a.mode !== b.mode || a.user !== b.user || a.group !== b.group) return false;
  if (a.type === 'symlink') return a.linkTarget === b.linkTarget;
  if (a.type === 'file') return a.size === b.size && (a.digest ?? '') === (b.digest ?? '');
  if (a.type === 'char' || a.type === 'block') return a.devMajor === b.devMajor && a.devMinor === b.devMinor;
  return true;
}

export function mergePackages(tree: ImageTree, pkgs: UnpackedPackage[], opts: MergeOptions = {}): MergeResult {
  const warnings: string[] = [];
  const fileStates = pkgs.map((p) => new Uint8Array(p.fileCount));
  // path -> [package index, file index, node] of the current holder, for colour decisions
  const holders = new Map<string, [number, number, TreeNode]>();
  // each header decodes its own copy of 'root': one string per owner name instead of two per file
  const names = new Map<string, string>();
  const intern = (s: string): string => names.get(s) ?? (names.set(s, s), s);
  const preferColor = opts.preferColor ?? 2;

  pkgs.forEach((pkg, pi) => {
    const states = fileStates[pi]!;
    const files = pkg.files(); // decoded for this package only, let go after it
    // Hard-link sets: the member first in tar order holds the data; the others link to it.
    const holderOf = new Map<number, number>();
    for (const set of new Set(pkg.hardlinkSets.values())) {
      const live = set.filter((i) => isCreated(files[i]!, opts));
      const first = [...live].sort((x, y) => walkOrder(files[x]!.path, files[y]!.path))[0];
      if (first !== undefined) for (const i of live) holderOf.set(i, first);
    }
    for (const f of files) {
      if (f.flags & FileFlag.GHOST) continue; // owned in the rpmdb, not created
      if (!isCreated(f, opts)) {
        states[f.index] = FileState.NOTINSTALLED;
        continue;
      }
      const type = fileType(f.mode);
      if (type === undefined || type === 'socket') {
        warnings.push(`${pkg.nevra}: ${f.path}: ${type ?? 'unknown file type'} cannot be represented in a tar; skipped`);
        states[f.index] = FileState.NOTINSTALLED;
        continue;
      }
      const node = toNode(f, type, pkg, files, holderOf, opts);
      node.user = intern(node.user);
      node.group = intern(node.group);
      if (node.type === 'hardlink' && node.linkTarget) node.linkTarget = tree.resolveParent(node.linkTarget);
      const given = tree.resolveParent(f.path);
      const redirect = opts.redirects?.get(given);
      if (redirect === null) continue;
      const resolved = redirect ?? given;
      if (node.type === 'hardlink' && node.linkTarget === resolved) continue; // a link to itself through a dir symlink
      const old = tree.get(resolved);
      // a file of the base image no package owns: rpm writes over it, but a differing %config one
      // stays and the package's goes to .rpmnew (noreplace), or is kept as .rpmorig (rpm 4.18 as dnf runs it)
      if (old && old.owner === undefined && old.type !== 'dir') {
        if (f.flags & FileFlag.CONFIG && old.type === 'file' && !sameBytes(old, node)) {
          if (f.flags & FileFlag.NOREPLACE) {
            tree.put(`${resolved}.rpmnew`, node);
            warnings.push(`${resolved} created as ${resolved}.rpmnew`);
            continue;
          }
          tree.remove(resolved);
          tree.put(`${resolved}.rpmorig`, old);
          warnings.push(`${resolved} saved as ${resolved}.rpmorig`);
        }
      } else if (old) {
        if (old.type === 'dir' && node.type === 'dir') continue; // first owner's metadata wins
        if (old.owner === pkg.nevra && old.type !== 'dir') {
          // two paths of one package meeting through a directory symlink (/bin -> usr/bin): the later wins, as rpm
        } else if (!sameFile(old, node)) {
          const prev = holders.get(resolved);
          const oldColor = old.color ?? 0;
          const newColor = node.color ?? 0;
          if (oldColor && newColor && oldColor !== newColor && prev) {
            if (newColor & preferColor) {
              fileStates[prev[0]]![prev[1]] = FileState.WRONGCOLOR;
            } else {
              states[f.index] = FileState.WRONGCOLOR;
              continue;
            }
          } else {
            const other = old.owner ?? 'the image';
            throw new RfsError('RFS_FILE_CONFLICT', `installing ${pkg.nevra}: file ${f.path} conflicts with file from package ${other}`, {
              subject: f.path,
              hint: 'exclude one of the two packages (--exclude), or pick versions that agree on the file',
            });
          }
        } else {
          continue; // identical shared file: keep the first
        }
      }
      tree.put(resolved, node);
      holders.set(resolved, [pi, f.index, node]);
    }
  });
  // digests only serve the conflict checks above: ~90 bytes a file not held past the merge
  for (const [, , node] of holders.values()) node.digest = undefined;
  return { fileStates, warnings };
}

function isCreated(f: RpmFile, opts: MergeOptions): boolean {
  if (opts.nodocs && f.flags & FileFlag.DOC) return false;
  return langSelected(f.lang, opts.installLangs);
}

function toNode(f: RpmFile, type: ImageEntryType, pkg: UnpackedPackage, files: RpmFile[], holderOf: Map<number, number>, opts: MergeOptions): TreeNode {
  const mtime = opts.clampMtime !== undefined ? Math.min(f.mtime, opts.clampMtime) : f.mtime;
  const node = treeNode(type, f.mode & 0o7777, f.user, f.group, mtime, pkg.nevra);
  if (f.color) node.color = f.color;
  if (type === 'symlink') node.linkTarget = f.linkTo;
  else if (type === 'char' || type === 'block') Object.assign(node, decodeRdev(f.rdev));
  if (type !== 'file') return node;
  node.digest = f.digest;
  const holder = holderOf.get(f.index);
  if (holder !== undefined && holder !== f.index) {
    node.type = 'hardlink';
    node.linkTarget = files[holder]!.path;
    return node;
  }
  // For a hard-link set the data arrived with one member (the last); find it.
  let content = pkg.contents.get(f.index);
  if (!content && holder !== undefined) {
    for (const i of pkg.hardlinkSets.get(f.index) ?? []) content = content ?? pkg.contents.get(i);
  }
  if (f.caps) node.caps = f.caps;
  if (content) {
    node.content = content;
    node.size = content.kind === 'bytes' ? content.data.length : content.length;
  }
  return node;
}

/**
 * Every field set, in one order, so all nodes share one V8 hidden class: nodes built by object
 * spread got one hidden class each (~300 bytes per file; bench/RESULTS-manyfiles.md).
 */
function treeNode(type: ImageEntryType, mode: number, user: string, group: string, mtime: number, owner: string): TreeNode {
  return {
    type, mode, user, group, mtime, size: 0, linkTarget: undefined, devMajor: undefined, devMinor: undefined,
    caps: undefined, content: undefined, digest: undefined, color: undefined, owner,
  };
}
