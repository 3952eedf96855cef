// Last-resort cleanup: temp files and folders this process must not leave behind when it dies
// without unwinding (an uncaught exception, a second Ctrl-C). Normal failures clean up in their
// own finally blocks and take their paths off the list; the CLI calls removeRegisteredNow().
import { chmodSync, lstatSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const registered = new Map<symbol, () => void>();

/** Remember `path` (file or folder) for removeRegisteredNow(); call the result once it is gone or kept. */
export function removeOnExit(path: string): () => void {
  return onExit(() => {
    makeRemovable(path);
    rmSync(path, { recursive: true, force: true });
  });
}

/** The same for a synchronous cleanup that is not one path (e.g. files named after this pid). */
export function onExit(cleanup: () => void): () => void {
  const key = Symbol('cleanup');
  registered.set(key, cleanup);
  return () => { registered.delete(key); };
}

/** Synchronously run every registered cleanup, newest first; never throws. */
export function removeRegisteredNow(): void {
  const all = [...registered.values()].reverse();
  registered.clear();
  for (const cleanup of all) {
    try {
      cleanup();
    } catch {
      // best effort: the next run's stale sweep (owner tags) gets what is left in cache/tmp
    }
  }
}

/** read-only directories inside a half-built tree would stop rm as non-root */
function makeRemovable(p: string): void {
  let st;
  try { st = lstatSync(p); } catch { return; }
  if (!st.isDirectory()) return;
  try { chmodSync(p, 0o700); } catch { /* not ours to change: rm reports nothing either */ }
  let names: string[] = [];
  try { names = readdirSync(p); } catch { return; }
  for (const n of names) makeRemovable(join(p, n));
}

/** how many paths are registered (tests) */
export function registeredCount(): number {
  return registered.size;
}
