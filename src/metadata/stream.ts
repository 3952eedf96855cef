// A metadata file on disk -> decompressed -> tokenized into a handler, with errors that name
// the repo and the URL the file came from.
import { isAscii } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { decompress } from '../decompress/index.js';
import { RfsError, isRfsError, untrusted } from '../errors/index.js';
import type { Checksum } from '../types/index.js';
import { createDigest } from '../util/checksum.js';
import { createSaxTokenizer, type Tokenizer } from './sax-tokenizer.js';
import { XmlError, XmlLimitError, XmlTokenizer, type XmlHandler, type XmlLimits } from './xml.js';
import { MetadataFormatError } from './package-guard.js';

/** What repomd.xml declares about a file's decompressed content. */
export interface OpenDeclared {
  /** open-checksum: verified over the decompressed bytes as they stream */
  openChecksum?: Checksum;
  /** open-size: the exact decompressed size; also the decompression limit (plus a margin) */
  openSize?: number;
}

/** Decompressed size limit when repomd declares no open-size (filelists of big repos run to hundreds of MB). */
export const MAX_OPEN_BYTES = 2 * 1024 ** 3;
/** Room over a declared open-size, so an oversized file is reported as such rather than cut mid-token. */
const OPEN_SIZE_MARGIN = 64 * 1024;

/** The decompressed byte limit for a file: open-size + margin when declared, never over `hardCap`. */
export function openLimit(d: OpenDeclared, hardCap = MAX_OPEN_BYTES): number {
  return d.openSize !== undefined ? Math.min(d.openSize + OPEN_SIZE_MARGIN, hardCap) : hardCap;
}

export interface ParseSource {
  path: string;
  /** where it was downloaded from, for messages */
  url: string;
  repo: string;
  /** limit on the decompressed size (default: openLimit() of what is declared) */
  maxBytes?: number;
  /** 'fast' (default) or the reference `sax` tokenizer */
  tokenizer?: 'fast' | 'sax';
  /** tokenizer bounds for this document type (default DEFAULT_XML_LIMITS) */
  limits?: Partial<XmlLimits>;
  /** open-checksum / open-size from repomd.xml */
  declared?: OpenDeclared;
}

export interface ReadOptions {
  maxBytes?: number;
  /** the URL, for messages */
  subject?: string;
  /** verified at the end of the stream: a mismatch throws RFS_CHECKSUM_MISMATCH */
  declared?: OpenDeclared;
}

/** The decompressed bytes of a file; open-size and open-checksum are verified at the end. */
export async function* readDecompressed(path: string, opts: ReadOptions = {}): AsyncIterable<Uint8Array> {
  const src = createReadStream(path, { highWaterMark: 1 << 16 });
  const declared = opts.declared ?? {};
  const maxBytes = opts.maxBytes ?? openLimit(declared);
  const hash = declared.openChecksum ? createDigest(declared.openChecksum.type) : undefined;
  let n = 0;
  for await (const chunk of decompress(src, undefined, { maxBytes, ...(opts.subject !== undefined ? { subject: opts.subject } : {}) })) {
    hash?.update(chunk);
    n += chunk.length;
    yield chunk;
  }
  const subject = opts.subject ?? path;
  if (declared.openSize !== undefined && n !== declared.openSize) {
    throw new RfsError('RFS_CHECKSUM_MISMATCH', `verifying ${subject}: decompressed to ${n} bytes, repomd.xml open-size says ${declared.openSize}`, {
      subject, hint: 'the mirror serves a file that does not match its repomd.xml; try another mirror',
    });
  }
  if (hash && declared.openChecksum) {
    const got = hash.digest('hex');
    if (got !== declared.openChecksum.value.toLowerCase()) {
      throw new RfsError('RFS_CHECKSUM_MISMATCH', `verifying ${subject}: decompressed content's ${declared.openChecksum.type} is ${got}, repomd.xml open-checksum says ${untrusted(declared.openChecksum.value, 128)}`, {
        subject, hint: 'the mirror serves a file that does not match its repomd.xml; try another mirror',
      });
    }
  }
}

/**
 * The decoded text of a file. Repodata is nearly all ASCII: such a chunk is copied out as latin1
 * (a memcpy, where the UTF-8 decoder cost as much as gunzip), unless the decoder may be holding
 * the start of a character split across chunks. The first chunk always goes through the
 * decoder, which drops a leading BOM only there.
 */
