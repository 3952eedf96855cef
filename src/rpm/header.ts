// One rpm header (signature or main, package or rpmdb blob), validated the way rpm's
// lib/header.cc hdrblobInit/hdrblobVerifyRegion/hdrblobVerifyInfo does it, so whatever
// rpm refuses we refuse too, with RFS_RPM_BAD_HEADER or RFS_RPM_TRUNCATED.
import { RfsError } from '../errors/index.js';
import { REGION, TYPE, isStringType, registeredType } from './tags.js';

export interface HeaderEntry {
  tag: number;
  type: number;
  offset: number;
  count: number;
}

export interface HeaderParseOptions {
  /** bytes start at the 8-byte magic (package file) rather than at il/dl (rpmdb blob) */
  magic?: boolean;
  namespace?: 'main' | 'signature';
  /** named in error messages */
  subject?: string;
}

export const HEADER_MAGIC = Uint8Array.of(0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0);
const TYPE_SIZE = [0, 1, 1, 2, 4, 8, -1, 1, -1, -1];
const TYPE_ALIGN = [1, 1, 1, 2, 4, 8, 1, 1, 1, 1];
const HEADER_TAGS_MAX = 0xffff;
const HEADER_DATA_MAX = 0x0fffffff;
const HEADER_ARRAY_MAX = 0xfffff;
const HEADER_MAX_BYTES = 256 * 1024 * 1024;
const REGION_SIZE = 16;
const utf8 = new TextDecoder('utf-8');

function bad(msg: string, subject?: string): never {
  throw new RfsError('RFS_RPM_BAD_HEADER', `reading rpm header: ${msg}`, { subject });
}

/** Limits rpm applies to il/dl before allocating anything (hdrblobVerifyLengths). */
export function checkHeaderLengths(il: number, dl: number, namespace: 'main' | 'signature', subject?: string): void {
  const ilMax = namespace === 'signature' ? 32 : HEADER_TAGS_MAX;
  const dlMax = namespace === 'signature' ? 64 * 1024 * 1024 : HEADER_DATA_MAX;
  if (il > ilMax) bad(`no. of tags (${il}) out of range`, subject);
  if (dl > dlMax) bad(`no. of bytes (${dl}) out of range`, subject);
  if (8 + 16 * il + dl >= HEADER_MAX_BYTES) bad(`blob size too large (il ${il}, dl ${dl})`, subject);
}

export class Header {
  readonly entries: HeaderEntry[];
  readonly data: Uint8Array;
  readonly il: number;
  readonly dl: number;
  readonly region: { tag: number; ril: number; rdl: number } | null;
  readonly blob: Uint8Array;
  private readonly byTag = new Map<number, HeaderEntry>();
  private readonly cache = new Map<number, unknown>();
  private readonly view: DataView;

  private constructor(blob: Uint8Array, entries: HeaderEntry[], region: Header['region']) {
    this.blob = blob;
    this.il = entries.length;
    this.dl = blob.length - 8 - 16 * entries.length;
    this.data = blob.subarray(8 + 16 * entries.length);
    this.view = new DataView(this.data.buffer, this.data.byteOffset, this.data.byteLength);
    this.entries = entries;
    this.region = region;
    const ril = region?.ril ?? 0;
    entries.forEach((e, i) => {
      // Dribbles (entries after the region) replace region entries with the same tag, as on import.
      if (!this.byTag.has(e.tag) || i >= ril) this.byTag.set(e.tag, e);
    });
  }

  /** Total length of the header that starts at `bytes` (incl. magic when magic:true), or null if fewer than 16/8 bytes. */
  static sizeAt(bytes: Uint8Array, magic = true): number | null {
    const off = magic ? 8 : 0;
    if (bytes.length < off + 8) return null;
    const v = new DataView(bytes.buffer, bytes.byteOffset + off, 8);
    return off + 8 + 16 * v.getUint32(0) + v.getUint32(4);
  }

