// The assembled image's filesystem as scriptlet emulation and finishing steps see it.
// Implemented by ImageTree (assemble/tree.ts); an interface here, in the lowest layer, so the
// scriptlets layer below assemble uses it and those steps stay testable alone.

export type ImageEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

export interface ImageStat {
  type: ImageEntryType;
  /** permission bits incl. setuid/setgid/sticky (no S_IFMT bits) */
  mode: number;
  user: string;
  group: string;
  linkTarget?: string;
  /** package that owns the path (NEVRA), if any */
  owner?: string;
}

export interface WriteOptions {
  mode?: number;
  user?: string;
  group?: string;
}

export interface ImageFS {
  exists(path: string): boolean;
  /** regular files only (hardlinks resolve to their target's bytes); undefined otherwise */
  readFile(path: string): Uint8Array | undefined;
  /** create or replace content; an existing entry keeps its owner and mode unless given */
  writeFile(path: string, data: Uint8Array | string, opts?: WriteOptions): void;
  symlink(target: string, path: string, opts?: WriteOptions): void;
  /** mkdir -p */
  mkdir(path: string, opts?: WriteOptions): void;
  /** recursive; no error when absent */
  remove(path: string): void;
  /** child names, sorted; [] when not a directory */
  list(dir: string): string[];
  lstat(path: string): ImageStat | undefined;
  chmod(path: string, mode: number): void;
  chown(path: string, user: string, group: string): void;
}
