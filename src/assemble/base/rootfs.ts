// A base given as a root filesystem, not an image: a tar (kept as the layer blob when it is
// plain, gzip or zstd; other codecs decoded into the work dir once) or a host directory (written
// as one plain tar, sorted, numeric owners from the host's stat).
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, lstatSync, readdirSync, readlinkSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { Transform } from 'node:stream';
import { finished } from 'node:stream/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { RfsError } from '../../errors/index.js';
import { decompress } from '../../decompress/index.js';
import type { Codec } from '../../decompress/index.js';
import { fileBody, readTar, writeTar } from '../../tar/index.js';
import type { TarEntry } from '../../tar/index.js';
import { tapChunks } from '../../util/bytes.js';
import { byteCompare } from '../tree.js';
import type { BaseLayer } from './types.js';

const TAR = 'application/vnd.oci.image.layer.v1.tar';
const KEPT: Partial<Record<Codec, string>> = { none: TAR, gzip: `${TAR}+gzip`, zstd: `${TAR}+zstd` };
/** decompressed base layers at most this big (a bomb stops here) */
export const MAX_LAYER_BYTES = 64 * 1024 ** 3;

const hex = (h: ReturnType<typeof createHash>): string => `sha256:${h.digest('hex')}`;

/**
 * Read a tar (decoded with `codec`) to its end, hashing what was stored and what was decoded,
 * and returning its top-level member names (an image archive is told apart by them).
 */
export async function scanTar(file: string, codec: Codec, source: string, signal?: AbortSignal, copyTo?: string): Promise<{ digest: string; diffId: string; top: Set<string> }> {
  const stored = createHash('sha256');
  const decoded = createHash('sha256');
  const out = copyTo === undefined ? undefined : createWriteStream(copyTo);
  const top = new Set<string>();
  let plain = tapChunks(createReadStream(file, { highWaterMark: 1 << 20 }), (c) => stored.update(c));
  if (codec !== 'none') plain = decompress(plain, codec, { maxBytes: MAX_LAYER_BYTES, subject: source });
  const tee = (async function* () {
    for await (const c of plain) {
      decoded.update(c);
      if (out && !out.write(c)) await once(out, 'drain');
      yield c;
    }
  })();
  try {
    for await (const { member } of readTar(tee, { subject: source, maxBytes: MAX_LAYER_BYTES, ...(signal ? { signal } : {}) })) {
      const p = member.path.replace(/^(\.\/)+/, '');
      if (!p.includes('/')) top.add(p);
    }
  } finally {
    out?.end();
  }
  if (out) await finished(out);
  return { digest: hex(stored), diffId: hex(decoded), top };
}

/** A rootfs tar as the base's one layer; `codec` as sniffed from its first bytes. */
export async function tarLayer(file: string, codec: Codec, source: string, workDir: string, signal?: AbortSignal): Promise<BaseLayer> {
  const kept = KEPT[codec];
  const copy = kept === undefined ? join(workDir, 'base-rootfs.tar') : undefined;
  const scan = await scanTar(file, codec, source, signal, copy);
  if (scan.top.has('oci-layout') || scan.top.has('manifest.json')) {
    throw new RfsError('RFS_USAGE', `reading base image: ${codec === 'none' ? 'an image archive' : `a ${codec}-compressed image archive`} where a rootfs tar was expected`, {
      subject: source, hint: codec === 'none' ? 'name it as oci-archive:FILE or docker-archive:FILE' : 'decompress it first, then give the .tar',
    });
  }
  const blob = copy ?? file;
  return { file: blob, offset: 0, digest: copy ? scan.diffId : scan.digest, size: lstatSync(blob).size, mediaType: kept ?? TAR, diffId: scan.diffId };
}

function entryOf(path: string, st: Stats, full: string, links: Map<string, string>, caps: ReadonlyMap<string, Uint8Array>): TarEntry | undefined {
  const base: TarEntry = { path, type: 'file', mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, uname: '', gname: '', mtime: Math.floor(st.mtimeMs / 1000), size: 0 };
  if (st.isDirectory()) return { ...base, type: 'dir' };
  if (st.isSymbolicLink()) return { ...base, type: 'symlink', linkTarget: readlinkSync(full) };
  if (st.isFIFO()) return { ...base, type: 'fifo' };
  if (st.isCharacterDevice() || st.isBlockDevice()) {
    const rdev = st.rdev;
    return { ...base, type: st.isCharacterDevice() ? 'char' : 'block', devMajor: (rdev >>> 8) & 0xfff, devMinor: (rdev & 0xff) | ((rdev >>> 12) & 0xfff00) };
  }
  if (!st.isFile()) return undefined; // sockets have no tar form
  if (st.nlink > 1) {
    const key = `${st.dev}:${st.ino}`;
    const first = links.get(key);
    if (first !== undefined) return { ...base, type: 'hardlink', linkTarget: first };
    links.set(key, path);
  }
  const cap = caps.get(path);
  return { ...base, size: st.size, body: fileBody(full, 0, st.size), ...(cap ? { xattrs: { 'security.capability': cap } } : {}) };
}

function* walkDir(root: string, caps: ReadonlyMap<string, Uint8Array>, signal?: AbortSignal): Generator<TarEntry> {
  const links = new Map<string, string>();
  // depth-first, children sorted bytewise: the order the image tree writes
  const stack = readdirSync(root).sort(byteCompare).reverse().map((n) => `/${n}`);
  while (stack.length > 0) {
    if (signal?.aborted) throw new RfsError('RFS_ABORTED', 'reading base directory: aborted', { cause: signal.reason });
    const path = stack.pop()!;
    const full = join(root, path);
    const st = lstatSync(full);
    const e = entryOf(path, st, full, links, caps);
    if (e) yield e;
    if (st.isDirectory()) for (const n of readdirSync(full).sort(byteCompare).reverse()) stack.push(`${path}/${n}`);
  }
}

/** A host directory as one plain tar layer in the work dir (host ids kept as numbers, file capabilities from `caps`). */
export async function dirLayer(dir: string, workDir: string, caps: ReadonlyMap<string, Uint8Array>, signal?: AbortSignal): Promise<BaseLayer> {
  const file = join(workDir, 'base-dir.tar');
  const h = createHash('sha256');
  const out = createWriteStream(file);
  const hashing = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      h.update(chunk);
      cb(null, chunk);
    },
  });
  hashing.pipe(out);
  try {
    const size = await writeTar(walkDir(dir, caps, signal), hashing, signal ? { signal } : {});
    await finished(out);
    const digest = hex(h);
    return { file, offset: 0, digest, size, mediaType: TAR, diffId: digest };
  } finally {
    out.destroy();
  }
}
