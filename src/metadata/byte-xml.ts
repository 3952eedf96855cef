// The fast tokenizer over decompressed bytes: the same events and XmlLimits as XmlTokenizer
// (xml.ts), but the document is never decoded whole. A handler that implements ByteHandler
// matches element names by byte comparison and decodes only the attributes and text it keeps;
// any other XmlHandler gets decoded names and attributes. Lengths are counted in bytes.
import { untrusted } from '../errors/index.js';
import { DEFAULT_XML_LIMITS, XmlError, XmlLimitError, decodeEntities, type XmlHandler, type XmlLimits } from './xml.js';

const NO_ATTRS: Record<string, string> = Object.freeze({});

/** The open tag being reported, valid only during the call. */
export class ByteTag {
  buf: Buffer = Buffer.alloc(0);
  /** name is buf[ns, ne); the raw attribute text buf[rs, re) */
  ns = 0; ne = 0; rs = 0; re = 0;
  /** attribute spans, 4 per attribute: name start, name end, value start, value end */
  at = new Int32Array(64);
  n = 0;

  nameIs(name: Uint8Array): boolean {
    if (this.ne - this.ns !== name.length) return false;
    for (let k = 0; k < name.length; k++) if (this.buf[this.ns + k] !== name[k]) return false;
    return true;
  }
  name(): string { return str(this.buf, this.ns, this.ne); }
  attrs(): Record<string, string> {
    if (this.n === 0) return NO_ATTRS;
    const out: Record<string, string> = {};
    const a = this.at;
    for (let k = 0; k < this.n * 4; k += 4) out[str(this.buf, a[k]!, a[k + 1]!)] = decodeEntities(str(this.buf, a[k + 2]!, a[k + 3]!));
    return out;
  }
}

export interface ByteHandler extends XmlHandler {
  /**
   * Offered first, with only the name and the raw attribute span buf[rs, re) (up to the first
   * '>') set: true when the handler knows these exact bytes from an earlier, fully parsed tag
   * and has handled the open. A repeated tag is then neither parsed nor decoded again.
   */
  openCached?(t: ByteTag): boolean;
  openBytes(t: ByteTag): void;
  closeBytes(): void;
}

export const isByteHandler = (h: XmlHandler): h is ByteHandler => typeof (h as Partial<ByteHandler>).openBytes === 'function';

const isSpace = (c: number): boolean => c === 32 || c === 10 || c === 9 || c === 13;
const isNameEnd = (c: number): boolean => isSpace(c) || c === 47 || c === 62;
// eslint-disable-next-line no-control-regex
const C0 = /[\x00-\x08\x0b\x0c\x0e-\x1f]/;
const FFFE = Buffer.from([0xef, 0xbf, 0xbe]);
const FFFF = Buffer.from([0xef, 0xbf, 0xbf]);

// Node's own Buffer slicers, without toString()'s argument checks (a third of the cost on short spans).
interface Slicers { latin1Slice(s: number, e: number): string; utf8Slice(s: number, e: number): string }
const str = (b: Buffer, s: number, e: number): string => (b as unknown as Slicers).utf8Slice(s, e);

/** Throws at the first byte or UTF-8 sequence XML 1.0 forbids (C0 controls, U+FFFE, U+FFFF) in b[from, to). */
function checkXmlBytes(b: Buffer, from: number, to: number): void {
  if (from >= to) return;
  // a regular expression over the bytes as latin1 is 2x a plain loop over the bytes
  const m = C0.exec((b as unknown as Slicers).latin1Slice(from, to));
  if (m) throw new XmlLimitError(`character U+${m[0].charCodeAt(0).toString(16).padStart(4, '0')} is not allowed in XML`);
  const fe = b.indexOf(FFFE, from);
  const ff = b.indexOf(FFFF, from);
  if ((fe >= 0 && fe < to) || (ff >= 0 && ff < to)) throw new XmlLimitError(`character U+${fe >= 0 && fe < to && (ff < 0 || fe < ff) ? 'fffe' : 'ffff'} is not allowed in XML`);
}

