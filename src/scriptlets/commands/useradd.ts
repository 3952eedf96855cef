// useradd / groupadd / usermod / gpasswd / getent / id, as shadow-utils and glibc do them,
// on the image's account files. Exit codes are shadow-utils' so `|| :` and `||` chains behave.
import { Accounts, parseUseraddDefaults } from '../accounts.js';
import { getopt, joinPath, readText } from '../context.js';
import type { CommandCtx } from '../context.js';

const USERADD_LONG: Record<string, string> = {
  'base-dir': 'b', comment: 'c', home: 'd', 'home-dir': 'd', expiredate: 'e', inactive: 'f', gid: 'g', groups: 'G',
  skel: 'k', key: 'K', 'no-log-init': 'l', 'create-home': 'm', 'no-create-home': 'M', 'no-user-group': 'N',
  'non-unique': 'o', password: 'p', system: 'r', root: 'R', prefix: 'P', shell: 's', uid: 'u', 'user-group': 'U',
  selinux: 'Z', 'selinux-user': 'Z',
};

function overrideDefs(acc: Accounts, opts: { k: string; v: string }[]): void {
  for (const o of opts) {
    if (o.k !== 'K') continue;
    const eq = o.v.indexOf('=');
    if (eq > 0) acc.defs.set(o.v.slice(0, eq), o.v.slice(eq + 1));
  }
}

/** a form we do not model: reported, and exit 2 as shadow-utils does for bad usage */
function usage(argv: string[], ctx: CommandCtx): number {
  ctx.rec.problem(`${argv.join(' ')}: usage not emulated`);
  return 2;
}

/**
 * shadow-utils rejects a home or base directory that holds ':' or a newline (it would break the
 * passwd line) or is not absolute: what it prints is the problem, and it exits 3 (E_BAD_ARG).
 */
function badDir(ctx: CommandCtx, dir: string | undefined, invalid: string, relative = invalid): boolean {
  if (dir === undefined || (dir.startsWith('/') && !/[:\n]/.test(dir))) return false;
  ctx.rec.problem((/[:\n]/.test(dir) ? invalid : relative).replace('%s', dir));
  return true;
}

export function useradd(argv: string[], ctx: CommandCtx): number {
  const { opts, rest, bad } = getopt(argv.slice(1), 'bcdefgGkKpRPsuZ', USERADD_LONG);
  if (bad !== undefined || rest.length !== 1 || opts.some((o) => o.k === 'D')) return usage(argv, ctx);
  if (opts.some((o) => o.k === 'R' || o.k === 'P')) { ctx.rec.problem('useradd --root/--prefix'); return 2; }
  const name = rest[0]!;
  const o = new Map(opts.map((x) => [x.k, x.v]));
  const has = (k: string): boolean => o.has(k);
  if (badDir(ctx, o.get('d'), "useradd: invalid home directory '%s'") || badDir(ctx, o.get('b'), "useradd: invalid base directory '%s'")) return 3;
  const fs = ctx.env.fs;
  const acc = new Accounts(fs);
  overrideDefs(acc, opts);
  const dflt = parseUseraddDefaults(readText(fs, '/etc/default/useradd'));
  if (acc.user(name)) return 9;
  const system = has('r');

  let gid: number;
  let makeGroup = false;
  if (has('g')) {
    const g = acc.groupRef(o.get('g')!);
    if (!g) return 6;
    gid = Number(g[2]);
  } else if (has('N') || (!has('U') && !acc.defBool('USERGROUPS_ENAB', true))) {
    gid = Number(dflt.get('GROUP') ?? '100');
  } else {
    if (acc.group(name)) return 9;
    makeGroup = true;
    gid = -1;
  }
  const extra: string[][] = [];
  for (const ref of (o.get('G') ?? '').split(',').filter(Boolean)) {
    const g = acc.groupRef(ref);
    if (!g) return 6;
    extra.push(g);
  }

  let uid: number;
  if (has('u')) {
    uid = Number(o.get('u'));
    if (!Number.isInteger(uid) || uid < 0) return 3;
    if (acc.userById(uid) && !has('o')) return 4;
  } else {
    const u = acc.newUid(system);
    if (u === undefined) return 4;
    uid = u;
  }
  if (makeGroup) {
    const g = acc.newGid(system, uid);
    if (g === undefined) return 4;
    gid = g;
    addGroupRows(acc, name, gid, []);
  }

  const home = o.get('d') ?? joinPath(o.get('b') ?? dflt.get('HOME') ?? '/home', name);
  const shell = o.get('s') ?? dflt.get('SHELL') ?? '';
  acc.add('passwd', [name, acc.hasShadow() ? 'x' : '!!', String(uid), String(gid), o.get('c') ?? '', home, shell]);
  const aging = system ? ['', '', ''] : ['PASS_MIN_DAYS', 'PASS_MAX_DAYS', 'PASS_WARN_AGE'].map((k) => acc.defs.get(k) ?? '');
  const inactive = o.get('f') ?? dflt.get('INACTIVE') ?? '-1';
  const expire = o.get('e') ?? dflt.get('EXPIRE') ?? '';
  acc.add('shadow', [name, o.get('p') ?? '!!', Accounts.days(ctx.env.now), ...aging, inactive === '-1' ? '' : inactive, expireDays(expire), '']);
  for (const g of extra) addMember(acc, g[0]!, name);
  acc.save();

  const groupName = acc.groupById(gid)?.[0] ?? String(gid);
  const createHome = has('m') || (!has('M') && !system && acc.defBool('CREATE_HOME', false));
  if (createHome && !fs.exists(home)) {
    const umask = acc.defNum('UMASK', 0o022);
    fs.mkdir(home, { mode: acc.defNum('HOME_MODE', 0o777 & ~umask), user: name, group: groupName });
    copySkel(ctx, o.get('k') ?? dflt.get('SKEL') ?? '/etc/skel', home, name, groupName);
    ctx.rec.act(`created home ${home}`);
  }
  if (!system && (dflt.get('CREATE_MAIL_SPOOL') ?? 'no').toLowerCase() === 'yes') {
    const spool = acc.defs.get('MAIL_DIR') ?? '/var/spool/mail';
    const mailGroup = acc.group('mail') ? 'mail' : groupName;
    if (fs.exists(spool)) fs.writeFile(`${spool}/${name}`, '', { mode: acc.group('mail') ? 0o660 : 0o600, user: name, group: mailGroup });
  }
  ctx.rec.act(`useradd ${name} uid=${uid} gid=${gid}`);
  return 0;
}

