// sysusers.d lines (u, g, m, r) applied as systemd-sysusers does: ids from the top of the
// system range downward, a user's group sharing its id when free, "!*" locked passwords.
// Used for `systemd-sysusers` in scriptlets and for rpm >= 4.19's user()/group() provides.
import { Accounts } from '../accounts.js';
import { addMember } from './useradd.js';
import type { CommandCtx } from '../context.js';
import { readText } from '../context.js';

const DIRS = ['/etc/sysusers.d', '/run/sysusers.d', '/usr/lib/sysusers.d'];

/** Split a sysusers line into fields, honouring double and single quotes. */
export function splitFields(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2] ?? m[3]!);
  return out;
}

export interface SysusersResult { actions: string[]; problems: string[] }

export function applySysusers(text: string, acc: Accounts, now: number, nologin: string): SysusersResult {
  const res: SysusersResult = { actions: [], problems: [] };
  let range: [number, number] | undefined;
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const sysRange = (): [number, number] => range ?? [acc.defNum('SYS_UID_MIN', 1), acc.defNum('SYS_UID_MAX', acc.defNum('UID_MIN', 1000) - 1)];
  const freeBoth = (prefer?: number): number | undefined => {
    const [lo, hi] = sysRange();
    if (prefer !== undefined && !acc.userById(prefer) && !acc.groupById(prefer)) return prefer;
    for (let id = hi; id >= lo; id--) if (!acc.userById(id) && !acc.groupById(id)) return id;
    return undefined;
  };
  const freeIn = (taken: (id: number) => unknown): number | undefined => {
    const [lo, hi] = sysRange();
    for (let id = hi; id >= lo; id--) if (!taken(id)) return id;
    return undefined;
  };
  const addGroup = (name: string, gid: number): void => {
    acc.add('group', [name, 'x', String(gid), '']);
    acc.add('gshadow', [name, '!*', '', '']);
    res.actions.push(`group ${name} gid=${gid}`);
  };
  // sysusers handles r first, then all g lines and the groups of u lines, then users, then m
  for (const l of lines) {
    const [type, , id] = splitFields(l);
    if (type === 'r' && id) {
      const m = /^(\d+)(?:-(\d+))?$/.exec(id);
      if (m) range = [Number(m[1]), Number(m[2] ?? m[1])];
    }
  }
  const users: string[][] = [];
  for (const l of lines) {
    const f = splitFields(l);
    const [type, name = '', id = '-'] = f;
    if (type === 'r') continue;
    if (type === 'g') {
      if (acc.group(name)) continue;
      if (id.startsWith('/')) { res.problems.push(`sysusers: id from path ${id}`); continue; }
      const want = id === '-' ? undefined : Number(id);
      const gid = want !== undefined && !acc.groupById(want) ? want : freeIn((x) => acc.groupById(x));
      if (gid === undefined) { res.problems.push(`sysusers: no free gid for ${name}`); continue; }
      addGroup(name, gid);
    } else if (type === 'u') users.push(f);
    else if (type === 'm') continue;
    else res.problems.push(`sysusers line: ${l}`);
  }
  for (const f of users) {
    const [, name = '', id = '-', gecos = '', home = '/', shell] = f;
    if (acc.user(name)) continue;
    if (id.startsWith('/')) { res.problems.push(`sysusers: id from path ${id}`); continue; }
    const [uidPart, gidPart] = id.split(':') as [string, string | undefined];
    let uid = uidPart === '-' ? undefined : Number(uidPart);
    if (uid !== undefined && acc.userById(uid)) uid = undefined;
    let gid: number | undefined;
    if (gidPart !== undefined) {
      const g = acc.groupRef(gidPart);
      if (!g) { res.problems.push(`sysusers: group ${gidPart} of ${name} is missing`); continue; }
      gid = Number(g[2]);
    } else if (acc.group(name)) gid = Number(acc.group(name)![2]);
    if (uid === undefined) uid = gid !== undefined && !acc.userById(gid) ? gid : gidPart === undefined && !acc.group(name) ? freeBoth() : freeIn((x) => acc.userById(x));
    if (uid === undefined) { res.problems.push(`sysusers: no free uid for ${name}`); continue; }
    if (gid === undefined) {
      gid = acc.groupById(uid) ? freeIn((x) => acc.groupById(x)) : uid;
      if (gid === undefined) { res.problems.push(`sysusers: no free gid for ${name}`); continue; }
      addGroup(name, gid);
    }
    const sh = shell === undefined || shell === '-' ? (uid === 0 ? '/bin/sh' : nologin) : shell;
    acc.add('passwd', [name, 'x', String(uid), String(gid), gecos === '-' ? '' : gecos, home === '-' ? '/' : home, sh]);
    acc.add('shadow', [name, '!*', Accounts.days(now), '', '', '', '', '', '']);
    res.actions.push(`user ${name} uid=${uid} gid=${gid}`);
  }
  for (const l of lines) {
    const [type, user, group] = splitFields(l);
    if (type !== 'm' || !user || !group) continue;
    if (!acc.group(group)) addGroup(group, freeIn((x) => acc.groupById(x)) ?? 0);
    if (!acc.user(user)) { res.problems.push(`sysusers: m line for missing user ${user}`); continue; }
    addMember(acc, group, user);
    res.actions.push(`member ${user} of ${group}`);
  }
  acc.save();
  return res;
}

export function nologinPath(ctx: CommandCtx): string {
  return ctx.env.fs.exists('/usr/sbin/nologin') || !ctx.env.fs.exists('/sbin/nologin') ? '/usr/sbin/nologin' : '/sbin/nologin';
}

/** `systemd-sysusers [--replace=PATH] [-|FILE...]` */
export function systemdSysusers(argv: string[], ctx: CommandCtx): number {
  const fs = ctx.env.fs;
  if (!['/usr/bin/systemd-sysusers', '/bin/systemd-sysusers'].some((p) => fs.exists(p))) {
    ctx.rec.act('systemd-sysusers is not in the image (command not found)');
    return 127;
  }
  const files = argv.slice(1).filter((a) => !a.startsWith('--'));
  let text = '';
  if (files.length === 0) {
    const byName = new Map<string, string>();
    for (const d of DIRS) for (const f of fs.list(d)) if (f.endsWith('.conf') && !byName.has(f)) byName.set(f, `${d}/${f}`);
    for (const f of [...byName.keys()].sort()) text += (readText(fs, byName.get(f)!) ?? '') + '\n';
  } else {
    for (const f of files) text += (f === '-' ? ctx.io.stdin : readText(fs, f) ?? '') + '\n';
  }
  const res = applySysusers(text, new Accounts(fs), ctx.env.now, nologinPath(ctx));
  for (const a of res.actions) ctx.rec.act(`sysusers: ${a}`);
  for (const p of res.problems) ctx.rec.problem(p);
  return 0;
}
