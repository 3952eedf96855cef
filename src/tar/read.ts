// Streaming tar reader for hostile input (base images, image archives): ustar with prefix, GNU
// long names ('L'/'K'), pax ('x', 'g'), base-256 numbers. Our own rather than an npm parser, so
// every size is bounded while it streams and each body's offset in the stream is known (an
// uncompressed tar on disk is then referenced in place, never copied).
import { RfsError } from '../errors/index.js';
import { ByteReader } from '../util/bytes.js';
import { BLOCK, padding } from './header.js';
import { bad, isZeroBlock, paxNumber, parseHeader, parsePax, text } from './read-header.js';
import type { RawHeader } from './read-header.js';
import type { TarEntry, TarEntryType } from './types.js';

/** One member as stored (paths not normalised); devices and xattrs always set, for the reader's use. */
export interface TarMember extends Omit<TarEntry, 'body' | 'xattrs' | 'devMajor' | 'devMinor'> {
  devMajor: number;
  devMinor: number;
  /** pax SCHILY.xattr.* values as raw bytes */
  xattrs: Record<string, Uint8Array>;
  /** byte offset of the body in the uncompressed stream */
  offset: number;
}

export interface TarRecord {
  member: TarMember;
  /** The body, once, before the next record is asked for; left unread it is skipped. */
  body(): AsyncGenerator<Uint8Array>;
}

export interface ReadTarOptions {
  /** members at most (default 4M) */
  maxEntries?: number;
  /** bytes of the whole stream at most (default 64 GiB) */
  maxBytes?: number;
  /** named in errors */
  subject?: string;
  signal?: AbortSignal;
}

export const MAX_META_RECORD = 1 << 20;
export const MAX_NAME = 4096;
const DEFAULT_MAX_ENTRIES = 4_000_000;
const DEFAULT_MAX_BYTES = 64 * 1024 ** 3;

const TYPES: Record<string, TarEntryType> = {
  '0': 'file', '\0': 'file', '7': 'file', '1': 'hardlink', '2': 'symlink', '3': 'char', '4': 'block', '5': 'dir', '6': 'fifo',
};

class Limits {
  entries = 0;
  constructor(private readonly r: ByteReader, private readonly o: Required<Omit<ReadTarOptions, 'subject' | 'signal'>> & ReadTarOptions) {}
  /** before reading `n` more bytes */
  bytes(n: number): void {
    if (this.r.position + n > this.o.maxBytes) {
      throw new RfsError('RFS_SIZE_LIMIT', `reading tar: more than ${this.o.maxBytes} bytes`, {
        subject: this.o.subject, hint: 'the archive is larger than the limit: hostile (a bomb) or the limit is too low',
      });
    }
    if (this.o.signal?.aborted) throw new RfsError('RFS_ABORTED', 'reading tar: aborted', { cause: this.o.signal.reason });
  }
  entry(): void {
    if (++this.entries > this.o.maxEntries) {
      throw new RfsError('RFS_SIZE_LIMIT', `reading tar: more than ${this.o.maxEntries} members`, { subject: this.o.subject });
    }
  }
}

async function exact(r: ByteReader, n: number, lim: Limits, subject: string | undefined): Promise<Uint8Array> {
  lim.bytes(n);
  const b = await r.read(n);
  if (b.length < n) throw bad(subject, 'archive is truncated');
  return b;
}

async function skip(r: ByteReader, n: number, lim: Limits, subject: string | undefined): Promise<void> {
  lim.bytes(n);
  if ((await r.skip(n)) < n) throw bad(subject, 'archive is truncated');
}

/** A metadata record's body ('x', 'g', 'L', 'K'), bounded before it is buffered. */
async function metaBody(r: ByteReader, h: RawHeader, lim: Limits, subject: string | undefined): Promise<Uint8Array> {
  if (h.size > MAX_META_RECORD) throw bad(subject, `${h.typeflag === 'x' || h.typeflag === 'g' ? 'pax' : 'long name'} record of ${h.size} bytes (limit ${MAX_META_RECORD})`);
  const body = await exact(r, h.size, lim, subject);
  await skip(r, padding(h.size), lim, subject);
  return body;
}

function longName(b: Uint8Array, subject: string | undefined): string {
  const nul = b.indexOf(0);
  return text(nul < 0 ? b : b.subarray(0, nul), 'long name', subject);
}

