// The build's work folder, <cache>/tmp/build-<owner>-XXXXXX: named after its owning process
// (util/owner.ts), so each run can remove what killed runs left in <cache>/tmp (their build-*
// folders and the fetcher's <owner>-<hex>.part files) and <cache>/pool (the metadata caches'
// *.<owner>.<hex>.tmp), and never what a live build is using.
import { readdirSync, rmSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { onExit, removeOnExit } from '../util/exit-cleanup.js';
import { ownerAlive, ownerTag, parseOwnerTag, tagOwnsFile } from '../util/owner.js';
import { removeTree } from './output/atomic.js';

/** folders named before owners were recorded: removed once nobody has touched them for a day */
const LEGACY_AGE_MS = 24 * 3600_000;

export interface WorkDir {
  path: string;
  /** remove the folder (idempotent) */
  remove(): Promise<void>;
}

export async function createWorkDir(cacheDir: string): Promise<WorkDir> {
  const tmp = join(cacheDir, 'tmp');
  await mkdir(tmp, { recursive: true });
  await sweepStale(tmp);
  await sweepPoolTemps(join(cacheDir, 'pool'));
  const path = await mkdtemp(join(tmp, `build-${ownerTag()}-`));
  const forget = removeOnExit(path);
  // the fetcher's temp files are named <owner>-<hex>.part and removed by the fetcher as it unwinds
  const mine = `${ownerTag()}-`;
  const forgetParts = onExit(() => {
    for (const n of readdirSync(tmp)) if (n.startsWith(mine) && /^[0-9a-f-]+\.part$/.test(n.slice(mine.length))) rmSync(join(tmp, n), { force: true });
  });
  let removed = false;
  return {
    path,
    async remove() {
      if (removed) return;
      removed = true;
      await removeTree(path);
      forget();
      forgetParts();
    },
  };
}

/** Remove build-* folders and *.part files whose owner is dead; returns their names. */
export async function sweepStale(tmp: string): Promise<string[]> {
  const names = await readdir(tmp).catch(() => [] as string[]);
  const gone: string[] = [];
  for (const name of names) {
    if (!(await isStale(join(tmp, name), name))) continue;
    try {
      await removeTree(join(tmp, name));
      gone.push(name);
    } catch {
      // another run removed it first, or it is not ours to remove: leave it
    }
  }
  return gone;
}

async function isStale(path: string, name: string): Promise<boolean> {
  const build = /^build-(.+)-[A-Za-z0-9]{6}$/.exec(name);
  if (build) {
    const owner = parseOwnerTag(build[1] ?? '');
    return owner !== null && !ownerAlive(owner);
  }
  const st = await lstat(path).catch(() => null);
  if (st === null) return false;
  if (/^build-[A-Za-z0-9]{6}$/.test(name)) return st.isDirectory() && Date.now() - st.mtimeMs > LEGACY_AGE_MS;
  const part = /^(\d[0-9a-f-]*)-[0-9a-f]{12}\.part$/.exec(name);
  if (part) return st.isFile() && !tagOwnsFile(part[1] ?? '', st.mtimeMs);
  return false;
}

/** Remove the metadata caches' temp files (<name>.<owner>.<hex>.tmp) whose owner is dead; returns their names. */
export async function sweepPoolTemps(pool: string): Promise<string[]> {
  const gone: string[] = [];
  for (const name of await readdir(pool).catch(() => [] as string[])) {
    // older versions wrote <name>.<pid>.tmp and <name>.<pid>.<hex>.tmp
    const m = /\.(\d[0-9a-f-]*?)(?:\.[0-9a-f]{8})?\.tmp$/.exec(name);
    if (!m) continue;
    const st = await lstat(join(pool, name)).catch(() => null);
    if (st === null || !st.isFile() || tagOwnsFile(m[1] ?? '', st.mtimeMs)) continue;
    rmSync(join(pool, name), { force: true });
    gone.push(name);
  }
  return gone;
}
