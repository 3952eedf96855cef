// --run-scriptlets=userns: the escape hatch for scriptlets emulation did not reproduce. They run
// in rpm's order, each as rpm would run it (interpreter, the scriptlet in a file, $1/$2, file
// triggers' paths on stdin), chrooted into the image written out to a temporary directory,
// inside an unprivileged user namespace; what they change is read back into the image.
// Ids: as root the namespace maps 0-65535 onto the same host ids, so owners survive both ways;
// otherwise newuidmap/newgidmap map the user's /etc/subuid range, and without one only root
// exists inside (chown to anyone else fails there, which is reported).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { RfsError } from '../../errors/index.js';
import type { ImageFS } from '../../types/imagefs.js';
import { statFollow } from '../image-path.js';
import { materialise, readBack } from './tree.js';
import type { IdMapping } from './tree.js';

export interface PendingScriptlet {
  nevra: string;
  scriptlet: string;
  prog: string[];
  body: string;
  args: string[];
  stdin: string;
}

export interface UsernsOutcome {
  nevra: string;
  scriptlet: string;
  status: number;
  changes: string[];
  problems: string[];
}

type Mode = { kind: 'root' } | { kind: 'subids'; uid: [number, number]; gid: [number, number] } | { kind: 'single' };

/**
 * host /bin/sh: start the scriptlet's process in a new user (and pid) namespace, map its ids,
 * let it chroot. It runs in a process group of its own, which a timeout kills whole (exec with
 * capabilities clears a parent-death signal, so --kill-child would not reach it).
 */
const LAUNCHER = `root=$1; mapping=$2; shift 2
exec 3<&0
setsid unshare --user --pid --fork -- /bin/sh -c 'until read -r l < /proc/self/uid_map; do sleep 0.01; done; exec chroot "$0" "$@"' "$root" "$@" <&3 &
pid=$!
trap 'kill -KILL -$pid 2>/dev/null; exit 124' TERM INT
self=$(readlink /proc/self/ns/user)
n=0
while [ "$(readlink /proc/$pid/ns/user 2>/dev/null)" = "$self" ] && [ $n -lt 1000 ]; do sleep 0.01; n=$((n+1)); done
set -- $mapping
case $1 in
  root) echo "0 0 65536" > /proc/$pid/uid_map && echo "0 0 65536" > /proc/$pid/gid_map ;;
  subids) newuidmap $pid 0 $2 1 1 $3 $4 && newgidmap $pid 0 $5 1 1 $6 $7 ;;
  single) echo deny > /proc/$pid/setgroups && echo "0 $2 1" > /proc/$pid/uid_map && echo "0 $5 1" > /proc/$pid/gid_map ;;
esac || { kill $pid; echo "rootfs-assemble: cannot map ids into the user namespace" >&2; exit 125; }
wait $pid
`;

function subRange(file: string, user: string, id: number): [number, number] | undefined {
  if (!existsSync(file)) return undefined;
  for (const l of readFileSync(file, 'utf8').split('\n')) {
    const [who, start, count] = l.trim().split(':');
    if ((who === user || who === String(id)) && /^\d+$/.test(start ?? '') && /^\d+$/.test(count ?? '')) return [Number(start), Number(count)];
  }
  return undefined;
}