function checkName(s: string, what: string, subject: string | undefined): string {
  if (s.length > MAX_NAME || Buffer.byteLength(s) > MAX_NAME) throw bad(subject, `${what} longer than ${MAX_NAME} bytes`);
  if (s.includes('\0')) throw bad(subject, `${what} holds a NUL byte`);
  return s;
}

export async function* readTar(src: AsyncIterable<Uint8Array>, opts: ReadTarOptions = {}): AsyncGenerator<TarRecord> {
  const subject = opts.subject;
  const r = new ByteReader(src);
  const lim = new Limits(r, { maxEntries: DEFAULT_MAX_ENTRIES, maxBytes: DEFAULT_MAX_BYTES, ...opts });
  const global = new Map<string, Uint8Array>();
  let local = new Map<string, Uint8Array>();
  let gnuName: string | undefined;
  let gnuLink: string | undefined;
  for (;;) {
    lim.bytes(BLOCK);
    const block = await r.read(BLOCK);
    if (block.length === 0 && local.size === 0 && gnuName === undefined && gnuLink === undefined) {
      throw bad(subject, 'archive ends without its end-of-archive blocks (truncated)');
    }
    if (block.length < BLOCK) throw bad(subject, 'archive is truncated');
    if (isZeroBlock(block)) {
      // GNU tar accepts a lone zero block at the very end; what follows the end is read, not parsed
      for (;;) {
        if ((await r.readSome(1 << 16)).length === 0) return;
        lim.bytes(0);
      }
    }
    const h = parseHeader(block, subject);
    if (h.typeflag === 'x' || h.typeflag === 'g') {
      parsePax(await metaBody(r, h, lim, subject), h.typeflag === 'x' ? local : global, subject);
      continue;
    }
    if (h.typeflag === 'L' || h.typeflag === 'K') {
      const s = checkName(longName(await metaBody(r, h, lim, subject), subject), 'long name', subject);
      if (h.typeflag === 'L') gnuName = s;
      else gnuLink = s;
      continue;
    }
    const type = TYPES[h.typeflag];
    if (type === undefined) throw bad(subject, `unsupported member type '${h.typeflag.replace(/[^\x20-\x7e]/g, '?')}'`);
    lim.entry();
    const member = applyPax(h, type, new Map([...global, ...local]), gnuName, gnuLink, subject);
    member.offset = r.position;
    local = new Map();
    gnuName = undefined;
    gnuLink = undefined;
    // other types store no body whatever their size field says (as GNU tar and Go's archive/tar)
    const stored = type === 'file' ? member.size : 0;
    member.size = stored;
    lim.bytes(stored + padding(stored));
    let left = stored;
    const body = async function* (): AsyncGenerator<Uint8Array> {
      while (left > 0) {
        const c = await r.readSome(left);
        if (c.length === 0) throw bad(subject, 'archive is truncated inside a member');
        left -= c.length;
        if (type === 'file') yield c;
      }
    };
    yield { member, body };
    if (left > 0) for await (const c of body()) void c;
    await skip(r, padding(stored), lim, subject);
  }
}

function applyPax(h: RawHeader, type: TarEntryType, pax: Map<string, Uint8Array>, gnuName: string | undefined, gnuLink: string | undefined, subject: string | undefined): TarMember {
  const str = (k: string): string | undefined => {
    const v = pax.get(k);
    return v === undefined ? undefined : text(v, `pax ${k}`, subject);
  };
  const n = (k: string, dflt: number): number => {
    const v = pax.get(k);
    return v === undefined ? dflt : paxNumber(v, k, subject);
  };
  let path = checkName(str('path') ?? gnuName ?? h.name, 'name', subject);
  while (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  const link = checkName(str('linkpath') ?? gnuLink ?? h.linkname, 'link target', subject);
  const xattrs: Record<string, Uint8Array> = {};
  for (const [k, v] of pax) if (k.startsWith('SCHILY.xattr.')) xattrs[k.slice('SCHILY.xattr.'.length)] = v;
  return {
    path, type, mode: h.mode, uid: n('uid', h.uid), gid: n('gid', h.gid), uname: str('uname') ?? h.uname, gname: str('gname') ?? h.gname,
    mtime: n('mtime', h.mtime), size: n('size', h.size), devMajor: h.devMajor, devMinor: h.devMinor, xattrs, offset: 0,
    ...(type === 'symlink' || type === 'hardlink' ? { linkTarget: link } : {}),
  };
}
