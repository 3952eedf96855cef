// The tar entry shape the assembler hands to the writer (contract in CONTRACTS.md).

export type TarEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

export interface TarEntry {
  /** absolute in the image, e.g. '/usr/bin/ls'; '/' itself is never emitted */
  path: string;
  type: TarEntryType;
  /** permission bits incl. 07000 (setuid/setgid/sticky); type bits are ignored */
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  /** seconds since the epoch, written as given */
  mtime: number;
  /** bytes of a regular file's body; 0 for everything else */
  size: number;
  /** symlink target (kept verbatim) or hardlink target path (absolute, must be written before) */
  linkTarget?: string;
  devMajor?: number;
  devMinor?: number;
  /** extended attributes, e.g. 'security.capability' -> encodeCapability(...) */
  xattrs?: Record<string, Uint8Array>;
  /** regular files only: exactly `size` bytes */
  body?: () => AsyncIterable<Uint8Array> | Iterable<Uint8Array> | Uint8Array;
}
