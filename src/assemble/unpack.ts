// Read one downloaded package: header metadata now, regular-file content spooled to one file
// per package, so memory stays bounded whatever the image size.
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { openRpm } from '../rpm/package.js';
import type { PackageMeta } from '../rpm/package.js';
import type { ContentRef } from './tree.js';

export interface UnpackedPackage {
  nevra: string;
  repo: string;
  meta: PackageMeta;
  headerBytes: Uint8Array;
  signatureBytes: Uint8Array;
  /** content of regular files by header index; for a hard-link set the data sits on one member */
  contents: Map<number, ContentRef>;
  /** header index -> all members of its hard-link set */
  hardlinkSets: Map<number, number[]>;
  /** uncompressed bytes spooled */
  bytes: number;
}

export function nevraOf(m: { name: string; epoch: number | null; version: string; release: string; arch: string }): string {
  const e = m.epoch ? `${m.epoch}:` : '';
  return `${m.name}-${e}${m.version}-${m.release}.${m.arch}`;
}

export async function unpackPackage(
  rpmPath: string,
  repo: string,
  spoolDir: string,
  seq: number,
  signal?: AbortSignal,
): Promise<UnpackedPackage> {
  const pkg = await openRpm(rpmPath, { verify: true });
  const contents = new Map<number, ContentRef>();
  const hardlinkSets = new Map<number, number[]>();
  const spoolPath = join(spoolDir, `${String(seq).padStart(5, '0')}.spool`);
  const fh = await open(spoolPath, 'w');
  let offset = 0;
  try {
    for await (const entry of pkg.entries(signal ? { signal } : {})) {
      signal?.throwIfAborted();
      if (entry.hardlinkSet) for (const i of entry.hardlinkSet) hardlinkSets.set(i, entry.hardlinkSet);
      if (entry.size === 0) {
        // drain so the iterator can advance
        for await (const _ of entry.content) void _;
        continue;
      }
      const start = offset;
      for await (const chunk of entry.content) {
        await fh.write(chunk, 0, chunk.length, offset);
        offset += chunk.length;
      }
      contents.set(entry.file.index, { kind: 'spool', file: spoolPath, offset: start, length: offset - start });
    }
  } finally {
    await fh.close();
  }
  return {
    nevra: nevraOf(pkg.meta),
    repo,
    meta: pkg.meta,
    headerBytes: pkg.headerBytes,
    signatureBytes: pkg.signatureBytes,
    contents,
    hardlinkSets,
    bytes: offset,
  };
}
