// rpm's rules for %config files the image changed, when a transaction on a base replaces or
// removes the package that owns them (lib/transaction.c, rpmfiDecideFate): a changed file the new
// package ships unchanged stays; a changed %config(noreplace) stays and the new one is written as
// .rpmnew; a changed plain %config is saved as .rpmsave and the new one goes in; a changed file
// whose package goes away is saved as .rpmsave. Unchanged files are replaced as any other.
import { createHash } from 'node:crypto';
import { PGP_HASH } from '../../rpm/index.js';
import type { RpmFile } from '../../rpm/index.js';
import { FileFlag } from '../../types/index.js';
import { readContentSync, type ImageTree } from '../tree.js';

/** A new package's file, with its header's digest algorithm; ShippedFiles has them by resolved path. */
export interface ShippedFile { file: Pick<RpmFile, 'digest' | 'flags'>; digestAlgo: number }
export type ShippedFiles = ReadonlyMap<string, ShippedFile>;

/** What the merge does with a new package's file at a path (resolved): skip it, or write it elsewhere. */
export type Redirects = Map<string, string | null>;

export interface ConfigFate {
  /** paths of the old package's files the erase must leave alone (kept, or already moved) */
  handled: Set<string>;
  redirects: Redirects;
  /** rpm's warnings: "/etc/x saved as /etc/x.rpmsave", "/etc/x created as /etc/x.rpmnew" */
  notes: string[];
}

/** The changed %config files among an old package's, and what rpm does with each. */
export function decideConfigFates(
  tree: ImageTree,
  old: { files: RpmFile[]; digestAlgo: number },
  shipped: ShippedFiles,
  fate: ConfigFate,
): void {
  for (const f of old.files) {
    if (!(f.flags & FileFlag.CONFIG) || f.digest === '') continue;
    const path = tree.resolveParent(f.path);
    const node = tree.get(path);
    if (node?.type !== 'file' || fate.handled.has(path)) continue;
    const algo = PGP_HASH[old.digestAlgo];
    if (algo === undefined || digestOf(tree, path, algo) === f.digest) continue; // unchanged: replaced as usual
    const next = shipped.get(path);
    fate.handled.add(path);
    if (next === undefined) {
      moveTo(tree, path, `${path}.rpmsave`);
      fate.notes.push(`${path} saved as ${path}.rpmsave`);
    } else if (next.digestAlgo === old.digestAlgo && next.file.digest === f.digest) {
      fate.redirects.set(path, null); // the package did not change it: the image's version stays
    } else if (next.file.flags & FileFlag.NOREPLACE) {
      fate.redirects.set(path, `${path}.rpmnew`);
      fate.notes.push(`${path} created as ${path}.rpmnew`);
    } else {
      moveTo(tree, path, `${path}.rpmsave`);
      fate.notes.push(`${path} saved as ${path}.rpmsave`);
    }
  }
}

function digestOf(tree: ImageTree, path: string, algo: string): string {
  const node = tree.get(path);
  const data = node?.content ? readContentSync(node.content) : new Uint8Array(0);
  return createHash(algo).update(data).digest('hex');
}

function moveTo(tree: ImageTree, from: string, to: string): void {
  const node = tree.get(from)!;
  tree.remove(from);
  tree.put(to, node);
}
