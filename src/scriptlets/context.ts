// What an emulated command sees: the image, the clock, and where to record what it did or
// could not do. Commands never touch the host.
import type { ImageFS, ImageStat, WriteOptions } from '../types/imagefs.js';
import { resolvePath } from './image-path.js';

export { dirOf, joinPath } from './image-path.js';

export interface EmulationEnv {
  fs: ImageFS;
  /** seconds since the epoch (SOURCE_DATE_EPOCH): shadow's lastchg and nothing else */
  now: number;
  /** armored keys from `rpm --import` */
  pubkeys: string[];
  /** names of all packages in the transaction (trigger conditions, `rpm -q`) */
  installed: Set<string>;
  /** --install-langs (undefined = all): locale-archive cannot be filtered, so it is reported */
  installLangs?: string[];
  /** set by ldconfig and friends: the cache is built once, after the last scriptlet */
  ldconfig?: { links: boolean; cache: boolean; extraDirs: string[] };
}

/**
 * The image as scriptlets change it, counting the changes: what is parsed from its files (the
 * account tables) is parsed again only when `changes` moved. Every write of a run goes through it.
 */
export class CountingFS implements ImageFS {
  changes = 0;
  constructor(private readonly inner: ImageFS) {}
  exists(path: string): boolean { return this.inner.exists(path); }
  readFile(path: string): Uint8Array | undefined { return this.inner.readFile(path); }
  list(dir: string): string[] { return this.inner.list(dir); }
  lstat(path: string): ImageStat | undefined { return this.inner.lstat(path); }
  writeFile(path: string, data: Uint8Array | string, opts?: WriteOptions): void { this.changes++; this.inner.writeFile(path, data, opts); }
  symlink(target: string, path: string, opts?: WriteOptions): void { this.changes++; this.inner.symlink(target, path, opts); }
  mkdir(path: string, opts?: WriteOptions): void { this.changes++; this.inner.mkdir(path, opts); }
  remove(path: string): void { this.changes++; this.inner.remove(path); }
  chmod(path: string, mode: number): void { this.inner.chmod(path, mode); }
  chown(path: string, user: string, group: string): void { this.inner.chown(path, user, group); }
}

export interface CommandIO {
  stdin: string;
}

export interface CommandResult {
  status: number;
  stdout?: string;
}

/** the longest problem, action or first line kept for a scriptlet's report, in characters */
export const REPORT_BOUND = 300;
/** distinct problems kept per scriptlet; further ones are only counted */
const MAX_PROBLEMS = 10;

/**
 * `s` in at most `max` characters, cut with an ellipsis and its full length: text a package
 * controls (a command line, a value it echoes) must not make a report of megabytes.
 */
export function bounded(s: string, max = REPORT_BOUND): string {
  if (s.length <= max) return s;
  const tail = `… (${s.length} chars)`;
  let cut = max - tail.length;
  if (/[\uD800-\uDBFF]/.test(s[cut - 1] ?? '')) cut--;
  return s.slice(0, cut) + tail;
}

/** one reason line from several problems, each bounded, at most MAX_PROBLEMS of them */
export function reasonOf(problems: readonly string[], unlisted = 0): string {
  const shown = problems.slice(0, MAX_PROBLEMS).map((p) => bounded(p));
  const more = unlisted + Math.max(0, problems.length - MAX_PROBLEMS);
  return [...shown, ...(more ? [`${more} more not listed`] : [])].join('; ');
}

/** Per-scriptlet record: what was done, and what was not reproduced (bounded as it is made). */
export class RunRecord {
  readonly actions: string[] = [];
  readonly problems: string[] = [];
  /** problems past MAX_PROBLEMS, counted only */
  private unlisted = 0;
  act(what: string): void {
    const b = bounded(what);
    if (!this.actions.includes(b)) this.actions.push(b);
  }
  problem(why: string): void {
    const b = bounded(why);
    if (this.problems.includes(b)) return;
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(b);
    else this.unlisted++;
  }
  /** what the report gives as the scriptlet's reason */
  reason(): string {
    return reasonOf(this.problems, this.unlisted);
  }
}

export interface CommandCtx {
  env: EmulationEnv;
  rec: RunRecord;
  io: CommandIO;
}

export type CommandFn = (argv: string[], ctx: CommandCtx) => CommandResult | number;

export const ok = 0;

export function base(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

export function dec(data: Uint8Array | undefined): string | undefined {
  return data === undefined ? undefined : new TextDecoder().decode(data);
}

export function readText(fs: ImageFS, path: string): string | undefined {
  return dec(fs.readFile(path));
}

/** the text of the regular file `path` leads to in the image */
export function readTextFollow(fs: ImageFS, path: string): string | undefined {
  const p = resolvePath(fs, path);
  return p === undefined ? undefined : readText(fs, p);
}

/** getopt-style parser for the account tools: short flags, bundled (-rM), values attached or separate, long --opt[=v]. */
export function getopt(
  argv: string[],
  withValue: string,
  long: Record<string, string> = {},
): { opts: { k: string; v: string }[]; rest: string[]; bad?: string } {
  const opts: { k: string; v: string }[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { rest.push(...argv.slice(i + 1)); break; }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const k = long[name];
      if (k === undefined) return { opts, rest, bad: a };
      if (withValue.includes(k)) {
        const v = eq < 0 ? argv[++i] : a.slice(eq + 1);
        if (v === undefined) return { opts, rest, bad: a };
        opts.push({ k, v });
      } else opts.push({ k, v: '' });
    } else if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const k = a[j]!;
        if (withValue.includes(k)) {
          const v = j + 1 < a.length ? a.slice(j + 1) : argv[++i];
          if (v === undefined) return { opts, rest, bad: a };
          opts.push({ k, v });
          break;
        }
        opts.push({ k, v: '' });
      }
    } else rest.push(a);
  }
  return { opts, rest };
}
