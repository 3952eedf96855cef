// Walks .xz structure (stream header, block headers, LZMA2 chunk headers; xz-file-format 1.1.0
// and liblzma's lzma2_decoder.c) alongside liblzma, so that input can be fed in slices whose
// output is known to be bounded: an LZMA2 chunk declares its unpacked size (<= 2 MiB), and
// liblzma never produces more for it. Everything past the first index (a concatenated stream
// is rare) falls back to slices of a fixed size, whose bound is the format's best ratio.
import { RfsError } from '../errors/index.js';

const CHECK_SIZE = [0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64];

export class XzChunkWalker {
  private state: 'stream' | 'blockHeader' | 'skipHeader' | 'control' | 'chunkHeader' | 'tail' | 'fallback' = 'stream';
  private hdr: number[] = [];
  private need = 12; // header bytes wanted in the current state
  private skip = 0; // bytes to pass over (block header rest, chunk data, padding + check)
  private check = 0; // check field size of the current stream
  private blockBytes = 0; // bytes of the current block so far (for its 4-byte padding)

  constructor(private readonly fallbackSlice: number) {}

  /**
   * Walk chunk from `from`; stop before the byte that completes an LZMA2 chunk header whose
   * unpacked size would raise this call's output bound past maxOut (a first one is always
   * taken). Returns how far it got.
   */
  take(chunk: Uint8Array, from: number, maxOut: number): number {
    let i = from;
    let bound = 0;
    while (i < chunk.length) {
      if (this.state === 'fallback') return i > from ? i : Math.min(chunk.length, from + this.fallbackSlice);
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        this.blockBytes += n;
        i += n;
        if (this.skip === 0 && this.state === 'skipHeader') this.want('control', 1);
        else if (this.skip === 0 && this.state === 'tail') this.want('blockHeader', 1);
        continue;
      }
      const b = chunk[i]!;
      if (this.state === 'chunkHeader' && this.hdr.length === this.need - 1) {
        const out = this.unpacked([...this.hdr, b]);
        if (bound > 0 && bound + out > maxOut) return i;
        bound += out;
      }
      this.hdr.push(b);
      this.blockBytes++;
      i++;
      if (this.hdr.length === this.need) this.step();
    }
    return i;
  }

  private unpacked(h: number[]): number {
    const c = h[0]!;
    return c >= 0x80 ? ((c & 0x1f) << 16) + (h[1]! << 8) + h[2]! + 1 : (h[1]! << 8) + h[2]! + 1;
  }

  private want(s: XzChunkWalker['state'], n: number): void {
    this.state = s;
    this.need = n;
    this.hdr = [];
  }

  private step(): void {
    const h = this.hdr;
    switch (this.state) {
      case 'stream': {
        if (h[0] !== 0xfd || h[1] !== 0x37 || h[2] !== 0x7a || h[3] !== 0x58 || h[4] !== 0x5a || h[5] !== 0x00) return this.bad('bad stream header');
        this.check = CHECK_SIZE[h[7]! & 0x0f]!;
        return this.want('blockHeader', 1);
      }
      case 'blockHeader':
        // 0x00: the index; what follows (index, footer, maybe more streams) goes by fixed slices
        if (h[0] === 0) return this.want('fallback', 0);
        this.blockBytes = 1;
        this.skip = (h[0]! + 1) * 4 - 1;
        this.state = 'skipHeader';
        this.hdr = [];
        return;
      case 'control': {
        const c = h[0]!;
        if (c === 0) {
          // end of LZMA2 data: block padding to a multiple of 4, then the check
          this.skip = ((4 - (this.blockBytes % 4)) % 4) + this.check;
          this.state = 'tail';
          this.hdr = [];
          if (this.skip === 0) this.want('blockHeader', 1);
          return;
        }
        if (c !== 1 && c !== 2 && c < 0x80) return this.bad('bad LZMA2 chunk');
        // the header: control byte, unpacked size (LZMA chunks: 21 bits), packed size, props
        this.want('chunkHeader', c < 0x80 ? 3 : c >= 0xc0 ? 6 : 5);
        this.hdr = [c];
        return;
      }
      case 'chunkHeader': {
        const c = h[0]!;
        this.skip = c >= 0x80 ? (h[3]! << 8) + h[4]! + 1 : this.unpacked(h);
        this.state = 'skipHeader';
        this.hdr = [];
        return;
      }
      default:
        return;
    }
  }

  private bad(what: string): never {
    throw new RfsError('RFS_DECOMPRESS', `decompressing xz: ${what} (corrupt data)`);
  }
}
