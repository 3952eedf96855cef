// The files of an image layout or image archive as (file, offset, size) spans: a directory's
// files in place, an uncompressed archive's members by their offset in it (never copied).
import { createHash } from 'node:crypto';
import { createReadStream, lstatSync } from 'node:fs';
import { join, posix } from 'node:path';
import { RfsError, untrusted } from '../../errors/index.js';
import { SHA256_DIGEST } from '../output/oci-spec.js';
import { readTar } from '../../tar/index.js';
import { DOC_MAX, type Refuse } from './docs.js';

export interface Span {
  file: string;
  offset: number;
  size: number;
}

export interface BlobStore {
  /** what the user gave, for messages */
  readonly source: string;
  /** a member by its path relative to the layout root, or undefined */
  member(path: string): Span | undefined;
}

const MAX_LINK_HOPS = 16;

export function badImage(source: string, what: string, hint = 'the image is corrupt or hostile; export it again (skopeo copy, podman save)'): RfsError {
  return new RfsError('RFS_BAD_ARCHIVE', `reading base image: ${what}`, { subject: source, hint });
}

/** A base on disk that is malformed is a bad archive; one that does not fit the build, a usage error. */
export function refusers(source: string): { bad: Refuse; usage: Refuse } {
  return {
    bad: (why, hint) => badImage(source, why, hint),
    usage: (why, hint) => new RfsError('RFS_USAGE', `reading base image: ${why}`, { subject: source, ...(hint !== undefined ? { hint } : {}) }),
  };
}

/** A relative member path with '.' parts dropped; '..', absolute or empty paths are refused. */
export function memberPath(p: string, source: string): string {
  const parts = p.split('/').filter((x) => x !== '' && x !== '.');
  if (p.startsWith('/') || parts.length === 0 || parts.includes('..') || p.includes('\0')) {
    throw new RfsError('RFS_UNSAFE_PATH', `reading base image: member path "${untrusted(p)}" leaves the archive`, { subject: source });
  }
  return parts.join('/');
}

export function dirStore(dir: string, source: string): BlobStore {
  return {
    source,
    member(path) {
      const p = join(dir, memberPath(path, source));
      try {
        const st = lstatSync(p);
        // a symlink could point anywhere on the host
        return st.isFile() ? { file: p, offset: 0, size: st.size } : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

/** Index an uncompressed tar's members (one pass); symlinks and hardlinks resolve inside it. */
export async function archiveStore(file: string, source: string, signal?: AbortSignal): Promise<BlobStore> {
  const files = new Map<string, Span>();
  const links = new Map<string, string>();
  for await (const { member: m } of readTar(createReadStream(file), { subject: source, maxEntries: 100_000, ...(signal ? { signal } : {}) })) {
    const path = memberPath(m.path, source);
    if (m.type === 'file') files.set(path, { file, offset: m.offset, size: m.size });
    else if (m.type === 'hardlink' && m.linkTarget !== undefined) links.set(path, memberPath(m.linkTarget, source));
    else if (m.type === 'symlink' && m.linkTarget !== undefined) {
      // relative to the link's directory (docker save links <id>/layer.tar -> ../blobs/sha256/<hex>)
      links.set(path, memberPath(posix.join(posix.dirname(path), m.linkTarget), source));
    }
  }
  return {
    source,
    member(path) {
      let p = memberPath(path, source);
      for (let hops = 0; hops <= MAX_LINK_HOPS; hops++) {
        const f = files.get(p);
        if (f) return f;
        const next = links.get(p);
        if (next === undefined) return undefined;
        p = next;
      }
      return undefined;
    },
  };
}

export function spanStream(s: Span): AsyncIterable<Uint8Array> {
  if (s.size === 0) return (async function* () {})();
  return createReadStream(s.file, { start: s.offset, end: s.offset + s.size - 1, highWaterMark: 1 << 20 });
}

export async function spanBytes(s: Span, source: string, what: string): Promise<Uint8Array> {
  if (s.size > DOC_MAX) throw badImage(source, `${what} is ${s.size} bytes (limit ${DOC_MAX})`);
  const parts: Uint8Array[] = [];
  for await (const c of spanStream(s)) parts.push(c);
  const b = Buffer.concat(parts);
  if (b.length !== s.size) throw badImage(source, `${what} is shorter than its size`);
  return b;
}

export async function sha256Span(s: Span, signal?: AbortSignal): Promise<string> {
  const h = createHash('sha256');
  let n = 0;
  for await (const c of spanStream(s)) {
    if (signal?.aborted) throw new RfsError('RFS_ABORTED', 'reading base image: aborted', { cause: signal.reason });
    h.update(c);
    n += c.length;
  }
  if (n !== s.size) throw new RfsError('RFS_BAD_ARCHIVE', `reading base image: ${s.file} is shorter than expected`, { subject: s.file });
  return `sha256:${h.digest('hex')}`;
}

/** A blob by its digest, checked as a digest before it becomes a path, and its size against the descriptor's. */
export function blobSpan(store: BlobStore, digest: string, size: number | undefined): Span {
  if (!SHA256_DIGEST.test(digest)) throw badImage(store.source, `digest "${untrusted(digest, 80)}" is not sha256:<64 hex>`);
  const s = store.member(`blobs/sha256/${digest.slice(7)}`);
  if (!s) throw badImage(store.source, `blob ${digest} is missing`);
  if (size !== undefined && s.size !== size) throw badImage(store.source, `blob ${digest} has ${s.size} bytes, its descriptor says ${size}`);
  return s;
}

export async function verifySpan(s: Span, digest: string, source: string, signal?: AbortSignal): Promise<void> {
  const got = await sha256Span(s, signal);
  if (got !== digest) {
    throw new RfsError('RFS_CHECKSUM_MISMATCH', `reading base image: blob ${digest} has digest ${got}`, {
      subject: source, hint: 'the image was changed or corrupted after it was written; export it again',
    });
  }
}
