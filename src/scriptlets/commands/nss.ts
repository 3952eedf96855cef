// getent and id answered from the image's account files (what glibc's "files" NSS source
// would answer inside the chroot), so `getent passwd foo || useradd ...` guards work.
import { lookupAccounts } from '../accounts.js';
import { getopt } from '../context.js';
import type { CommandCtx, CommandResult } from '../context.js';

export function getent(argv: string[], ctx: CommandCtx): CommandResult {
  const db = argv[1];
  if (db !== 'passwd' && db !== 'group' && db !== 'shadow' && db !== 'gshadow') {
    ctx.rec.problem(`getent ${argv.slice(1).join(' ')}`);
    return { status: 0 };
  }
  const acc = lookupAccounts(ctx.env.fs);
  const keys = argv.slice(2);
  const rows = acc.rows(db);
  if (keys.length === 0) return { status: 0, stdout: rows.map((r) => r.join(':') + '\n').join('') };
  const out: string[] = [];
  for (const k of keys) {
    const numeric = /^\d+$/.test(k) && (db === 'passwd' || db === 'group');
    const row = rows.find((r) => (numeric ? r[2] === k : r[0] === k));
    if (!row) return { status: 2, stdout: out.join('') };
    out.push(row.join(':') + '\n');
  }
  return { status: 0, stdout: out.join('') };
}

export function id(argv: string[], ctx: CommandCtx): CommandResult {
  const { opts, rest, bad } = getopt(argv.slice(1), '', { user: 'u', group: 'g', groups: 'G', name: 'n', real: 'r' });
  if (bad !== undefined || rest.length !== 1) {
    ctx.rec.problem(`id ${argv.slice(1).join(' ')} (the invoking user)`);
    return { status: 0 };
  }
  const acc = lookupAccounts(ctx.env.fs);
  const pw = /^\d+$/.test(rest[0]!) ? acc.userById(Number(rest[0])) : acc.user(rest[0]!);
  if (!pw) return { status: 1 };
  const flags = new Set(opts.map((o) => o.k));
  const gname = acc.groupById(Number(pw[3]))?.[0] ?? pw[3]!;
  if (flags.has('u')) return { status: 0, stdout: (flags.has('n') ? pw[0] : pw[2]) + '\n' };
  if (flags.has('g')) return { status: 0, stdout: (flags.has('n') ? gname : pw[3]) + '\n' };
  return { status: 0, stdout: `uid=${pw[2]}(${pw[0]}) gid=${pw[3]}(${gname}) groups=${pw[3]}(${gname})\n` };
}
