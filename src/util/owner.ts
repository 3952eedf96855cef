// Which process owns a temp file or folder, written into its name: the pid plus what makes that pid
// unique over time on Linux (start time in clock ticks since boot, boot id, pid namespace), so a
// later run can tell what a killed process left from what a live build is using, even once the
// pid has been reused. Elsewhere only the pid is recorded and liveness is kill(pid, 0).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readlinkSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Owner {
  pid: number;
  /** /proc/<pid>/stat field 22 (starttime) */
  start?: string;
  /** first 8 hex digits of /proc/sys/kernel/random/boot_id */
  boot?: string;
  /** inode of /proc/self/ns/pid */
  ns?: string;
}

function read(path: string): string | null {
  try { return readFileSync(path, 'utf8'); } catch { return null; }
}

/** starttime of `pid`, or null when no such process (or no /proc) */
export function processStart(pid: number): string | null {
  const stat = read(`/proc/${pid}/stat`);
  if (stat === null) return null;
  // field 2 (comm) may hold spaces and parentheses: count from the last ')'; rest[0] is field 3
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
}

function bootId(): string | null {
  const b = read('/proc/sys/kernel/random/boot_id');
  return b === null ? null : b.replace(/[^0-9a-f]/g, '').slice(0, 8) || null;
}

function pidNamespace(): string | null {
  try { return /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1] ?? null; } catch { return null; }
}

let self: Owner | null = null;

export function currentOwner(): Owner {
  if (self) return self;
  const start = processStart(process.pid);
  const boot = bootId();
  const ns = pidNamespace();
  self = start !== null && boot !== null && ns !== null ? { pid: process.pid, start, boot, ns } : { pid: process.pid };
  return self;
}

/** `<pid>-<start>-<boot>-<ns>` on Linux, `<pid>` elsewhere: safe in a file name */
export function ownerTag(o: Owner = currentOwner()): string {
  return o.start !== undefined && o.boot !== undefined && o.ns !== undefined ? `${o.pid}-${o.start}-${o.boot}-${o.ns}` : `${o.pid}`;
}

/**
 * Write `path` whole or not at all: through `<path>.<owner>.<hex>.tmp` beside it, renamed into place
 * (a killed writer's temp is swept by the next build, see assemble/workdir.ts).
 */
export function writeViaOwnedTemp(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${ownerTag()}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/**
 * Whether a temp file named with `tag` (an ownerTag(), or a bare pid from older versions) may
 * still be in use: a bare pid is judged with the file's mtime (pidOwnsFile).
 */
export function tagOwnsFile(tag: string, mtimeMs: number): boolean {
  const o = parseOwnerTag(tag);
  if (o === null) return true; // not ours to judge
  return o.start === undefined ? pidOwnsFile(o.pid, mtimeMs) : ownerAlive(o);
}

/** The owner recorded by ownerTag(), or null if `tag` is not one. */
export function parseOwnerTag(tag: string): Owner | null {
  const m = /^(\d{1,10})(?:-(\d{1,20})-([0-9a-f]{8})-(\d{1,20}))?$/.exec(tag);
  if (!m) return null;
  const pid = Number(m[1]);
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  return m[2] !== undefined && m[3] !== undefined && m[4] !== undefined ? { pid, start: m[2], boot: m[3], ns: m[4] } : { pid };
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, someone else's
  }
}

/**
 * Whether `o` may still be running. Errs on the side of alive: a process in another pid namespace
 * (a container sharing the cache) cannot be looked up, so it counts as alive.
 */
export function ownerAlive(o: Owner): boolean {
  const me = currentOwner();
  if (o.pid === me.pid && o.start === me.start && o.boot === me.boot) return true;
  if (o.start !== undefined && me.start !== undefined) {
    if (o.ns !== me.ns) return true;
    if (o.boot !== me.boot) return false; // rebooted since
    return processStart(o.pid) === o.start;
  }
  return pidExists(o.pid);
}

/**
 * For names that record only a pid (the fetcher's `<pid>-<hex>.part`): alive when that pid runs
 * and the process holding it started before the file was last written (else the pid was reused).
 */
export function pidOwnsFile(pid: number, mtimeMs: number): boolean {
  if (pid === process.pid) return true;
  if (!pidExists(pid)) return false;
  const started = startedAtMs(pid);
  // btime has 1 s resolution: 2 s of slack
  return started === null || started <= mtimeMs + 2000;
}

/** wall-clock start of `pid` (Linux; USER_HZ is 100 on every architecture Node runs on) */
function startedAtMs(pid: number): number | null {
  const ticks = processStart(pid);
  const btime = /^btime (\d+)$/m.exec(read('/proc/stat') ?? '')?.[1];
  if (ticks === null || btime === undefined) return null;
  return Number(btime) * 1000 + Number(ticks) * 10;
}
