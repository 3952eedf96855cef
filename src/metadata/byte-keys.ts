// byte string -> number, open addressing over typed arrays: a repeated key is found from the
// document's bytes without ever becoming a JS string (no slice, no garbage).

export class ByteKeys {
  private slots = new Int32Array(1 << 12);
  /** keys back to back in `pool`; key i is pool[start[i], start[i + 1]) */
  private pool = new Uint8Array(1 << 16);
  private start = new Int32Array(1 << 11);
  private hashes = new Int32Array(1 << 11);
  private values = new Int32Array(1 << 11);
  private n = 0;
  private used = 0;

  /** The value stored for b[s, e), or -1. */
  get(b: Uint8Array, s: number, e: number): number {
    const h = hashBytes(b, s, e);
    const mask = this.slots.length - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const k = this.slots[slot]! - 1;
      if (k < 0) return -1;
      if (this.hashes[k] === h && this.same(k, b, s, e)) return this.values[k]!;
    }
  }

  /** Store a key known to be absent (get() gave -1). */
  add(b: Uint8Array, s: number, e: number, value: number): void {
    const len = e - s;
    if (this.n + 2 > this.start.length) {
      this.start = grow(this.start, this.start.length * 2); this.hashes = grow(this.hashes, this.start.length); this.values = grow(this.values, this.start.length);
    }
    if (this.used + len > this.pool.length) {
      const p = new Uint8Array(Math.max(this.pool.length * 2, this.used + len)); p.set(this.pool.subarray(0, this.used)); this.pool = p;
    }
    this.pool.set(b.subarray(s, e), this.used);
    const k = this.n++;
    this.start[k] = this.used;
    this.used += len;
    this.start[k + 1] = this.used;
    this.hashes[k] = hashBytes(b, s, e);
    this.values[k] = value;
    if (this.n * 2 > this.slots.length) this.rehash(); else this.place(k);
  }

  private same(k: number, b: Uint8Array, s: number, e: number): boolean {
    const o = this.start[k]!;
    if (this.start[k + 1]! - o !== e - s) return false;
    const p = this.pool;
    for (let i = 0; i < e - s; i++) if (p[o + i] !== b[s + i]) return false;
    return true;
  }

  private place(k: number): void {
    const mask = this.slots.length - 1;
    let slot = this.hashes[k]! & mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = k + 1;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    for (let k = 0; k < this.n; k++) this.place(k);
  }
}

function grow(a: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const g = new Int32Array(size); g.set(a); return g;
}

/** FNV-1a with a final mix: cheap per byte, well spread in the low bits used as slots. */
export function hashBytes(b: Uint8Array, s: number, e: number): number {
  let h = 0x811c9dc5;
  for (let i = s; i < e; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  h ^= h >>> 15; h = Math.imul(h, 0x2c1b3c6d); h ^= h >>> 12;
  return h;
}
