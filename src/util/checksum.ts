// Checksum names as repodata spells them, and streaming digests of files.
import { createHash, type Hash } from 'node:crypto';
import { fileChunks } from './file-chunks.js';
import type { Checksum, ChecksumType } from '../types/index.js';

const ALIASES: Record<string, ChecksumType> = {
  md5: 'md5', sha: 'sha1', sha1: 'sha1', sha224: 'sha224', sha256: 'sha256', sha384: 'sha384', sha512: 'sha512',
};

/** `sha` (createrepo's name for SHA-1 in CentOS 4/5 repodata) and friends; undefined if unknown. */
export function checksumType(name: string): ChecksumType | undefined {
  return ALIASES[name.trim().toLowerCase().replace(/-/g, '')];
}

export function createDigest(type: ChecksumType): Hash {
  return createHash(type);
}

/** Hex digest of a whole file, streamed. */
export async function digestFile(path: string, type: ChecksumType): Promise<string> {
  const h = createHash(type);
  for await (const chunk of fileChunks(path)) h.update(chunk);
  return h.digest('hex');
}

export function sameChecksum(a: Checksum, b: Checksum): boolean {
  return a.type === b.type && a.value.toLowerCase() === b.value.toLowerCase();
}

/** Prefer the strongest of several declared checksums. */
export function strongest(list: Checksum[]): Checksum | undefined {
  const rank: Record<ChecksumType, number> = { md5: 0, sha1: 1, sha224: 2, sha256: 3, sha384: 4, sha512: 5 };
  return [...list].sort((a, b) => rank[b.type] - rank[a.type])[0];
}
