// What an emulated command sees: the image, the clock, and where to record what it did or
// could not do. Commands never touch the host.
import type { ImageFS } from '../types/imagefs.js';

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

export interface CommandIO {
  stdin: string;
}

export interface CommandResult {
  status: number;
  stdout?: string;
}

/** Per-scriptlet record. */
export class RunRecord {
  readonly actions: string[] = [];
  readonly problems: string[] = [];
  act(what: string): void {
    if (!this.actions.includes(what)) this.actions.push(what);
  }
  problem(why: string): void {
    if (!this.problems.includes(why)) this.problems.push(why);
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

/** Follows symlinks inside the image (relative and absolute) to read a regular file. */
export function readTextFollow(fs: ImageFS, path: string): string | undefined {
  let p = path;
  for (let hops = 0; hops < 40; hops++) {
    const st = fs.lstat(p);
    if (!st) return undefined;
    if (st.type !== 'symlink' || st.linkTarget === undefined) return readText(fs, p);
    p = st.linkTarget.startsWith('/') ? st.linkTarget : joinPath(dirOf(p), st.linkTarget);
  }
  return undefined;
}

export function dirOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

export function joinPath(dir: string, rel: string): string {
  const parts = (dir + '/' + rel).split('/');
  const out: string[] = [];
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return '/' + out.join('/');
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
