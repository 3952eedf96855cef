// A bzip2 decoder whose output can be taken in bounded pieces: one block (<= 900 kB of BWT
// symbols, up to ~46 MB once its run-length stage is undone) is decoded into a 4-byte-per-symbol
// table, then its bytes come out on demand, so a bomb never expands further than the caller
// pulls. Follows the format as bzip2 1.0.8 / micro-bunzip read it. Replaces unbzip2-stream,
// which expanded every block it could into a JS array of numbers and failed on truncated input
// with a TypeError.
import { RfsError } from '../errors/index.js';

const MAX_GROUPS = 6;
const MAX_ALPHA = 258;
const MAX_CODE_LEN = 20;
const MAX_SELECTORS = 18002; // bzip2 1.0.8 reads more but uses only these
const GROUP_SIZE = 50;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** thrown inside a block decode when the buffered input runs out; the block is retried later */
class NeedInput {}
const NEED = new NeedInput();

function bad(msg: string): never {
  throw new RfsError('RFS_DECOMPRESS', `decompressing bzip2: ${msg}`);
}

export class Bunzip2 {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private data = new Uint8Array(0);
  private bytePos = 0; // next byte of `data` to load into the bit buffer
  private bitBuf = 0;
  private bitCount = 0;
  private ended = false;
  // Retry a block only once this much input is buffered: legitimate blocks fit in ~1.01 x level
  // x 100 kB, a crafted one may need more (up to 20 bits a symbol), doubled on each retry.
  private want = 0;