export class ByteXmlTokenizer {
  private buf: Buffer = Buffer.alloc(0);
  /** names of the open elements, back to back; stackEnd[d] is where depth d's name ends */
  private names = new Uint8Array(1024);
  private readonly stackEnd: number[] = [0];
  private seenRoot = false;
  private started = false;
  private readonly lim: XmlLimits;
  private textLen = 0;
  private elements = 0;
  /** the last bytes of the previous chunk not yet checked (a U+FFFE may straddle two chunks) */
  private checked = 0;
  private readonly tag = new ByteTag();
  private readonly bytes: ByteHandler | undefined;

  constructor(private readonly h: XmlHandler, limits: Partial<XmlLimits> = {}) {
    this.lim = { ...DEFAULT_XML_LIMITS, ...limits };
    this.bytes = isByteHandler(h) ? h : undefined;
    if (this.tag.at.length < 4 * this.lim.maxAttributes) this.tag.at = new Int32Array(4 * this.lim.maxAttributes);
  }

  /** Strings are taken as UTF-8 (for tests and callers holding text). */
  write(chunk: string): void { this.writeBytes(Buffer.from(chunk, 'utf8')); }

  writeBytes(chunk: Uint8Array): void {
    let b = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.buf.length) b = Buffer.concat([this.buf, b]);
    let i = 0;
    if (!this.started) {
      if (b.length < 3 && b.length > 0 && b[0] === 0xef) { this.buf = b; return; }
      this.started = true;
      if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) i = 3;
    }
    // A sequence starting in the last two bytes is checked again once the next chunk is in.
    const upTo = Math.max(this.checked, b.length - 2);
    checkXmlBytes(b, Math.min(this.checked, upTo), upTo);
    const consumed = this.scan(b, i);
    this.buf = consumed === b.length ? Buffer.alloc(0) : Buffer.from(b.subarray(consumed));
    this.checked = Math.max(0, upTo - consumed);
    if (this.buf.length > this.lim.maxMarkup) {
      throw new XmlLimitError(`markup longer than ${this.lim.maxMarkup} characters (limit maxMarkup): ${untrusted(this.buf.toString('utf8', 0, 160), 40)}`);
    }
  }

  end(): void {
    checkXmlBytes(this.buf, this.checked, this.buf.length);
    if (this.buf.toString('utf8').trim().length) throw new XmlError('unexpected end of document inside markup');
    const d = this.stackEnd.length - 1;
    if (d) throw new XmlError(`unexpected end of document: <${untrusted(this.topName(), 60)}> is not closed`);
    if (!this.seenRoot) throw new XmlError('empty document');
  }

  private topName(): string {
    const d = this.stackEnd.length - 1;
    return Buffer.from(this.names.buffer, this.stackEnd[d - 1]!, this.stackEnd[d]! - this.stackEnd[d - 1]!).toString('utf8');
  }

  private get depth(): number { return this.stackEnd.length - 1; }

  private scan(b: Buffer, from: number): number {
    const n = b.length;
    let i = from;
    while (i < n) {
      const lt = b.indexOf(60, i);
      if (lt < 0) {
        if (this.h.acceptsText === false && this.depth) { this.countText(n - i); return n; }
        // Keep a possibly split entity or UTF-8 sequence for the next chunk.
        let cut = n;
        const amp = b.lastIndexOf(38, n - 1);
        if (amp >= i && b.indexOf(59, amp) < 0) cut = amp;
        cut = utf8Boundary(b, i, cut);
        this.countText(cut - i);
        this.textOut(b, i, cut);
        return cut;
      }
      if (lt > i) {
        this.countText(lt - i);
        if (this.h.acceptsText !== false || !this.depth) this.textOut(b, i, lt);
      }
      i = lt;
      if (i + 1 >= n) return i;
      const c = b[i + 1]!;
      if (c === 63 /* ? */) {
        const e = b.indexOf('?>', i + 2, 'latin1');
        if (e < 0) return i;
        i = e + 2;
      } else if (c === 33 /* ! */) {
        if (i + 9 > n) return i;
        if (b.toString('latin1', i, i + 4) === '<!--') {
          const e = b.indexOf('-->', i + 4, 'latin1');
          if (e < 0) return i;
          i = e + 3;
        } else if (b.toString('latin1', i, i + 9) === '<![CDATA[') {
          const e = b.indexOf(']]>', i + 9, 'latin1');
          if (e < 0) return i;
          if (!this.depth) throw new XmlError('character data outside the root element');
          this.countText(e - i - 9);
          this.h.text(str(b, i + 9, e));
          i = e + 3;
        } else {
          const e = b.indexOf(62, i + 2);
          if (e < 0) return i;
          if (this.seenRoot) throw new XmlError('markup declaration inside the document');
          i = e + 1;
        }
      } else if (c === 47 /* / */) {
        const e = b.indexOf(62, i + 2);
        if (e < 0) return i;
        this.closeTag(b, i + 2, e);
        i = e + 1;
      } else {
        const next = this.openTag(b, i);
        if (next < 0) return i;
        i = next;
      }
    }
    return n;
  }

  private closeTag(b: Buffer, s: number, e: number): void {
    while (s < e && isSpace(b[s]!)) s++;
    while (e > s && isSpace(b[e - 1]!)) e--;
    const d = this.depth;
    const top = this.stackEnd[d - 1] ?? 0;
    const len = d ? this.stackEnd[d]! - top : -1;
    let same = len === e - s;
    for (let k = 0; same && k < len; k++) same = this.names[top + k] === b[s + k];
    if (!same) {
      const name = b.toString('utf8', s, e);
      throw new XmlError(d === 0 ? `unexpected </${untrusted(name, 60)}>` : `</${untrusted(name, 60)}> closes <${untrusted(this.topName(), 60)}>`);
    }
    this.stackEnd.pop();
    this.textLen = 0;
    if (this.bytes) this.bytes.closeBytes(); else this.h.close(b.toString('utf8', s, e));
  }

  /** Parse `<name a="v" ...>` or `.../>` at start; -1 when the tag is not complete yet. */
  private openTag(b: Buffer, start: number): number {
    const n = b.length;
    const lim = this.lim;
    let j = start + 1;
    while (j < n && !isNameEnd(b[j]!)) j++;
    if (j - start - 1 > lim.maxName) throw new XmlLimitError(`element name longer than ${lim.maxName} characters (limit maxName)`);
    if (j >= n) return -1;
    if (j === start + 1) throw new XmlError('empty element name');
    const t = this.tag;
    t.buf = b; t.ns = start + 1; t.ne = j; t.rs = j; t.n = 0;
    if (this.bytes?.openCached && this.depth) {
      const gt = b.indexOf(62, j);
      if (gt < 0) return -1;
      const selfClose = b[gt - 1] === 47 && gt - 1 >= j;
      t.re = selfClose ? gt - 1 : gt;
      this.push(b, t.ns, t.ne);
      if (this.bytes.openCached(t)) {
        if (selfClose) { this.stackEnd.pop(); this.textLen = 0; this.bytes.closeBytes(); }
        return gt + 1;
      }
      this.stackEnd.pop(); this.elements--;
    }
    const at = t.at;
    for (;;) {
      while (j < n && isSpace(b[j]!)) j++;
      if (j >= n) return -1;
      const c = b[j]!;
      if (c === 62 /* > */ || c === 47 /* / */) {
        const selfClose = c === 47;
        if (selfClose) {
          if (j + 1 >= n) return -1;
          if (b[j + 1] !== 62) throw new XmlError(`malformed <${untrusted(t.name(), 60)}>`);
        }
        if (!this.depth && this.seenRoot) throw new XmlError(`second root element <${untrusted(t.name(), 60)}>`);
        t.re = j;
        this.seenRoot = true;
        this.push(b, t.ns, t.ne);
        if (this.bytes) this.bytes.openBytes(t); else this.h.open(t.name(), t.attrs());
        if (selfClose) {
          this.stackEnd.pop(); this.textLen = 0;
          if (this.bytes) this.bytes.closeBytes(); else this.h.close(t.name());
          return j + 2;
        }
        return j + 1;
      }
      const ans = j;
      while (j < n && b[j] !== 61 /* = */ && !isSpace(b[j]!)) {
        const x = b[j]!;
        if (x === 34 || x === 39 || x === 60 || x === 62) throw new XmlError(`malformed attribute in <${untrusted(t.name(), 60)}>`);
        j++;
      }
      if (j - ans > lim.maxName) throw new XmlLimitError(`attribute name in <${untrusted(t.name(), 60)}> longer than ${lim.maxName} characters (limit maxName)`);
      const ane = j;
      while (j < n && isSpace(b[j]!)) j++;
      if (j >= n) return -1;
      if (b[j] !== 61) throw new XmlError(`malformed attribute in <${untrusted(t.name(), 60)}>`);
      if (++t.n > lim.maxAttributes) throw new XmlLimitError(`more than ${lim.maxAttributes} attributes on <${untrusted(t.name(), 60)}> (limit maxAttributes)`);
      const an = (): string => b.toString('utf8', ans, ane);
      j++;
      while (j < n && isSpace(b[j]!)) j++;
      if (j >= n) return -1;
      const quote = b[j]!;
      if (quote !== 34 && quote !== 39) throw new XmlError(`unquoted attribute ${untrusted(an(), 60)} in <${untrusted(t.name(), 60)}>`);
      const end = b.indexOf(quote, j + 1);
      if ((end < 0 ? n : end) - j - 1 > lim.maxAttrValue) {
        throw new XmlLimitError(`attribute ${untrusted(an(), 60)} of <${untrusted(t.name(), 60)}> longer than ${lim.maxAttrValue} characters (limit maxAttrValue)`);
      }
      if (end < 0) return -1;
      for (let k = j + 1; k < end; k++) if (b[k] === 60) throw new XmlError(`'<' in attribute ${untrusted(an(), 60)} of <${untrusted(t.name(), 60)}>`);
      const o = (t.n - 1) * 4;
      at[o] = ans; at[o + 1] = ane; at[o + 2] = j + 1; at[o + 3] = end;
      j = end + 1;
    }
  }

  /** Enter an element: depth and element count are bounded; a new element starts a new text node. */
  private push(b: Buffer, s: number, e: number): void {
    if (this.depth >= this.lim.maxDepth) throw new XmlLimitError(`elements nested deeper than ${this.lim.maxDepth} (limit maxDepth)`);
    if (++this.elements > this.lim.maxElements) throw new XmlLimitError(`more than ${this.lim.maxElements} elements (limit maxElements)`);
    const top = this.stackEnd[this.stackEnd.length - 1]!;
    if (top + e - s > this.names.length) {
      const g = new Uint8Array(Math.max(this.names.length * 2, top + e - s)); g.set(this.names); this.names = g;
    }
    for (let k = s; k < e; k++) this.names[top + k - s] = b[k]!; // names are short: no subarray object
    this.stackEnd.push(top + e - s);
    this.textLen = 0;
  }

  private countText(k: number): void {
    this.textLen += k;
    if (this.textLen > this.lim.maxText) throw new XmlLimitError(`text longer than ${this.lim.maxText} characters (limit maxText)`);
  }

  private textOut(b: Buffer, s: number, e: number): void {
    if (s >= e) return;
    if (!this.depth) {
      for (let k = s; k < e; k++) if (!isSpace(b[k]!)) throw new XmlError('text outside the root element');
      return;
    }
    this.h.text(decodeEntities(str(b, s, e)));
  }
}

/** The largest cut <= e (and >= s) that does not split a UTF-8 sequence. */
function utf8Boundary(b: Uint8Array, s: number, e: number): number {
  for (let k = e - 1; k >= s && k >= e - 3; k--) {
    const x = b[k]!;
    if (x < 0x80) return e;
    if (x >= 0xc0) return e - k >= (x >= 0xf0 ? 4 : x >= 0xe0 ? 3 : 2) ? e : k;
  }
  return e;
}
