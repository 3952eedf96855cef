// Format "dir": the tree extracted into a directory, best effort without root. Modes (incl.
// setuid/setgid/sticky), symlinks, hardlinks and mtimes are applied; ownership is applied only
// when running as root; device nodes, fifos and xattrs (capabilities) are never created (Node has
// no mknod/setxattr). Everything intended is recorded in the sidecar "<dir>.ownership.json":
//   { "format": "rootfs-assemble-ownership", "version": 1, "applied": { ownership, devices, xattrs },
//     "entries": [ { path, type, mode: "4755", uid, gid, uname, gname, linkTarget?,
//                    devMajor?, devMinor?, xattrs?: { name: hex } } ] }
//   All entries in tar order, one per line.
import { chmod, lchown, link, lstat, lutimes, mkdir, open, symlink, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { RfsError } from '../../errors/index.js';
import { tarPath } from '../../tar/index.js';
import type { TarEntry } from '../../tar/index.js';
import { atomicDir, atomicFile, removeTree } from './atomic.js';
import type { OutputResult, WriteOutputOptions } from './types.js';

interface Pending { path: string; mode: number; mtime: number; uid: number; gid: number }

export function sidecarPath(dir: string): string {
  return `${dir.replace(/\/+$/, '')}.ownership.json`;
}

async function writeBody(e: TarEntry, dest: string, signal: AbortSignal | undefined): Promise<void> {
  const src = e.body?.() ?? new Uint8Array(0);
  const fh = await open(dest, 'wx', 0o600);
  try {
    let written = 0;
    for await (const chunk of src instanceof Uint8Array ? [src] : src) {
      signal?.throwIfAborted();
      written += chunk.length;
      if (written > e.size) break;
      await fh.write(chunk);
    }
    if (written !== e.size) {
      throw new RfsError('RFS_OUTPUT', `writing output directory: body has ${written > e.size ? 'more' : 'fewer'} bytes than its size ${e.size}`, { subject: e.path });
    }
  } finally {
    await fh.close();
  }
}

export async function writeDir(entries: AsyncIterable<TarEntry>, opts: WriteOutputOptions): Promise<OutputResult> {
  const asRoot = process.getuid?.() === 0;
  const record: Record<string, unknown>[] = [];
  let bytes = 0;
  await atomicDir(opts.path, async (root) => {
    const dirs = new Set<string>(['']);
    const dirMeta: Pending[] = [];
    const ensureParent = async (rel: string): Promise<void> => {
      const parent = dirname(rel) === '.' ? '' : dirname(rel);
      if (dirs.has(parent)) return;
      // a parent that is not a directory we made (e.g. a symlink) must never be followed
      const st = await lstat(join(root, parent)).catch(() => null);
      if (st !== null && !st.isDirectory()) {
        throw new RfsError('RFS_UNSAFE_PATH', `writing output directory: parent of "${rel}" is not a directory`, { subject: rel });
      }
      await mkdir(join(root, parent), { recursive: true, mode: 0o755 });
      for (let p = parent; p !== '' && p !== '.'; p = dirname(p) === '.' ? '' : dirname(p)) dirs.add(p);
    };
    for await (const e of entries) {
      opts.signal?.throwIfAborted();
      const rel = tarPath(e.path);
      const abs = join(root, rel);
      await ensureParent(rel);
      record.push({
        path: `/${rel}`, type: e.type, mode: (e.mode & 0o7777).toString(8), uid: e.uid, gid: e.gid, uname: e.uname, gname: e.gname,
        ...(e.linkTarget !== undefined ? { linkTarget: e.linkTarget } : {}),
        ...(e.type === 'char' || e.type === 'block' ? { devMajor: e.devMajor ?? 0, devMinor: e.devMinor ?? 0 } : {}),
        ...(e.xattrs ? { xattrs: Object.fromEntries(Object.entries(e.xattrs).sort().map(([k, v]) => [k, Buffer.from(v).toString('hex')])) } : {}),
      });
      switch (e.type) {
        case 'dir':
          if (!dirs.has(rel)) await mkdir(abs, { mode: 0o700 });
          dirs.add(rel);
          dirMeta.push({ path: abs, mode: e.mode, mtime: e.mtime, uid: e.uid, gid: e.gid }); // applied last: read-only dirs
          continue;
        case 'file':
          await writeBody(e, abs, opts.signal);
          bytes += e.size;
          break;
        case 'symlink':
          await symlink(e.linkTarget ?? '', abs);
          break;
        case 'hardlink':
          await link(join(root, tarPath(e.linkTarget ?? '')), abs);
          break;
        default:
          continue; // char/block/fifo: recorded only
      }
      if (asRoot) await lchown(abs, e.uid, e.gid);
      if (e.type === 'file') {
        await chmod(abs, e.mode & 0o7777); // after chown, which clears setuid bits
        await utimes(abs, e.mtime, e.mtime);
      } else if (e.type === 'symlink') {
        await lutimes(abs, e.mtime, e.mtime);
      }
    }
    for (const d of dirMeta.reverse()) {
      if (asRoot) await lchown(d.path, d.uid, d.gid);
      await chmod(d.path, d.mode & 0o7777);
      await utimes(d.path, d.mtime, d.mtime);
    }
  }, opts.signal);
  // one entry per line: greppable and diffable, still one JSON document
  const head = JSON.stringify({ format: 'rootfs-assemble-ownership', version: 1, applied: { ownership: asRoot, devices: false, xattrs: false } });
  const text = `${head.slice(0, -1)},"entries":[\n${record.map((r) => JSON.stringify(r)).join(',\n')}\n]}\n`;
  try {
    await atomicFile(sidecarPath(opts.path), (tmp) => writeFile(tmp, text), opts.signal);
  } catch (err) {
    await removeTree(opts.path);
    throw err;
  }
  return { bytes };
}
