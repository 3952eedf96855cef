// Read one downloaded package: header metadata now, regular-file content spooled to one file
// per package, so memory stays bounded whatever the image size.
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
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
  budget: MemoryBudget,
  signal?: AbortSignal,
): Promise<UnpackedPackage> {
  // payload digests are checked while entries() reads (one pass); a mismatch throws before merge
  const pkg = await openRpm(rpmPath, { verify: true, deferPayloadCheck: true });
  const contents = new Map<number, ContentRef>();
  const hardlinkSets = new Map<number, number[]>();
  const spool = new Spool(join(spoolDir, `${String(seq).padStart(5, '0')}.spool`), budget);
  try {
    for await (const entry of pkg.entries(signal ? { signal } : {})) {
      signal?.throwIfAborted();
      if (entry.hardlinkSet) for (const i of entry.hardlinkSet) hardlinkSets.set(i, entry.hardlinkSet);
      const start = spool.offset;
      for await (const chunk of entry.content) await spool.write(chunk);
      if (spool.offset > start) contents.set(entry.file.index, { kind: 'spool', file: spool.path, offset: start, length: spool.offset - start });
    }
    const kept = await spool.finish();
    // a package small enough for the memory budget never touches the disk
    if (kept) for (const [i, ref] of contents) if (ref.kind === 'spool') contents.set(i, { kind: 'bytes', data: kept.subarray(ref.offset, ref.offset + ref.length) });
  } finally {
    await spool.close();
  }
  return {
    nevra: nevraOf(pkg.meta),
    repo,
    meta: pkg.meta,
    headerBytes: pkg.headerBytes,
    signatureBytes: pkg.signatureBytes,
    contents,
    hardlinkSets,
    bytes: spool.offset,
  };
}

/** Bytes of package content the whole build may hold in memory; the rest is spooled to disk. */
export class MemoryBudget {
  constructor(private left: number) {}
  take(n: number): boolean {
    if (n > this.left) return false;
    this.left -= n;
    return true;
  }
}

const FLUSH_AT = 4 << 20;

/** Collects content in memory; past FLUSH_AT (or the budget) it goes to a file in big writes. */
class Spool {
  offset = 0;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private fh: FileHandle | null = null;
  private written = 0;
  constructor(readonly path: string, private readonly budget: MemoryBudget) {}

  async write(chunk: Uint8Array): Promise<void> {
    // decoded chunks belong to the caller (src/decompress never reuses them): no copy
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    this.offset += chunk.length;
    if (this.pendingBytes >= FLUSH_AT) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    this.fh ??= await open(this.path, 'w');
    await this.fh.writev(this.pending, this.written);
    this.written += this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** The whole content when it stayed in memory within the budget; otherwise null (all on disk). */
  async finish(): Promise<Uint8Array | null> {
    if (!this.fh && this.budget.take(this.pendingBytes)) {
      const all = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
      return all;
    }
    await this.flush();
    return null;
  }

  async close(): Promise<void> {
    await this.fh?.close();
  }
}