  static parse(bytes: Uint8Array, opts: HeaderParseOptions = {}): Header {
    const magic = opts.magic ?? true;
    const ns = opts.namespace ?? 'main';
    const subject = opts.subject;
    const off = magic ? 8 : 0;
    if (bytes.length < off + 8) {
      throw new RfsError('RFS_RPM_TRUNCATED', `reading rpm header: ${bytes.length} bytes, intro needs ${off + 8}`, { subject });
    }
    if (magic) for (let i = 0; i < 8; i++) if (bytes[i] !== HEADER_MAGIC[i]) bad('bad magic', subject);
    const iv = new DataView(bytes.buffer, bytes.byteOffset + off, 8);
    const il = iv.getUint32(0);
    const dl = iv.getUint32(4);
    checkHeaderLengths(il, dl, ns, subject);
    const pvlen = 8 + 16 * il + dl;
    if (bytes.length - off < pvlen) {
      throw new RfsError('RFS_RPM_TRUNCATED', `reading rpm header: needs ${pvlen} bytes, only ${bytes.length - off} present`, { subject });
    }
    // An rpmdb blob is exactly one header; a package header is followed by the payload.
    if (!magic && bytes.length !== pvlen) bad(`blob size ${bytes.length} != 8 + 16 * il(${il}) + dl(${dl})`, subject);
    const blob = bytes.subarray(off, off + pvlen);
    const v = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
    const entries: HeaderEntry[] = new Array<HeaderEntry>(il);
    for (let i = 0; i < il; i++) {
      const p = 8 + 16 * i;
      entries[i] = { tag: v.getUint32(p), type: v.getUint32(p + 4), offset: v.getInt32(p + 8), count: v.getUint32(p + 12) };
    }
    const data = blob.subarray(8 + 16 * il);
    const regionTag = magic ? (ns === 'signature' ? REGION.SIGNATURES : REGION.IMMUTABLE) : 0;
    const region = verifyRegion(entries, data, regionTag, magic && ns === 'main', subject);
    verifyInfo(entries, data, region, subject);
    verifyLoad(entries, data, region, !magic, subject);
    return new Header(blob, entries, region);
  }

  has(tag: number): boolean {
    return this.byTag.has(tag);
  }

  type(tag: number): number | undefined {
    return this.byTag.get(tag)?.type;
  }

  entry(tag: number): HeaderEntry | undefined {
    return this.byTag.get(tag);
  }

  string(tag: number): string | undefined {
    const e = this.byTag.get(tag);
    if (!e || !isStringType(e.type)) return undefined;
    return this.strings(tag)[0];
  }

  strings(tag: number): string[] {
    const e = this.byTag.get(tag);
    if (!e || !isStringType(e.type)) return [];
    const hit = this.cache.get(tag);
    if (hit) return hit as string[];
    const out: string[] = [];
    let p = e.offset;
    for (let i = 0; i < e.count; i++) {
      const z = this.data.indexOf(0, p);
      out.push(utf8.decode(this.data.subarray(p, z)));
      p = z + 1;
    }
    this.cache.set(tag, out);
    return out;
  }

  /** CHAR/INT8/INT16/INT32 as unsigned numbers; INT64 too, as numbers (exact below 2^53). */
  numbers(tag: number): number[] {
    const e = this.byTag.get(tag);
    if (!e) return [];
    const hit = this.cache.get(tag);
    if (hit) return hit as number[];
    const n = e.count;
    const out = new Array<number>(n);
    const v = this.view;
    const o = e.offset;
    switch (e.type) {
      case TYPE.CHAR:
      case TYPE.INT8:
        for (let i = 0; i < n; i++) out[i] = v.getUint8(o + i);
        break;
      case TYPE.INT16:
        for (let i = 0; i < n; i++) out[i] = v.getUint16(o + 2 * i);
        break;
      case TYPE.INT32:
        for (let i = 0; i < n; i++) out[i] = v.getUint32(o + 4 * i);
        break;
      case TYPE.INT64:
        for (let i = 0; i < n; i++) out[i] = Number(v.getBigUint64(o + 8 * i));
        break;
      default:
        return [];
    }
    this.cache.set(tag, out);
    return out;
  }

  bigints(tag: number): bigint[] {
    const e = this.byTag.get(tag);
    if (!e) return [];
    if (e.type === TYPE.INT64) {
      const out: bigint[] = [];
      for (let i = 0; i < e.count; i++) out.push(this.view.getBigUint64(e.offset + 8 * i));
      return out;
    }
    return this.numbers(tag).map((x) => BigInt(x));
  }

  number(tag: number): number | undefined {
    return this.numbers(tag)[0];
  }

  bin(tag: number): Uint8Array | undefined {
    const e = this.byTag.get(tag);
    if (!e || e.type !== TYPE.BIN) return undefined;
    return this.data.subarray(e.offset, e.offset + e.count);
  }

  /** The bytes rpm hashes for SHA1HEADER/SHA256HEADER: magic + ril/rdl + region index + region data. */
  regionImage(): Uint8Array {
    const ril = this.region?.ril ?? this.il;
    const rdl = this.region?.rdl ?? this.dl;
    const out = new Uint8Array(16 + 16 * ril + rdl);
    out.set(HEADER_MAGIC, 0);
    const v = new DataView(out.buffer);
    v.setUint32(8, ril);
    v.setUint32(12, rdl);
    out.set(this.blob.subarray(8, 8 + 16 * ril), 16);
    out.set(this.data.subarray(0, rdl), 16 + 16 * ril);
    return out;
  }
}

