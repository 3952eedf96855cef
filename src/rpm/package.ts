// openRpm: lead, signature header (8-byte padded), main header, digests, payload entries.
import { fileChunks } from '../util/file-chunks.js';
import { Readable } from 'node:stream';
import { RfsError } from '../errors/index.js';
import { ByteReader, chunksOf, concat, tapChunks } from '../util/bytes.js';
import { sniffCodec, type Codec } from '../decompress/index.js';
import { Header, checkHeaderLengths } from './header.js';
import { LEAD_SIZE, parseLead, type RpmLead } from './lead.js';
import { packageMeta, type PackageMeta } from './meta.js';
import { declaredArchiveSize, payloadEntries, type PayloadEntry } from './payload.js';
import { PayloadVerifier, headerChecks, type DigestCheck } from './verify.js';

export type { RpmFile, PackageMeta, Scriptlet, ScriptletKind, Trigger } from './meta.js';
export type { PayloadEntry } from './payload.js';
export type { DigestCheck } from './verify.js';
export type { RpmLead } from './lead.js';

export interface RpmPackage {
  lead: RpmLead;
  signature: Header;
  header: Header;
  headerBytes: Uint8Array;
  signatureBytes: Uint8Array;
  meta: PackageMeta;
  /** checks that ran and passed; for stream sources the payload checks are added when entries() finishes */
  checks: DigestCheck[];
  /** byte offset of the payload in the file */
  payloadOffset: number;
  /** names the package in errors: the given subject, else the path, else the NEVRA */
  subject: string;
  entries(opts?: { signal?: AbortSignal }): AsyncIterable<PayloadEntry>;
}

export interface OpenRpmOptions {
  /** verify digests (default true) */
  verify?: boolean;
  /** read lead and headers only; the payload may be absent */
  headerOnly?: boolean;
  /** names the package in errors (defaults to the path) */
  subject?: string;
  /**
   * For a path or byte source: check the payload digests while entries() reads the payload
   * (a mismatch throws when the iteration reaches its end) instead of in a separate pass at
   * open. Saves reading and hashing every package twice when the caller only uses the
   * entries after a complete iteration anyway.
   */
  deferPayloadCheck?: boolean;
}

type Source = string | Uint8Array | AsyncIterable<Uint8Array> | NodeJS.ReadableStream;

/** The package's bytes from `start` (a path is opened again at that offset). */
export function chunks(src: Source, start = 0): AsyncIterable<Uint8Array> | Iterable<Uint8Array> {
  if (typeof src === 'string') return fileChunks(src, start);
  if (src instanceof Uint8Array) return chunksOf(src.subarray(start));
  if (Symbol.asyncIterator in src) return src as AsyncIterable<Uint8Array>;
  return new Readable().wrap(src);
}

/** Read one header (intro, checked lengths, then the rest) from the reader. */
async function readHeader(r: ByteReader, ns: 'main' | 'signature', subject: string): Promise<Uint8Array> {
  const intro = await r.read(16);
  if (intro.length < 16) {
    throw new RfsError('RFS_RPM_TRUNCATED', `reading ${ns} header: file ends after ${r.position} bytes`, { subject });
  }
  const v = new DataView(intro.buffer, intro.byteOffset, 16);
  checkHeaderLengths(v.getUint32(8), v.getUint32(12), ns, subject);
  const rest = await r.read(16 * v.getUint32(8) + v.getUint32(12));
  return concat([intro, rest]);
}

export async function openRpm(src: Source, opts: OpenRpmOptions = {}): Promise<RpmPackage> {
  const verify = opts.verify ?? true;
  const subject = opts.subject ?? (typeof src === 'string' ? src : '<rpm stream>');
  const r = new ByteReader(chunks(src));
  let streamUsed = false;
  try {
    const lead = parseLead(await r.read(LEAD_SIZE), subject);
    const signatureBytes = await readHeader(r, 'signature', subject);
    const signature = Header.parse(signatureBytes, { namespace: 'signature', subject });
    const pad = (8 - (signatureBytes.length % 8)) % 8;
    if ((await r.skip(pad)) < pad) {
      throw new RfsError('RFS_RPM_TRUNCATED', 'reading signature padding: file ends early', { subject });
    }
    const headerBytes = await readHeader(r, 'main', subject);
    const header = Header.parse(headerBytes, { namespace: 'main', subject });
    const payloadOffset = r.position;
    const checks: DigestCheck[] = verify ? headerChecks(signature, header, subject) : [];
    let codec: Codec | undefined;
    if (!opts.headerOnly) {
      const first = await r.peek(6);
      if (first.length === 0) throw new RfsError('RFS_RPM_TRUNCATED', 'reading payload: file ends after the header', { subject });
      codec = sniffCodec(first);
    }
    const meta = packageMeta(header, { payloadCompressor: codec, leadMajor: lead.major, subject });
    const nevra = `${meta.name}-${meta.epoch !== null ? `${meta.epoch}:` : ''}${meta.version}-${meta.release}.${meta.arch}`;
    const who = opts.subject ?? (typeof src === 'string' ? src : nevra);
    const reusable = typeof src === 'string' || src instanceof Uint8Array;
    // Re-readable sources are verified whole now; streams as their payload goes by.
    const deferred = reusable && (opts.deferPayloadCheck ?? false);
    if (verify && !opts.headerOnly && reusable && !deferred) {
      const pv = new PayloadVerifier(signature, header, headerBytes, who);
      for await (const c of r.rest()) pv.updateCompressed(c);
      checks.push(...pv.finishCompressed());
    }
    if (reusable) await r.close();
    const pkg: RpmPackage = {
      lead, signature, header, headerBytes, signatureBytes, meta, checks, payloadOffset, subject: who,
      entries(eopts = {}) {
        if (opts.headerOnly) throw new RfsError('RFS_USAGE', 'reading payload: package was opened headerOnly', { subject: who });
        let input: AsyncIterable<Uint8Array>;
        let pv: PayloadVerifier | null = null;
        if (reusable) {
          input = toAsync(chunks(src, payloadOffset));
          if (verify) pv = new PayloadVerifier(signature, header, headerBytes, who);
        } else {
          if (streamUsed) throw new RfsError('RFS_USAGE', 'reading payload: a streamed package can be iterated once', { subject: who });
          streamUsed = true;
          input = r.rest();
          if (verify) pv = new PayloadVerifier(signature, header, headerBytes, who);
        }
        const v = pv;
        const compressedTap = v && (!reusable || deferred) ? tapChunks(input, (c) => v.updateCompressed(c)) : input;
        const gen = payloadEntries(compressedTap, {
          files: meta.files, subject: who, codec, signal: eopts.signal, archiveSize: declaredArchiveSize(signature, header),
          rawTap: v?.wantsRaw ? (c) => v.updateRaw(c) : undefined,
          compressedVerified: v?.coversPayload ?? false,
        });
        return finishing(gen, () => {
          if (!v) return;
          const done = [...(reusable && !deferred ? [] : v.finishCompressed()), ...v.finishRaw()];
          for (const c of done) if (!checks.some((x) => x.name === c.name)) checks.push(c);
        });
      },
    };
    return pkg;
  } catch (e) {
    await r.close().catch(() => undefined);
    if (e instanceof RfsError) throw e;
    const code = (e as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
      throw new RfsError('RFS_USAGE', `opening package: ${(e as Error).message}`, { subject, cause: e });
    }
    throw e;
  }
}

async function* toAsync(src: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield* src;
}

async function* finishing<T>(gen: AsyncGenerator<T>, done: () => void): AsyncGenerator<T> {
  yield* gen;
  done();
}
