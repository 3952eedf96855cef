// Walks zstd frame structure (RFC 8878 §3.1) alongside the decoder, because the libzstd
// binding reports a frame cut at a chunk boundary as a clean end: input must stop exactly
// at the end of a frame. Its block headers also bound what the decoder can produce from a
// slice of input (take()).
import { RfsError } from '../errors/index.js';

const BLOCK_MAX = 128 * 1024;

export class ZstdFrameWalker {
  private buf: number[] = []; // pending header bytes
  private need = 4; // bytes wanted before the next decision
  private skip = 0; // payload bytes to pass over
  private state: 'magic' | 'fhd' | 'fh' | 'block' | 'checksum' | 'skippable' = 'magic';
  private checksum = false;

  update(chunk: Uint8Array): void {
    this.take(chunk, 0, Number.POSITIVE_INFINITY);
  }

  /**
   * Walk chunk from `from`, stopping before the byte that completes a block header when that
   * block would raise the worst-case output of the bytes walked in this call past maxOut (a
   * first block is always taken). Returns how far it got. A block's output can only appear
   * once its header has been fed, so feeding the decoder exactly the walked bytes bounds what
   * it can produce: raw and RLE blocks give their declared size, compressed ones at most
   * 128 KiB (libzstd's ZSTD_BLOCKSIZE_MAX, also the limit it enforces on the other two).
   */
  take(chunk: Uint8Array, from: number, maxOut: number): number {
    let i = from;
    let bound = 0;
    while (i < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      if (this.state === 'block' && this.buf.length === 2) {
        const h = this.buf[0]! | (this.buf[1]! << 8) | (chunk[i]! << 16);
        const out = ((h >> 1) & 3) === 2 ? BLOCK_MAX : Math.max(BLOCK_MAX, h >>> 3);
        if (bound > 0 && bound + out > maxOut) return i;
        bound += out;
      }
      this.buf.push(chunk[i++]!);
      if (this.buf.length === this.need) this.step();
    }
    return i;
  }

  private step(): void {
    const b = this.buf;
    this.buf = [];
    switch (this.state) {
      case 'magic': {
        const m = (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
        if (m === 0xfd2fb528) return this.want('fhd', 1);
        if ((m & 0xfffffff0) === 0x184d2a50) return this.want('skippable', 4);
        throw new RfsError('RFS_DECOMPRESS', 'decompressing zstd: bad frame magic');
      }
      case 'skippable':
        this.skip = (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
        return this.want('magic', 4);
      case 'fhd': {
        const d = b[0]!;
        const single = (d >> 5) & 1;
        const fcs = [single, 2, 4, 8][d >> 6]!;
        this.checksum = Boolean(d & 4);
        const rest = (single ? 0 : 1) + [0, 1, 2, 4][d & 3]! + fcs;
        if (rest === 0) return this.want('block', 3);
        return this.want('fh', rest);
      }
      case 'fh':
        return this.want('block', 3);
      case 'block': {
        const h = b[0]! | (b[1]! << 8) | (b[2]! << 16);
        const type = (h >> 1) & 3;
        if (type === 3) throw new RfsError('RFS_DECOMPRESS', 'decompressing zstd: reserved block type');
        this.skip = type === 1 ? 1 : h >>> 3;
        if (h & 1) return this.checksum ? this.want('checksum', 4) : this.want('magic', 4);
        return this.want('block', 3);
      }
      case 'checksum':
        return this.want('magic', 4);
    }
  }

  private want(s: ZstdFrameWalker['state'], n: number): void {
    this.state = s;
    this.need = n;
  }

  /** Throws unless the input ended right after a complete frame. */
  finish(): void {
    if (this.state !== 'magic' || this.buf.length !== 0 || this.skip !== 0) {
      throw new RfsError('RFS_DECOMPRESS', 'decompressing zstd: input ends inside a frame (truncated)');
    }
  }
}