function expireDays(v: string): string {
  if (v === '' || v === '-1') return '';
  if (/^\d+$/.test(v)) return v;
  const t = Date.parse(v + 'T00:00:00Z');
  return Number.isFinite(t) ? String(Math.floor(t / 86400000)) : '';
}

function addGroupRows(acc: Accounts, name: string, gid: number, members: string[], pass = '!'): void {
  acc.add('group', [name, acc.hasGshadow() ? 'x' : pass, String(gid), members.join(',')]);
  acc.add('gshadow', [name, pass, '', members.join(',')]);
}

export function addMember(acc: Accounts, group: string, user: string): void {
  for (const kind of ['group', 'gshadow'] as const) {
    const row = acc.find(kind, group);
    if (!row) continue;
    const members = (row[3] ?? '').split(',').filter(Boolean);
    if (!members.includes(user)) {
      members.push(user);
      row[3] = members.join(',');
      acc.touch(kind);
    }
  }
}

function copySkel(ctx: CommandCtx, skel: string, home: string, user: string, group: string): void {
  const fs = ctx.env.fs;
  const st = fs.lstat(skel);
  if (st?.type !== 'dir') return;
  for (const child of fs.list(skel)) {
    const src = `${skel}/${child}`;
    const dst = `${home}/${child}`;
    const cs = fs.lstat(src);
    if (!cs) continue;
    if (cs.type === 'dir') {
      fs.mkdir(dst, { mode: cs.mode, user, group });
      copySkel(ctx, src, dst, user, group);
    } else if (cs.type === 'symlink' && cs.linkTarget !== undefined) fs.symlink(cs.linkTarget, dst, { user, group });
    else {
      const data = fs.readFile(src);
      if (data) fs.writeFile(dst, data, { mode: cs.mode, user, group });
    }
  }
}

export function groupadd(argv: string[], ctx: CommandCtx): number {
  const { opts, rest, bad } = getopt(argv.slice(1), 'gKpRP', {
    gid: 'g', force: 'f', key: 'K', 'non-unique': 'o', password: 'p', system: 'r', root: 'R', prefix: 'P',
  });
  if (bad !== undefined || rest.length !== 1) return usage(argv, ctx);
  if (opts.some((o) => o.k === 'R' || o.k === 'P')) { ctx.rec.problem('groupadd --root/--prefix'); return 2; }
  const name = rest[0]!;
  const o = new Map(opts.map((x) => [x.k, x.v]));
  const acc = new Accounts(ctx.env.fs);
  overrideDefs(acc, opts);
  if (acc.group(name)) return o.has('f') ? 0 : 9;
  let gid: number | undefined;
  if (o.has('g')) {
    gid = Number(o.get('g'));
    if (!Number.isInteger(gid) || gid < 0) return 3;
    if (acc.groupById(gid) && !o.has('o')) {
      if (!o.has('f')) return 4;
      gid = undefined;
    }
  }
  gid ??= acc.newGid(o.has('r'));
  if (gid === undefined) return 4;
  addGroupRows(acc, name, gid, [], o.get('p') ?? '!');
  acc.save();
  ctx.rec.act(`groupadd ${name} gid=${gid}`);
  return 0;
}

