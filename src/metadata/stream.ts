// A metadata file on disk -> decompressed -> tokenized into a handler, with errors that name
// the repo and the URL the file came from.
import { createReadStream } from 'node:fs';
import { decompress } from '../decompress/index.js';
import { RfsError, isRfsError } from '../errors/index.js';
import { createSaxTokenizer, type Tokenizer } from './sax-tokenizer.js';
import { XmlError, XmlTokenizer, type XmlHandler } from './xml.js';
import { MetadataFormatError } from './primary.js';

export interface ParseSource {
  path: string;
  /** where it was downloaded from, for messages */
  url: string;
  repo: string;
  /** limit on the decompressed size */
  maxBytes?: number;
  /** 'fast' (default) or the reference `sax` tokenizer */
  tokenizer?: 'fast' | 'sax';
}

export async function* readText(path: string, opts: { maxBytes?: number; subject?: string } = {}): AsyncIterable<string> {
  const dec = new TextDecoder('utf-8', { fatal: false });
  const src = createReadStream(path, { highWaterMark: 1 << 16 });
  for await (const chunk of decompress(src, undefined, opts)) yield dec.decode(chunk, { stream: true });
  const tail = dec.decode();
  if (tail) yield tail;
}

export async function readAll(path: string, opts: { maxBytes?: number; subject?: string } = {}): Promise<string> {
  let s = '';
  for await (const t of readText(path, opts)) s += t;
  return s;
}

export async function parseXmlFile(src: ParseSource, handler: XmlHandler, what: string): Promise<void> {
  const tok: Tokenizer = src.tokenizer === 'sax' ? createSaxTokenizer(handler) : new XmlTokenizer(handler);
  try {
    for await (const text of readText(src.path, { maxBytes: src.maxBytes ?? 2 * 1024 ** 3, subject: src.url })) tok.write(text);
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
    if (src.tokenizer === 'sax' || !isRfsError(err) || err.code !== 'RFS_METADATA_MALFORMED' || !(err.cause instanceof XmlError)) throw err;
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
    const truncated = /unexpected end|not closed|empty document/.test(err.message);
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
