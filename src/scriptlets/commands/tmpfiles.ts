// `systemd-tmpfiles --create` for the line types that make things: d/D (directories),
// f/F (files), L (symlinks). Cleanup-only types are skipped as --create does; device nodes,
// copies, attribute changes and specifiers are reported.
import { Accounts } from '../accounts.js';
import type { CommandCtx } from '../context.js';
import { readText } from '../context.js';

const DIRS = ['/etc/tmpfiles.d', '/run/tmpfiles.d', '/usr/lib/tmpfiles.d'];
const CLEANUP_ONLY = new Set(['x', 'X', 'r', 'R', 'e', 'q', 'Q', 'v']);
const ATTRS = new Set(['a', 'A', 'h', 'H', 't', 'T']);

export function tmpfiles(argv: string[], ctx: CommandCtx): number {
  const args = argv.slice(1);
  if (!args.includes('--create')) { ctx.rec.act(`systemd-tmpfiles ${args.join(' ')}: nothing to create`); return 0; }
  const boot = args.includes('--boot');
  const prefixes = args.filter((a) => a.startsWith('--prefix=')).map((a) => a.slice(9));
  const named = args.filter((a) => !a.startsWith('-'));
  const fs = ctx.env.fs;
  const byName = new Map<string, string>();
  for (const d of DIRS) for (const f of fs.list(d)) if (f.endsWith('.conf') && !byName.has(f)) byName.set(f, `${d}/${f}`);
  const files = named.length ? named.map((n) => (n.startsWith('/') ? n : byName.get(n) ?? n)) : [...byName.keys()].sort().map((k) => byName.get(k)!);
  const acc = new Accounts(fs);
  const owner = (u: string | undefined, fallback: string, kind: 'user' | 'group'): string | undefined => {
    if (u === undefined || u === '-') return fallback;
    if (kind === 'user') return /^\d+$/.test(u) ? acc.userById(Number(u))?.[0] : acc.user(u)?.[0];
    return acc.groupRef(u)?.[0];
  };
  for (const file of files) {
    for (const raw of (readText(fs, file) ?? '').split('\n')) {
      const line = raw.trim();
      if (!line || line.startsWith('#')) continue;
      const f = line.split(/\s+/);
      const [typeRaw = '', path = '', mode = '-', user, group, , ...argParts] = f;
      const type = typeRaw.replace(/[-=^~]/g, '');
      if (type.includes('!') && !boot) continue;
      const t = type.replace(/[!+]/g, '');
      if (prefixes.length && !prefixes.some((p) => path.startsWith(p))) continue;
      if (CLEANUP_ONLY.has(t)) continue;
      if (path.includes('%') || argParts.join(' ').includes('%')) { ctx.rec.problem(`tmpfiles: specifiers in ${line}`); continue; }
      if (ATTRS.has(t) || path.startsWith('/proc/') || path.startsWith('/sys/')) continue;
      const u = owner(user, 'root', 'user');
      const g = owner(group, 'root', 'group');
      if (u === undefined || g === undefined) { ctx.rec.problem(`tmpfiles: unknown owner in ${line}`); continue; }
      const m = mode === '-' ? undefined : /^[~]?([0-7]{3,4})$/.exec(mode)?.[1];
      if (mode !== '-' && m === undefined) { ctx.rec.problem(`tmpfiles: mode ${mode} in ${line}`); continue; }
      const st = fs.lstat(path);
      if (t === 'd' || t === 'D') {
        if (!st) { fs.mkdir(path, { mode: m ? parseInt(m, 8) : 0o755, user: u, group: g }); ctx.rec.act(`tmpfiles: mkdir ${path}`); }
      } else if (t === 'f' || t === 'F') {
        if (!st || t === 'F') {
          fs.writeFile(path, argParts.length ? argParts.join(' ').replace(/\\n/g, '\n') : '', { mode: m ? parseInt(m, 8) : 0o644, user: u, group: g });
          ctx.rec.act(`tmpfiles: file ${path}`);
        }
      } else if (t === 'L') {
        const target = argParts.join(' ') || `/usr/share/factory${path}`;
        if (!st || type.includes('+')) { fs.remove(path); fs.symlink(target, path); ctx.rec.act(`tmpfiles: symlink ${path} -> ${target}`); }
      } else if (t === 'w') continue;
      else ctx.rec.problem(`tmpfiles: ${line}`);
    }
  }
  return 0;
}
