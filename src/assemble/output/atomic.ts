// All-or-nothing outputs: build under a temporary name in the destination's own directory (same
// filesystem, so rename() is atomic), rename on success, remove on any failure. Temp names carry
// their owner (util/owner.ts): a crash or second signal removes them through util/exit-cleanup,
// and what a SIGKILLed run left beside the same destination is removed by the next write there.
import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, open, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { RfsError } from '../../errors/index.js';
import { removeOnExit } from '../../util/exit-cleanup.js';
import { ownerAlive, ownerTag, parseOwnerTag } from '../../util/owner.js';

function tempName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${ownerTag()}.${randomBytes(6).toString('hex')}.partial`);
}

/** Remove `.NAME.<owner>.<hex>.partial` siblings of `path` whose owner is dead. */
export async function sweepStalePartials(path: string): Promise<string[]> {
  const prefix = `.${basename(path)}.`;
  const gone: string[] = [];
  for (const name of await readdir(dirname(path)).catch(() => [] as string[])) {
    if (!name.startsWith(prefix) || !name.endsWith('.partial')) continue;
    const m = /^(.+)\.[0-9a-f]{12}\.partial$/.exec(name.slice(prefix.length));
    const owner = m ? parseOwnerTag(m[1] ?? '') : null;
    if (owner === null || ownerAlive(owner)) continue;
    await removeTree(join(dirname(path), name)).then(() => gone.push(name), () => undefined);
  }
  return gone;
}

function checkAborted(signal: AbortSignal | undefined, path: string): void {
  if (signal?.aborted) throw new RfsError('RFS_ABORTED', 'writing output: aborted', { subject: path, cause: signal.reason });
}

/** Run `fill(tmpFile)`, fsync, and move the result to `path`; on failure nothing appears at `path`. */
export async function atomicFile<T>(path: string, fill: (tmp: string) => Promise<T>, signal?: AbortSignal): Promise<T> {
  await mkdir(dirname(path), { recursive: true });
  await sweepStalePartials(path);
  const tmp = tempName(path);
  const forget = removeOnExit(tmp);
  try {
    const result = await fill(tmp);
    checkAborted(signal, path);
    const fh = await open(tmp, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    checkAborted(signal, path);
    await rename(tmp, path);
    return result;
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  } finally {
    forget();
  }
}

/** Directory flavour: `path` must not exist or be an empty directory (never merged into). */
export async function atomicDir<T>(path: string, fill: (tmp: string) => Promise<T>, signal?: AbortSignal): Promise<T> {
  await mkdir(dirname(path), { recursive: true });
  const existing = await stat(path).catch(() => null);
  if (existing !== null && (!existing.isDirectory() || (await readdir(path)).length > 0)) {
    throw new RfsError('RFS_OUTPUT', 'writing output directory: destination exists and is not an empty directory', {
      subject: path, hint: 'remove it or choose another -o path',
    });
  }
  await sweepStalePartials(path);
  const tmp = tempName(path);
  const forget = removeOnExit(tmp);
  try {
    await mkdir(tmp, { mode: 0o755 });
    const result = await fill(tmp);
    checkAborted(signal, path);
    if (existing !== null) await rmdir(path);
    await rename(tmp, path);
    return result;
  } catch (err) {
    await removeTree(tmp);
    throw err;
  } finally {
    forget();
  }
}

export async function removeTree(dir: string): Promise<void> {
  await makeRemovable(dir);
  await rm(dir, { recursive: true, force: true });
}

/** read-only directories inside a half-built tree would stop rm as non-root */
async function makeRemovable(dir: string): Promise<void> {
  const walk = async (d: string): Promise<void> => {
    const st = await lstat(d).catch(() => null);
    if (st === null || !st.isDirectory()) return;
    await chmod(d, 0o700).catch(() => undefined);
    for (const n of await readdir(d).catch(() => [])) await walk(join(d, n));
  };
  await walk(dir);
}

/**
 * Files written under temporary names beside their destinations and renamed only by commit(),
 * so documents that describe an image (lockfile, SBOM) appear together with it or not at all.
 */
export class StagedFiles {
  private staged: { tmp: string; path: string; forget: () => void }[] = [];

  /** Write `data` to a temp name beside `path` (synced); nothing appears at `path` yet. */
  async stage(path: string, data: string | Uint8Array): Promise<void> {
    const tmp = tempName(path);
    try {
      await mkdir(dirname(path), { recursive: true });
      await sweepStalePartials(path);
      this.staged.push({ tmp, path, forget: removeOnExit(tmp) });
      const fh = await open(tmp, 'wx', 0o644);
      try {
        await fh.writeFile(data);
        await fh.sync();
      } finally {
        await fh.close();
      }
    } catch (err) {
      throw new RfsError('RFS_OUTPUT', `writing ${path}: ${err instanceof Error ? err.message : String(err)}`, { subject: path, cause: err });
    }
  }

  /** Rename everything into place; if one rename fails, the ones already done are removed. */
  async commit(): Promise<void> {
    const done: string[] = [];
    try {
      for (const s of this.staged) {
        await rename(s.tmp, s.path);
        s.forget();
        done.push(s.path);
      }
      this.staged = [];
    } catch (err) {
      for (const p of done) await rm(p, { force: true });
      throw new RfsError('RFS_OUTPUT', `writing ${this.staged[done.length]?.path ?? 'output'}: ${err instanceof Error ? err.message : String(err)}`, {
        subject: this.staged[done.length]?.path, cause: err,
      });
    }
  }

  /** Remove whatever was staged and not committed (safe to call after commit). */
  async discard(): Promise<void> {
    for (const s of this.staged) {
      await rm(s.tmp, { force: true });
      s.forget();
    }
    this.staged = [];
  }
}
