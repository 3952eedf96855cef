// Format "dir": the tree extracted into a directory, best effort without root. Modes (incl.
// setuid/setgid/sticky), symlinks, hardlinks and mtimes are applied; ownership is applied only
// when privileged (root). Fifos are made with the host's `mkfifo` (no root needed); char/block
// devices with the host's `mknod` when privileged, otherwise only recorded (Node has no mknod;
// host tools are fine, target binaries never run). xattrs (capabilities) are never set.
// Everything intended is recorded in the sidecar "<dir>.ownership.json":
//   { "format": "rootfs-assemble-ownership", "version": 1,
//     "applied": { ownership, devices, fifos, xattrs },
//     "entries": [ { path, type, mode: "4755", uid, gid, uname, gname, linkTarget?,
//                    devMajor?, devMinor?, xattrs?: { name: hex } } ] }
//   All entries in tar order, one per line.
import { chmod, lchown, link, lstat, lutimes, mkdir, open, symlink, utimes, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { RfsError } from '../../errors/index.js';
import { removeOnExit } from '../../util/exit-cleanup.js';
import { tarPath } from '../../tar/index.js';
import type { TarEntry } from '../../tar/index.js';
import { atomicDir, atomicFile, removeTree } from './atomic.js';
import type { OutputResult, WriteOutputOptions } from './types.js';

interface Pending { path: string; mode: number; mtime: number; uid: number; gid: number }
interface SpecialNode extends Pending { type: 'char' | 'block' | 'fifo'; devMajor: number; devMinor: number }

/** Device nodes and fifos of a dir output: made on disk, or only recorded in the sidecar. */
export interface NodeReport { created: number; recorded: number; devices: boolean; fifos: boolean }

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

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** One host shell runs every mkfifo/mknod (a process per node would cost seconds for /dev). */
function makeNodes(nodes: SpecialNode[], signal: AbortSignal | undefined): Promise<void> {
  const script = nodes.map((n) => {
    const mode = (n.mode & 0o7777).toString(8).padStart(4, '0');
    return n.type === 'fifo'
      ? `mkfifo -m ${mode} -- ${quote(n.path)}`
      : `mknod -m ${mode} -- ${quote(n.path)} ${n.type === 'char' ? 'c' : 'b'} ${n.devMajor} ${n.devMinor}`;
  }).join('\n');
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-e'], { stdio: ['pipe', 'ignore', 'pipe'], ...(signal ? { signal } : {}) });
    let err = '';
    child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    child.on('error', (e) => reject(new RfsError('RFS_OUTPUT', `creating device nodes and fifos: ${e.message}`, { cause: e })));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new RfsError('RFS_OUTPUT', `creating device nodes and fifos: ${err.trim().split('\n')[0] ?? `exit ${code}`}`, { subject: nodes[0]?.path }));
    });
    child.stdin.end(script + '\n');
  });
}

export async function writeDir(entries: AsyncIterable<TarEntry>, opts: WriteOutputOptions): Promise<OutputResult & { nodes: NodeReport }> {
  const asRoot = opts.privileged ?? process.getuid?.() === 0;
  const record: Record<string, unknown>[] = [];
  let bytes = 0;
  const report: NodeReport = { created: 0, recorded: 0, devices: asRoot, fifos: true };
  await atomicDir(opts.path, async (root) => {
    const dirs = new Set<string>(['']);
    const dirMeta: Pending[] = [];
    const nodes: SpecialNode[] = [];
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
          // char/block/fifo: made together after the walk; devices only when privileged
          if (e.type === 'fifo' || asRoot) {
            nodes.push({ path: abs, type: e.type, mode: e.mode, mtime: e.mtime, uid: e.uid, gid: e.gid, devMajor: e.devMajor ?? 0, devMinor: e.devMinor ?? 0 });
          } else {
            report.recorded++;
          }
          continue;
      }
      if (asRoot) await lchown(abs, e.uid, e.gid);
      if (e.type === 'file') {
        await chmod(abs, e.mode & 0o7777); // after chown, which clears setuid bits
        await utimes(abs, e.mtime, e.mtime);
      } else if (e.type === 'symlink') {
        await lutimes(abs, e.mtime, e.mtime);
      }
    }
    if (nodes.length > 0) {
      await makeNodes(nodes, opts.signal);
      for (const n of nodes) {
        if (asRoot) await lchown(n.path, n.uid, n.gid);
        await chmod(n.path, n.mode & 0o7777); // mkfifo/mknod -m apply the umask on some systems
        await utimes(n.path, n.mtime, n.mtime); // sets the node's times, never opens it
      }
      report.created = nodes.length;
    }
    for (const d of dirMeta.reverse()) {
      if (asRoot) await lchown(d.path, d.uid, d.gid);
      await chmod(d.path, d.mode & 0o7777);
      await utimes(d.path, d.mtime, d.mtime);
    }
  }, opts.signal);
  // one entry per line: greppable and diffable, still one JSON document
  const head = JSON.stringify({ format: 'rootfs-assemble-ownership', version: 1, applied: { ownership: asRoot, devices: report.devices, fifos: report.fifos, xattrs: false } });
  const text = `${head.slice(0, -1)},"entries":[\n${record.map((r) => JSON.stringify(r)).join(',\n')}\n]}\n`;
  // the directory is in place but not done until its sidecar is: a crash now must remove it too
  const forget = removeOnExit(opts.path);
  try {
    await atomicFile(sidecarPath(opts.path), (tmp) => writeFile(tmp, text), opts.signal);
  } catch (err) {
    await removeTree(opts.path);
    throw err;
  } finally {
    forget();
  }
  return { bytes, nodes: report };
}