  private state: 'stream' | 'block' | 'output' | 'done' = 'stream';
  private level = 0;
  private streamCrc = 0;
  private tt = new Uint32Array(0);
  private byteCount = new Int32Array(256);
  // output of the current block
  private left = 0; // BWT symbols not yet walked
  private pos = 0;
  private current = 0;
  private run = 0;
  private copies = 0; // pending repeats of outByte
  private outByte = 0;
  private blockCrc = 0;
  private expectCrc = 0;

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
  }

  end(): void {
    this.ended = true;
  }

  private available(): number {
    return this.data.length - this.bytePos + this.pendingBytes;
  }

  /** Merge pending chunks behind the unread bytes (once per decode attempt, not per chunk). */
  private compact(): void {
    if (this.pending.length === 0) return;
    const rest = this.data.subarray(this.bytePos);
    const out = new Uint8Array(rest.length + this.pendingBytes);
    out.set(rest, 0);
    let o = rest.length;
    for (const p of this.pending) {
      out.set(p, o);
      o += p.length;
    }
    this.data = out;
    this.bytePos = 0;
    this.pending = [];
    this.pendingBytes = 0;
  }

  private bits(n: number): number {
    while (this.bitCount < n) {
      if (this.bytePos >= this.data.length) throw NEED;
      this.bitBuf = ((this.bitBuf << 8) | this.data[this.bytePos++]!) >>> 0;
      this.bitCount += 8;
    }
    this.bitCount -= n;
    return (this.bitBuf >>> this.bitCount) & ((1 << n) - 1);
  }

  /**
   * Up to `max` bytes of output, or null when more input is needed (after end(): when the
   * data is complete; a truncated stream throws).
   */
  read(max: number): Uint8Array | null {
    for (;;) {
      if (this.state === 'output') {
        const out = this.drain(max);
        if (out.length) return out;
        continue;
      }
      if (this.state === 'done') {
        if (this.available() === 0) return null;
        this.state = 'stream'; // concatenated streams (pbzip2, lbzip2)
      }
      if (!this.ended && this.available() < this.want) return null;
      this.compact();
      const save = { bytePos: this.bytePos, bitBuf: this.bitBuf, bitCount: this.bitCount, state: this.state };
      try {
        if (this.state === 'stream') this.streamHeader();
        else this.block();
        this.want = 0;
      } catch (e) {
        if (e !== NEED) throw e;
        Object.assign(this, save);
        if (this.ended) bad('unexpected end of input (truncated)');
        this.want = Math.max(2 * this.available(), this.level * 101_000 + 1024);
        return null;
      }
    }
  }

  /** Throws unless the input ended after a complete stream. */
  finish(): void {
    if (this.state !== 'done' || this.available() !== 0) bad('unexpected end of input (truncated)');
  }

  private streamHeader(): void {
    const b = this.bits(8);
    const z = this.bits(8);
    const h = this.bits(8);
    if (b !== 0x42 || z !== 0x5a || h !== 0x68) bad(this.level ? 'data after the end of the stream' : 'not bzip2 data (bad magic)');
    const level = this.bits(8) - 0x30;
    if (level < 1 || level > 9) bad(`bad block size digit ${level}`);
    if (level !== this.level) this.tt = new Uint32Array(level * 100_000);
    this.level = level;
    this.streamCrc = 0;
    this.state = 'block';
  }

  private block(): void {
    const m1 = this.bits(24);
    const m2 = this.bits(24);
    if (m1 === 0x177245 && m2 === 0x385090) {
      const crc = ((this.bits(16) << 16) | this.bits(16)) >>> 0;
      if (crc !== this.streamCrc) bad('stream CRC mismatch (corrupt data)');
      this.bitCount -= this.bitCount % 8; // streams are byte-aligned
      this.state = 'done';
      return;
    }
    if (m1 !== 0x314159 || m2 !== 0x265359) bad('bad block magic (corrupt data)');
    this.expectCrc = ((this.bits(16) << 16) | this.bits(16)) >>> 0;
    if (this.bits(1)) bad('randomised blocks (bzip2 < 0.9.5) are not supported');
    const origPtr = this.bits(24);
    const size = this.level * 100_000;

    // symbol map: which byte values occur
    const seqToUnseq = new Uint8Array(256);
    let nInUse = 0;
    const used16 = this.bits(16);
    for (let i = 0; i < 16; i++) {
      if (used16 & (0x8000 >>> i)) {
        const u = this.bits(16);
        for (let j = 0; j < 16; j++) if (u & (0x8000 >>> j)) seqToUnseq[nInUse++] = i * 16 + j;
      }
    }
    if (nInUse === 0) bad('block uses no symbols (corrupt data)');
    const alpha = nInUse + 2;
    const nGroups = this.bits(3);
    if (nGroups < 2 || nGroups > MAX_GROUPS) bad(`bad Huffman group count ${nGroups}`);
    const nSelectors = this.bits(15);
    if (nSelectors < 1) bad('no selectors (corrupt data)');
    const mtfGroups = [0, 1, 2, 3, 4, 5];
    const selectors = new Uint8Array(Math.min(nSelectors, MAX_SELECTORS));
    for (let i = 0; i < nSelectors; i++) {
      let j = 0;
      while (this.bits(1)) if (++j >= nGroups) bad('bad selector (corrupt data)');
      const g = mtfGroups[j]!;
      for (let k = j; k > 0; k--) mtfGroups[k] = mtfGroups[k - 1]!;
      mtfGroups[0] = g;
      if (i < MAX_SELECTORS) selectors[i] = g;
    }

    // canonical Huffman tables, decoded as micro-bunzip does (limit/base/perm per length)
    const limit = new Int32Array(nGroups * (MAX_CODE_LEN + 2));
    const base = new Int32Array(nGroups * (MAX_CODE_LEN + 2));
    const perm = new Uint16Array(nGroups * MAX_ALPHA);
    const minLens = new Uint8Array(nGroups);
    const lens = new Uint8Array(MAX_ALPHA);
    const count = new Int32Array(MAX_CODE_LEN + 2);
    for (let g = 0; g < nGroups; g++) {
      let len = this.bits(5);
      let minLen = MAX_CODE_LEN;
      let maxLen = 0;
      for (let s = 0; s < alpha; s++) {
        for (;;) {
          if (len < 1 || len > MAX_CODE_LEN) bad('bad Huffman code length (corrupt data)');
          if (!this.bits(1)) break;
          len += this.bits(1) ? -1 : 1;
        }
        lens[s] = len;
        if (len < minLen) minLen = len;
        if (len > maxLen) maxLen = len;
      }
      minLens[g] = minLen;
      const lb = g * (MAX_CODE_LEN + 2);
      let p = 0;
      for (let l = minLen; l <= maxLen; l++) for (let s = 0; s < alpha; s++) if (lens[s] === l) perm[g * MAX_ALPHA + p++] = s;
      count.fill(0);
      for (let s = 0; s < alpha; s++) count[lens[s]!]!++;
      let code = 0;
      let seen = 0;
      for (let l = minLen; l <= maxLen; l++) {
        // codes of length l are code .. code+count-1; base maps them to perm indexes
        base[lb + l] = seen - code;
        code += count[l]!;
        seen += count[l]!;
        limit[lb + l] = code - 1;
        code <<= 1;
      }
      for (let l = maxLen + 1; l <= MAX_CODE_LEN + 1; l++) limit[lb + l] = -1;
      limit[lb + MAX_CODE_LEN + 1] = 0x7fffffff; // sentinel: ends the length search
    }

    // Huffman -> RUNA/RUNB run lengths -> move-to-front -> tt (byte in the low 8 bits)
    const tt = this.tt;
    const byteCount = this.byteCount;
    byteCount.fill(0);
    const mtf = new Uint8Array(256);
    for (let i = 0; i < 256; i++) mtf[i] = i;
    let n = 0;
    let groupLeft = 0;
    let sel = 0;
    let g = 0;
    let runPos = 0;
    let run = 0;
    const eob = nInUse + 1;
    for (;;) {
      if (groupLeft === 0) {
        if (sel >= selectors.length) bad('ran out of selectors (corrupt data)');
        g = selectors[sel++]!;
        groupLeft = GROUP_SIZE;
      }
      groupLeft--;
      const lb = g * (MAX_CODE_LEN + 2);
      let l = minLens[g]!;
      let code = this.bits(l);
      while (code > limit[lb + l]!) {
        if (++l > MAX_CODE_LEN) bad('bad Huffman code (corrupt data)');
        code = (code << 1) | this.bits(1);
      }
      const idx = code + base[lb + l]!;
      if (idx < 0 || idx >= alpha) bad('bad Huffman code (corrupt data)');
      const sym = perm[g * MAX_ALPHA + idx]!;
      if (sym <= 1) {
        if (runPos === 0) {
          runPos = 1;
          run = 0;
        }
        run += sym === 0 ? runPos : 2 * runPos;
        runPos <<= 1;
        if (run > size) bad('run exceeds the block size (corrupt data)');
        continue;
      }
      if (runPos) {
        runPos = 0;
        if (n + run > size) bad('block larger than its declared size (corrupt data)');
        const b = seqToUnseq[mtf[0]!]!;
        byteCount[b]! += run;
        tt.fill(b, n, n + run);
        n += run;
      }
      if (sym === eob) break;
      if (n >= size) bad('block larger than its declared size (corrupt data)');
      let j = sym - 1;
      const u = mtf[j]!;
      for (; j > 0; j--) mtf[j] = mtf[j - 1]!;
      mtf[0] = u;
      const b = seqToUnseq[u]!;
      byteCount[b]!++;
      tt[n++] = b;
    }
    if (origPtr >= n) bad('BWT origin outside the block (corrupt data)');

    // inverse BWT: link every position to its successor in the upper 24 bits
    let sum = 0;
    for (let i = 0; i < 256; i++) {
      const c = byteCount[i]!;
      byteCount[i] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const b = tt[i]! & 0xff;
      tt[byteCount[b]!] = (tt[byteCount[b]!]! | (i << 8)) >>> 0;
      byteCount[b]!++;
    }
    const p = tt[origPtr]!;
    this.current = p & 0xff;
    this.pos = p >>> 8;
    this.run = -1;
    this.left = n;
    this.copies = 0;
    this.blockCrc = 0xffffffff;
    this.state = 'output';
  }

  /** The next bytes of the current block (run-length stage undone), at most max. */
  private drain(max: number): Uint8Array {
    const out = new Uint8Array(Math.min(max, 1 << 20));
    const tt = this.tt;
    let o = 0;
    let crc = this.blockCrc;
    let { pos, current, run, left, copies } = this;
    let ob = this.outByte;
    for (;;) {
      while (copies > 0 && o < out.length) {
        out[o++] = ob;
        crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ ob) & 0xff]!) >>> 0;
        copies--;
      }
      if (o === out.length || left === 0) break;
      left--;
      const previous = current;
      const t = tt[pos]!;
      current = t & 0xff;
      pos = t >>> 8;
      if (run++ === 3) {
        copies = current;
        ob = previous;
        current = -1;
      } else {
        copies = 1;
        ob = current;
      }
      if (current !== previous) run = 0;
    }
    Object.assign(this, { pos, current, run, left, copies, outByte: ob, blockCrc: crc });
    if (left === 0 && copies === 0) {
      const done = (crc ^ 0xffffffff) >>> 0;
      if (done !== this.expectCrc) bad('block CRC mismatch (corrupt data)');
      this.streamCrc = (((this.streamCrc << 1) | (this.streamCrc >>> 31)) ^ done) >>> 0;
      this.state = 'block';
    }
    return o === out.length ? out : out.subarray(0, o);
  }
}
