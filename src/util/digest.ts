// Incremental hashing of several algorithms over the same byte stream.
import { createHash, getHashes, type Hash } from 'node:crypto';

const available = new Set(getHashes());

export function hashAvailable(algo: string): boolean {
  return available.has(algo);
}

export class MultiHash {
  private readonly hashes = new Map<string, Hash>();
  bytes = 0;

  constructor(algos: Iterable<string>) {
    for (const a of algos) if (!this.hashes.has(a)) this.hashes.set(a, createHash(a));
  }

  get empty(): boolean {
    return this.hashes.size === 0;
  }

  update(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    for (const h of this.hashes.values()) h.update(chunk);
  }

  /** hex digests by algorithm name */
  digest(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [a, h] of this.hashes) out.set(a, h.digest('hex'));
    return out;
  }
}

export function hashHex(algo: string, ...parts: Uint8Array[]): string {
  const h = createHash(algo);
  for (const p of parts) h.update(p);
  return h.digest('hex');
}
