// Pull-style reading of exact byte counts from an async chunk stream, without copying
// when a request falls inside one chunk. Used by the rpm/cpio parsers.

export type ChunkSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

export class ByteReader {
  private readonly it: AsyncIterator<Uint8Array> | Iterator<Uint8Array>;
  private buf: Uint8Array = new Uint8Array(0);
  private leftover: Uint8Array | null = null;
  private done = false;
  /** bytes consumed so far */
  position = 0;

  constructor(src: ChunkSource) {
    this.it = Symbol.asyncIterator in src ? src[Symbol.asyncIterator]() : src[Symbol.iterator]();
  }

  /** the next chunk: a leftover from gather() first, then the source */
  private async nextChunk(): Promise<Uint8Array | null> {
    const left = this.leftover;
    if (left) {
      this.leftover = null;
      return left;
    }
    if (this.done) return null;
    const r = await this.it.next();
    if (r.done) {
      this.done = true;
      return null;
    }
    return r.value;
  }

  private async fill(): Promise<boolean> {
    for (;;) {
      const c = await this.nextChunk();
      if (c === null) return false;
      if (c.length === 0) continue;
      this.buf = c;
      return true;
    }
  }

  /** Buffer at least n bytes (fewer only at end), copying only what crosses chunk borders. */
  private async gather(n: number): Promise<void> {
    if (this.buf.length >= n) return;
    const parts = [this.buf];
    let have = this.buf.length;
    while (have < n) {
      const c = await this.nextChunk();
      if (c === null) break;
      const want = n - have;
      if (c.length > want) {
        parts.push(c.subarray(0, want));
        this.leftover = c.subarray(want);
        have = n;
      } else {
        parts.push(c);
        have += c.length;
      }
    }
    this.buf = parts.length === 1 ? parts[0]! : concat(parts);
  }

  /** Exactly n bytes, or fewer only at end of stream. */
  async read(n: number): Promise<Uint8Array> {
    await this.gather(n);
    const take = Math.min(n, this.buf.length);
    const out = this.buf.subarray(0, take);
    this.buf = this.buf.subarray(take);
    this.position += take;
    return out;
  }

  /** Up to n bytes (at least 1 unless at end): whatever is buffered or the next chunk. */
  async readSome(n: number): Promise<Uint8Array> {
    if (this.buf.length === 0 && !(await this.fill())) return this.buf;
    const take = Math.min(n, this.buf.length);
    const out = this.buf.subarray(0, take);
    this.buf = this.buf.subarray(take);
    this.position += take;
    return out;
  }

  /** Look at the next n bytes (fewer at end) without consuming them. */
  async peek(n: number): Promise<Uint8Array> {
    await this.gather(n);
    return this.buf.subarray(0, Math.min(n, this.buf.length));
  }

  /** Skip n bytes; returns how many were skipped (fewer only at end). */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      const c = await this.readSome(left);
      if (c.length === 0) break;
      left -= c.length;
    }
    return n - left;
  }

  /** The remaining stream: buffered bytes first, then the rest of the source. */
  async *rest(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const c = await this.readSome(Number.MAX_SAFE_INTEGER);
      if (c.length === 0) return;
      yield c;
    }
  }

  async close(): Promise<void> {
    this.done = true;
    this.leftover = null;
    this.buf = new Uint8Array(0);
    await this.it.return?.();
  }
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** The chunks of `src`, each shown to `fn` as it passes. */
export async function* tapChunks(src: AsyncIterable<Uint8Array>, fn: (c: Uint8Array) => void): AsyncGenerator<Uint8Array> {
  for await (const c of src) {
    fn(c);
    yield c;
  }
}

/** Chunks of a byte array (for feeding parsers that take streams). */
export function* chunksOf(bytes: Uint8Array, size = 1 << 20): Generator<Uint8Array> {
  for (let o = 0; o < bytes.length; o += size) yield bytes.subarray(o, Math.min(bytes.length, o + size));
}
