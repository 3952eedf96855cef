// Shared by the tar and output tests: collect a tar in memory, read archives back with Python's
// tarfile (an independent reader), and a few entry builders.
import { execFileSync, spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { writeTar } from '../../src/tar/index.js';
import type { TarEntry } from '../../src/tar/index.js';

export const hasPython = spawnSync('python3', ['-c', 'import tarfile'], { stdio: 'ignore' }).status === 0;
export const hasGnuTar = spawnSync('tar', ['--version'], { encoding: 'utf8' }).stdout?.includes('GNU tar') ?? false;

export class Collector extends Writable {
  chunks: Buffer[] = [];
  constructor(opts: { highWaterMark?: number; delay?: boolean } = {}) {
    super({ highWaterMark: opts.highWaterMark ?? 16384 });
    this.delay = opts.delay ?? false;
  }
  private readonly delay: boolean;
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.chunks.push(Buffer.from(chunk));
    if (this.delay) setImmediate(cb);
    else cb();
  }
  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

export async function tarBytes(entries: TarEntry[] | (() => AsyncIterable<TarEntry>), opts: { highWaterMark?: number; delay?: boolean } = {}): Promise<Buffer> {
  const out = new Collector(opts);
  await writeTar(typeof entries === 'function' ? entries() : entries, out);
  return out.bytes;
}

export interface PyMember {
  name: string; type: string; mode: number; uid: number; gid: number; uname: string; gname: string;
  size: number; mtime: number; linkname: string; devmajor: number; devminor: number;
  pax: Record<string, string>; xattrs: Record<string, string>; sha256: string | null;
}

const PY_LIST = `
import sys, tarfile, json, hashlib
kinds = {tarfile.REGTYPE:'file', tarfile.AREGTYPE:'file', tarfile.DIRTYPE:'dir', tarfile.SYMTYPE:'symlink', tarfile.LNKTYPE:'hardlink', tarfile.CHRTYPE:'char', tarfile.BLKTYPE:'block', tarfile.FIFOTYPE:'fifo'}
out = []
with tarfile.open(sys.argv[1], 'r:*') as t:
    for m in t:
        f = t.extractfile(m) if m.isreg() else None
        xattrs = {k[len('SCHILY.xattr.'):]: v.encode('utf-8', 'surrogateescape').hex() for k, v in m.pax_headers.items() if k.startswith('SCHILY.xattr.')}
        out.append(dict(name=m.name, type=kinds.get(m.type, repr(m.type)), mode=m.mode, uid=m.uid, gid=m.gid, uname=m.uname, gname=m.gname,
            size=m.size, mtime=m.mtime, linkname=m.linkname, devmajor=m.devmajor, devminor=m.devminor,
            pax={k: v for k, v in m.pax_headers.items() if not k.startswith('SCHILY.xattr.')}, xattrs=xattrs,
            sha256=hashlib.sha256(f.read()).hexdigest() if f else None))
print(json.dumps(out))
`;

/** Members of a tar (any compression Python knows) as Python's tarfile sees them. */
export function pyList(file: string): PyMember[] {
  return JSON.parse(execFileSync('python3', ['-c', PY_LIST, file], { encoding: 'utf8', maxBuffer: 64 << 20 })) as PyMember[];
}

export function entry(path: string, type: TarEntry['type'], extra: Partial<TarEntry> = {}): TarEntry {
  return {
    path, type, mode: type === 'dir' ? 0o755 : 0o644, uid: 0, gid: 0, uname: 'root', gname: 'root',
    mtime: 1_700_000_000, size: 0, ...extra,
  };
}

export function fileEntry(path: string, content: string | Uint8Array, extra: Partial<TarEntry> = {}): TarEntry {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  return entry(path, 'file', { size: bytes.length, body: () => bytes, ...extra });
}