export async function* readText(path: string, opts: ReadOptions = {}): AsyncIterable<string> {
  const dec = new TextDecoder('utf-8', { fatal: false });
  let first = true;
  let pending = false;
  for await (const chunk of readDecompressed(path, opts)) {
    if (!first && !pending && isAscii(chunk)) {
      yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
      continue;
    }
    first = false;
    yield dec.decode(chunk, { stream: true });
    pending = mayEndMidChar(chunk);
  }
  const tail = dec.decode();
  if (tail) yield tail;
}

/** Whether a chunk may end inside a UTF-8 sequence (true when unsure: the decoder is always right). */
function mayEndMidChar(c: Uint8Array): boolean {
  for (let k = 1; k <= 3 && k <= c.length; k++) {
    const x = c[c.length - k]!;
    if (x < 0x80) return false;
    if (x >= 0xc0) return k < (x >= 0xf0 ? 4 : x >= 0xe0 ? 3 : 2);
  }
  return true;
}

export async function readAll(path: string, opts: ReadOptions = {}): Promise<string> {
  let s = '';
  for await (const t of readText(path, opts)) s += t;
  return s;
}

export async function parseXmlFile(src: ParseSource, handler: XmlHandler, what: string): Promise<void> {
  const tok: Tokenizer = src.tokenizer === 'sax' ? createSaxTokenizer(handler, src.limits) : new XmlTokenizer(handler, src.limits);
  try {
    const read: ReadOptions = { subject: src.url, ...(src.maxBytes !== undefined ? { maxBytes: src.maxBytes } : {}), ...(src.declared ? { declared: src.declared } : {}) };
    for await (const text of readText(src.path, read)) tok.write(text);
    tok.end();
  } catch (err) {
    throw metadataError(err, src, what);
  }
}

/**
 * Parse with the fast tokenizer; if it refuses the document as malformed, try once more with
 * `sax` on a fresh handler (it accepts XML the fast one does not, e.g. a DOCTYPE subset).
 * When both refuse, the fast tokenizer's error is the one reported.
 */
export async function parseXmlWithFallback<T>(src: ParseSource, make: () => T, handlerOf: (t: T) => XmlHandler, what: string): Promise<T> {
  const first = make();
  try {
    await parseXmlFile(src, handlerOf(first), what);
    return first;
  } catch (err) {
    // A bound or a forbidden character is no dialect sax would read better: no second pass.
    if (src.tokenizer === 'sax' || !isRfsError(err) || err.code !== 'RFS_METADATA_MALFORMED' || !(err.cause instanceof XmlError) || err.cause instanceof XmlLimitError) throw err;
    const second = make();
    try {
      await parseXmlFile({ ...src, tokenizer: 'sax' }, handlerOf(second), what);
    } catch {
      throw err;
    }
    return second;
  }
}

/** Turn tokenizer/decoder/format failures into RfsErrors naming the repo and URL. */
export function metadataError(err: unknown, src: { url: string; repo: string }, what: string): RfsError {
  if (err instanceof XmlError || err instanceof MetadataFormatError) {
    // the fast tokenizer's words, then sax's ("Unclosed root tag", "Unexpected end")
    const truncated = /unexpected end|not closed|unclosed root tag|empty document/i.test(err.message);
    return new RfsError(truncated ? 'RFS_METADATA_TRUNCATED' : 'RFS_METADATA_MALFORMED', `parsing ${what} of repo ${src.repo}: ${err.message}`, {
      subject: src.url, cause: err, hint: truncated ? 'the file ends early; the mirror may be mid-sync' : 'the metadata is not valid repodata XML',
    });
  }
  if (isRfsError(err)) {
    if (err.code === 'RFS_DECOMPRESS') {
      const truncated = /unexpected end|truncat|incomplete|premature/i.test(err.message);
      return new RfsError(truncated ? 'RFS_METADATA_TRUNCATED' : 'RFS_DECOMPRESS', `reading ${what} of repo ${src.repo}: ${err.message}`, {
        subject: src.url, cause: err, hint: 'the compressed file is damaged or cut short; clear it from the cache or try another mirror',
      });
    }
    return err;
  }
  return new RfsError('RFS_METADATA_MALFORMED', `reading ${what} of repo ${src.repo}: ${err instanceof Error ? err.message : String(err)}`, { subject: src.url, cause: err });
}