export function usermod(argv: string[], ctx: CommandCtx): number {
  const { opts, rest, bad } = getopt(argv.slice(1), 'cdefgGlpsuR', {
    append: 'a', comment: 'c', home: 'd', expiredate: 'e', inactive: 'f', gid: 'g', groups: 'G', login: 'l',
    lock: 'L', 'move-home': 'm', 'non-unique': 'o', password: 'p', shell: 's', uid: 'u', unlock: 'U', root: 'R',
  });
  if (bad !== undefined || rest.length !== 1 || opts.some((o) => o.k === 'R')) return usage(argv, ctx);
  const name = rest[0]!;
  const o = new Map(opts.map((x) => [x.k, x.v]));
  if (badDir(ctx, o.get('d'), "usermod: invalid field '%s'", 'usermod: homedir must be an absolute path')) return 3;
  const acc = new Accounts(ctx.env.fs);
  const pw = acc.user(name);
  if (!pw) return 6;
  const sp = acc.find('shadow', name);
  if (o.has('g')) {
    const g = acc.groupRef(o.get('g')!);
    if (!g) return 6;
    pw[3] = g[2]!;
  }
  if (o.has('u')) {
    const uid = Number(o.get('u'));
    if (acc.userById(uid) && acc.userById(uid) !== pw && !o.has('o')) return 4;
    pw[2] = String(uid);
  }
  if (o.has('c')) pw[4] = o.get('c')!;
  if (o.has('d')) pw[5] = o.get('d')!;
  if (o.has('s')) pw[6] = o.get('s')!;
  if (o.has('m')) ctx.rec.problem('usermod -m (moving a home directory)');
  if (o.has('G')) {
    const want = o.get('G')!.split(',').filter(Boolean);
    const rows = want.map((r) => acc.groupRef(r));
    if (rows.some((r) => r === undefined)) return 6;
    const names = rows.map((r) => r![0]!);
    if (!o.has('a')) {
      for (const kind of ['group', 'gshadow'] as const) {
        for (const row of acc.rows(kind)) {
          const members = (row[3] ?? '').split(',').filter(Boolean);
          if (members.includes(name) && !names.includes(row[0]!)) {
            row[3] = members.filter((m) => m !== name).join(',');
            acc.touch(kind);
          }
        }
      }
    }
    for (const g of names) addMember(acc, g, name);
  }
  if (sp) {
    if (o.has('p')) sp[1] = o.get('p')!;
    if (o.has('L') && !sp[1]!.startsWith('!')) sp[1] = '!' + sp[1];
    if (o.has('U') && sp[1]!.startsWith('!') && sp[1]!.length > 1) sp[1] = sp[1]!.slice(1);
    if (o.has('e')) sp[7] = expireDays(o.get('e')!);
    if (o.has('f')) sp[6] = o.get('f') === '-1' ? '' : o.get('f')!;
    acc.touch('shadow');
  }
  if (o.has('l')) {
    const newName = o.get('l')!;
    pw[0] = newName;
    if (sp) sp[0] = newName;
    for (const kind of ['group', 'gshadow'] as const) {
      for (const row of acc.rows(kind)) row[3] = (row[3] ?? '').split(',').map((m) => (m === name ? newName : m)).join(',');
      acc.touch(kind);
    }
  }
  acc.touch('passwd');
  acc.save();
  ctx.rec.act(`usermod ${argv.slice(1).join(' ')}`);
  return 0;
}

export function gpasswd(argv: string[], ctx: CommandCtx): number {
  const a = argv.slice(1);
  const acc = new Accounts(ctx.env.fs);
  if (a.length === 3 && (a[0] === '-a' || a[0] === '-d')) {
    const [flag, user, group] = a as [string, string, string];
    if (!acc.group(group)) return 3;
    if (flag === '-a') addMember(acc, group, user);
    else {
      for (const kind of ['group', 'gshadow'] as const) {
        const row = acc.find(kind, group);
        if (row) { row[3] = (row[3] ?? '').split(',').filter((m) => m && m !== user).join(','); acc.touch(kind); }
      }
    }
    acc.save();
    ctx.rec.act(`gpasswd ${a.join(' ')}`);
    return 0;
  }
  ctx.rec.problem(`gpasswd ${a.join(' ')}`);
  return 0;
}
