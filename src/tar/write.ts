// Deterministic POSIX (pax) tar writer with backpressure. Entries are written in the order given;
// paths become relative ("usr/bin/ls", as docker/podman layers and GNU tar use them); no atime or
// ctime is recorded; PAX records are sorted, so the same entries always give the same bytes.
import { RfsError } from '../errors/index.js';
import type { TarEntry } from './types.js';
import {
  BLOCK, TYPEFLAG, OCTAL_MAX_ID, OCTAL_MAX_TIME, encodeUstar, fitsField, padding,
  paxRecord, splitUstarPath,
} from './header.js';
import { ByteSink } from './sink.js';
import { concat } from '../util/bytes.js';

export interface WriteTarOptions {
  signal?: AbortSignal;
  /** end `out` and wait for it to finish (default true); false leaves it open, e.g. for stdout */
  end?: boolean;
  /**
   * Copy every byte into batch buffers that are reused once `out` calls back their write. Only
   * for an `out` that is done with a chunk by then (an fs.WriteStream, not a pass-through
   * transform). Bodies may then reuse a chunk's memory as soon as the next chunk is asked for.
   */
  recycle?: boolean;
}

const ZERO_BLOCKS = new Uint8Array(2 * BLOCK);

/** '/usr/bin/ls' -> 'usr/bin/ls'; rejects '..' components and the root itself. */
export function tarPath(path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.includes('..')) {
    throw new RfsError('RFS_UNSAFE_PATH', `writing tar entry: unsafe path "${path}"`, { subject: path });
  }
  return parts.join('/');
}

function headerBlocks(e: TarEntry, name: string, linkname: string, size: number): Uint8Array {
  const typeflag = TYPEFLAG[e.type];
  const storedName = e.type === 'dir' ? `${name}/` : name;
  const pax: [string, Uint8Array | string][] = [];
  if (splitUstarPath(storedName) === null) pax.push(['path', storedName]);
  if (linkname !== '' && !fitsField(linkname, 100)) pax.push(['linkpath', linkname]);
  if (e.uid > OCTAL_MAX_ID) pax.push(['uid', String(e.uid)]);
  if (e.gid > OCTAL_MAX_ID) pax.push(['gid', String(e.gid)]);
  if (!fitsField(e.uname, 32)) pax.push(['uname', e.uname]);
  if (!fitsField(e.gname, 32)) pax.push(['gname', e.gname]);
  if (e.mtime < 0 || e.mtime > OCTAL_MAX_TIME) pax.push(['mtime', String(e.mtime)]);
  for (const [k, v] of Object.entries(e.xattrs ?? {})) pax.push([`SCHILY.xattr.${k}`, v]);
  pax.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

  const main = encodeUstar({
    name: storedName, mode: e.mode, uid: e.uid, gid: e.gid, size, mtime: e.mtime, typeflag,
    linkname: fitsField(linkname, 100) ? linkname : linkname.slice(0, 100), uname: e.uname, gname: e.gname,
    devMajor: e.devMajor ?? 0, devMinor: e.devMinor ?? 0,
  });
  if (pax.length === 0) return main;

  const body = concat(pax.map(([k, v]) => paxRecord(k, v)));
  // GNU tar's "%d/PaxHeaders/%f" naming, without the pid, so it stays deterministic.
  const slash = name.lastIndexOf('/');
  const paxName = `${slash < 0 ? '.' : name.slice(0, slash)}/PaxHeaders/${name.slice(slash + 1)}`;
  const paxHeader = encodeUstar({
    name: splitUstarPath(paxName) !== null ? paxName : 'PaxHeaders/entry', mode: 0o644, uid: 0, gid: 0,
    size: body.length, mtime: Math.min(Math.max(e.mtime, 0), OCTAL_MAX_TIME), typeflag: TYPEFLAG.pax,
    linkname: '', uname: '', gname: '', devMajor: 0, devMinor: 0,
  });
  return concat([paxHeader, body, new Uint8Array(padding(body.length)), main]);
}

function checkEntry(e: TarEntry): void {
  if (!(e.type in TYPEFLAG) || e.type === ('pax' as string)) {
    throw new RfsError('RFS_INTERNAL', `writing tar entry: unknown type "${String(e.type)}"`, { subject: e.path });
  }
  if ((e.type === 'symlink' || e.type === 'hardlink') && !e.linkTarget) {
    throw new RfsError('RFS_INTERNAL', `writing tar entry: ${e.type} without a target`, { subject: e.path });
  }
  for (const n of [e.uid, e.gid, e.mode, e.size, e.devMajor ?? 0, e.devMinor ?? 0]) {
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new RfsError('RFS_INTERNAL', `writing tar entry: bad numeric field ${n}`, { subject: e.path });
    }
  }
  if (!Number.isSafeInteger(e.mtime)) {
    throw new RfsError('RFS_INTERNAL', `writing tar entry: mtime ${e.mtime} is not whole seconds`, { subject: e.path });
  }
  if ((e.devMajor ?? 0) > OCTAL_MAX_ID || (e.devMinor ?? 0) > OCTAL_MAX_ID) {
    throw new RfsError('RFS_INTERNAL', `writing tar entry: device ${e.devMajor}:${e.devMinor} does not fit a tar header`, { subject: e.path });
  }
}

async function writeBody(e: TarEntry, sink: ByteSink, signal: AbortSignal | undefined): Promise<void> {
  let written = 0;
  const src = e.body === undefined ? new Uint8Array(0) : e.body();
  const chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array> = src instanceof Uint8Array ? [src] : src;
  for await (const chunk of chunks) {
    if (signal?.aborted) throw abortError(signal);
    written += chunk.length;
    if (written > e.size) break;
    await sink.write(chunk);
  }
  if (written !== e.size) {
    throw new RfsError('RFS_OUTPUT', `writing tar entry: body has ${written > e.size ? 'more' : 'fewer'} bytes than its size ${e.size}`, { subject: e.path });
  }
  await sink.write(new Uint8Array(padding(e.size)));
}

export function abortError(signal: AbortSignal): RfsError {
  return new RfsError('RFS_ABORTED', 'writing tar: aborted', { cause: signal.reason });
}

/** Write `entries` as a tar stream to `out`, honouring backpressure and `signal`; resolves to the bytes written. */
export async function writeTar(
  entries: AsyncIterable<TarEntry> | Iterable<TarEntry>,
  out: NodeJS.WritableStream,
  opts: WriteTarOptions = {},
): Promise<number> {
  const { signal } = opts;
  const sink = new ByteSink(out, signal, opts.recycle ?? false);
  const files = new Set<string>();
  try {
    if (signal?.aborted) throw abortError(signal);
    for await (const e of entries) {
      if (signal?.aborted) throw abortError(signal);
      checkEntry(e);
      const name = tarPath(e.path);
      let linkname = '';
      if (e.type === 'symlink') linkname = e.linkTarget ?? '';
      if (e.type === 'hardlink') {
        linkname = tarPath(e.linkTarget ?? '');
        // readers resolve a link against members already extracted
        if (!files.has(linkname)) {
          throw new RfsError('RFS_INTERNAL', `writing tar entry: hardlink to "${linkname}" before that file was written`, { subject: e.path });
        }
      }
      const size = e.type === 'file' ? e.size : 0;
      await sink.write(headerBlocks(e, name, linkname, size));
      if (e.type === 'file') {
        await writeBody(e, sink, signal);
        files.add(name);
      }
    }
    await sink.write(ZERO_BLOCKS);
    await sink.flush();
    if (opts.end !== false) await sink.end();
    return sink.bytes;
  } finally {
    sink.dispose();
  }
}