function verifyRegion(entries: HeaderEntry[], data: Uint8Array, wanted: number, exact: boolean, subject?: string): Header['region'] {
  const first = entries[0];
  if (!first) bad('region: no tags', subject);
  let regionTag = wanted;
  if (!regionTag && (first.tag === REGION.SIGNATURES || first.tag === REGION.IMMUTABLE || first.tag === REGION.IMAGE)) {
    regionTag = first.tag;
  }
  if (first.tag !== regionTag) return null; // legacy (v3) header without a region
  const dl = data.length;
  if (first.type !== TYPE.BIN || first.count !== REGION_SIZE) {
    bad(`region tag: BAD, tag ${first.tag} type ${first.type} offset ${first.offset} count ${first.count}`, subject);
  }
  if (first.offset < 0 || first.offset + REGION_SIZE > dl) bad(`region offset: BAD, offset ${first.offset}`, subject);
  const t = new DataView(data.buffer, data.byteOffset + first.offset, REGION_SIZE);
  let tTag = t.getUint32(0);
  const tType = t.getUint32(4);
  const tOff = -t.getInt32(8);
  const tCount = t.getUint32(12);
  // Some old signed packages carry HEADERIMAGE in the signature region trailer; rpm fixes it up.
  if (regionTag === REGION.SIGNATURES && tTag === REGION.IMAGE) tTag = REGION.SIGNATURES;
  if (tTag !== regionTag || tType !== TYPE.BIN || tCount !== REGION_SIZE) {
    bad(`region trailer: BAD, tag ${tTag} type ${tType} offset ${tOff} count ${tCount}`, subject);
  }
  const ril = Math.trunc(tOff / 16);
  const rdl = first.offset + REGION_SIZE;
  if (tOff % 16 !== 0 || ril < 0 || ril > entries.length || rdl > dl) {
    bad(`region ${regionTag} size: BAD, ril ${ril} il ${entries.length} rdl ${rdl} dl ${dl}`, subject);
  }
  if (exact && (ril !== entries.length || rdl !== dl)) {
    bad(`region ${regionTag}: tag number mismatch il ${entries.length} ril ${ril} dl ${dl} rdl ${rdl}`, subject);
  }
  return { tag: regionTag, ril, rdl };
}

function verifyInfo(entries: HeaderEntry[], data: Uint8Array, region: Header['region'], subject?: string): void {
  const dl = data.length;
  const typechk = region !== null && (region.tag === REGION.IMMUTABLE || region.tag === REGION.IMAGE);
  let end = 0;
  for (let i = region ? 1 : 0; i < entries.length; i++) {
    const e = entries[i]!;
    const fail = (why: string): never =>
      bad(`tag[${i}]: BAD (${why}), tag ${e.tag} type ${e.type} offset ${e.offset} count ${e.count}`, subject);
    if (e.offset < end) fail('overlaps previous data');
    if (e.tag < 100) fail('reserved tag');
    if (e.type < TYPE.CHAR || e.type > TYPE.I18NSTRING) fail('bad type');
    if (e.count < 1 || e.count > dl) fail('bad count');
    if (e.offset % TYPE_ALIGN[e.type]! !== 0) fail('misaligned');
    if (e.offset > dl) fail('offset out of range');
    if (e.type !== TYPE.BIN && e.count > HEADER_ARRAY_MAX) fail('array too large');
    if (typechk) {
      const want = registeredType(e.tag);
      if (want !== undefined && want !== e.type && !(isStringType(want) && isStringType(e.type))) fail('type does not match tag');
    }
    const len = dataLength(e, data);
    if (len <= 0) fail('data does not fit');
    end = e.offset + len;
    if (end > dl) fail('data out of range');
    if (region && end > region.rdl - REGION_SIZE && e.offset < region.rdl) fail('overlaps region trailer');
  }
}

/**
 * rpm's hdrblobImport re-lays the data out entry by entry (regionSwab): the lengths plus
 * alignment padding must add up to dl exactly ("hdr load: BAD" otherwise). rpmdb blobs are
 * imported in "fast" mode where a string's length runs to the next entry's offset.
 */
function verifyLoad(entries: HeaderEntry[], data: Uint8Array, region: Header['region'], fast: boolean, subject?: string): void {
  let total = 0;
  const start = region ? 1 : 0;
  const ril = region ? region.ril : entries.length;
  for (let i = start; i < entries.length; i++) {
    const e = entries[i]!;
    const size = TYPE_SIZE[e.type]!;
    if (size > 1 && total % size) total += size - (total % size);
    const next = entries[i + 1];
    const lastOfRun = i === ril - 1 || i === entries.length - 1;
    total += fast && size < 0 && next && !lastOfRun ? next.offset - e.offset : dataLength(e, data);
  }
  if (region) total += REGION_SIZE;
  if (total !== data.length) bad(`hdr load: BAD, data length ${total} does not add up to dl ${data.length}`, subject);
}

function dataLength(e: HeaderEntry, data: Uint8Array): number {
  const size = TYPE_SIZE[e.type]!;
  if (size > 0) {
    const len = size * e.count;
    return data.length - e.offset < len ? -1 : len;
  }
  if (e.type === TYPE.STRING && e.count !== 1) return -1;
  let p = e.offset;
  for (let n = e.count; n > 0; n--) {
    const z = data.indexOf(0, p);
    if (z < 0) return -1;
    p = z + 1;
  }
  return p - e.offset;
}