function which(cmd: string): boolean {
  return spawnSync('/bin/sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Whether unprivileged user namespaces work here, and how ids can be mapped. */
export function detectUserns(): { ok: true; mode: Mode; mapping: IdMapping } | { ok: false; reason: string } {
  if (process.platform !== 'linux') return { ok: false, reason: `user namespaces are a Linux feature (this is ${process.platform})` };
  for (const cmd of ['unshare', 'chroot', 'setsid']) if (!which(cmd)) return { ok: false, reason: `${cmd} (util-linux/coreutils) is not installed on this host` };
  const probe = spawnSync('unshare', ['--user', '--map-root-user', 'true'], { encoding: 'utf8' });
  if (probe.status !== 0) return { ok: false, reason: `unshare --user fails here: ${(probe.stderr || probe.error?.message || `exit ${probe.status}`).trim()}` };
  const uid = process.getuid?.() ?? -1;
  const gid = process.getgid?.() ?? -1;
  if (uid === 0) return { ok: true, mode: { kind: 'root' }, mapping: { uid: [{ inner: 0, outer: 0, count: 65536 }], gid: [{ inner: 0, outer: 0, count: 65536 }], chownable: true } };
  const name = userInfo().username;
  const su = subRange('/etc/subuid', name, uid);
  const sg = subRange('/etc/subgid', name, uid);
  if (su && sg && which('newuidmap') && which('newgidmap')) {
    return {
      ok: true,
      mode: { kind: 'subids', uid: su, gid: sg },
      mapping: { uid: [{ inner: 0, outer: uid, count: 1 }, { inner: 1, outer: su[0], count: su[1] }], gid: [{ inner: 0, outer: gid, count: 1 }, { inner: 1, outer: sg[0], count: sg[1] }], chownable: false },
    };
  }
  return { ok: true, mode: { kind: 'single' }, mapping: { uid: [{ inner: 0, outer: uid, count: 1 }], gid: [{ inner: 0, outer: gid, count: 1 }], chownable: false } };
}

function mappingArg(mode: Mode): string {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  if (mode.kind === 'root') return 'root';
  if (mode.kind === 'subids') return `subids ${uid} ${mode.uid[0]} ${mode.uid[1]} ${gid} ${mode.gid[0]} ${mode.gid[1]}`;
  return `single ${uid} 0 0 ${gid}`;
}

/** whether `path` leads to a regular file in the image */
function imageFile(fs: ImageFS, path: string): boolean {
  const t = statFollow(fs, path)?.type;
  return t === 'file' || t === 'hardlink';
}

/** files made by mapped sub-ids cannot be deleted from outside: then remove them from inside */
function removeTree(dir: string, mode: Mode): void {
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    spawnSync('/bin/sh', ['-c', LAUNCHER, 'rfs-userns', '/', mappingArg(mode), 'rm', '-rf', dir], { stdio: 'ignore', timeout: 120_000 });
  }
}

export interface UsernsOptions {
  /** parent of the temporary directory the image is written to (default: the OS temp dir) */
  tmpDir?: string;
  /** per scriptlet (default 10 minutes) */
  timeoutMs?: number;
}

/** Runs `pending` in order inside a user namespace + chroot of `fs`; changes go back into `fs`. */
export function runInUserns(fs: ImageFS, pending: PendingScriptlet[], opts: UsernsOptions = {}): UsernsOutcome[] {
  if (pending.length === 0) return [];
  const det = detectUserns();
  if (!det.ok) {
    throw new RfsError('RFS_USERNS_UNAVAILABLE', `running scriptlets in a user namespace: ${det.reason}`, {
      subject: pending.map((p) => `${p.nevra} %${p.scriptlet}`).join(', '),
      hint: 'enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1 or user.max_user_namespaces > 0; inside a container, run it with --security-opt seccomp=unconfined or a userns-capable runtime), or leave out --run-scriptlets=userns and use the report of unreproduced scriptlets',
    });
  }
  const dir = mkdtempSync(join(opts.tmpDir ?? tmpdir(), 'rfs-userns-'));
  const out: UsernsOutcome[] = [];
  try {
    let snap = materialise(fs, dir, det.mapping);
    for (const p of pending) {
      const interp = p.prog[0] ?? '/bin/sh';
      if (interp === '<lua>') {
        out.push({ nevra: p.nevra, scriptlet: p.scriptlet, status: 0, changes: [], problems: ['a <lua> scriptlet runs inside rpm itself; there is no interpreter in the image to run it with'] });
        continue;
      }
      if (!imageFile(fs, interp)) {
        throw new RfsError('RFS_SCRIPTLET_EXEC', `running %${p.scriptlet} of ${p.nevra} in a user namespace: its interpreter ${interp} is not in the image`, {
          subject: p.nevra,
          hint: `install the package that provides ${interp}, or leave out --run-scriptlets=userns`,
        });
      }
      const script = '/.rfs-scriptlet';
      const argv = p.body.trim() === '' ? [...p.prog, ...p.args] : [...p.prog, script, ...p.args];
      if (p.body.trim() !== '') writeFileSync(join(dir, script), p.body, { mode: 0o700 });
      const timeoutMs = opts.timeoutMs ?? 600_000;
      const r = spawnSync('/bin/sh', ['-c', LAUNCHER, 'rfs-userns', dir, mappingArg(det.mode), ...argv], {
        input: p.stdin, encoding: 'utf8', timeout: timeoutMs,
        // rpm's scriptlet PATH; the launcher finds unshare/chroot there too
        env: { PATH: '/sbin:/bin:/usr/sbin:/usr/bin', LANG: 'C' },
      });
      rmSync(join(dir, script), { force: true });
      const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
      const status = timedOut ? 124 : r.status ?? 128;
      const stderr = (r.stderr ?? '').trim();
      if ((r.error && !timedOut) || status === 125 || ((status === 126 || status === 127) && /^chroot: /m.test(stderr))) {
        throw new RfsError('RFS_SCRIPTLET_EXEC', `running %${p.scriptlet} of ${p.nevra} in a user namespace: ${r.error?.message ?? (stderr.split('\n').pop() || `exit ${status}`)}`, {
          subject: p.nevra,
          hint: "the image's programs could not be started here (a different architecture, a kernel too new for an old libc, or missing libraries); leave out --run-scriptlets=userns and use the report of unreproduced scriptlets",
          details: { status, stderr },
        });
      }
      const back = readBack(fs, dir, snap, det.mapping);
      snap = back.after;
      const problems = [...back.problems];
      if (timedOut) problems.push(`did not finish within ${Math.round(timeoutMs / 1000)} s in the user namespace (killed)`);
      else if (status !== 0) problems.push(`exits ${status} in the user namespace${stderr ? `: ${stderr.split('\n').slice(-3).join(' | ')}` : ''}`);
      if (status !== 0 && det.mode.kind === 'single' && /chown|Invalid argument/.test(stderr)) {
        problems.push('only root is mapped in this user namespace (no /etc/subuid range): other owners cannot be represented');
      }
      out.push({ nevra: p.nevra, scriptlet: p.scriptlet, status, changes: back.changes, problems });
    }
  } finally {
    removeTree(dir, det.mode);
  }
  return out;
}
