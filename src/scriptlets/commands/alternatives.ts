// alternatives / update-alternatives --install in auto mode, as Red Hat's chkconfig does it:
// LINK -> /etc/alternatives/NAME -> PATH for the best priority, slaves likewise, and the state
// file /var/lib/alternatives/NAME in alternatives.c's writeState() layout.
import type { CommandCtx } from '../context.js';
import { readText } from '../context.js';

const ADMIN = '/etc/alternatives';
const STATE = '/var/lib/alternatives';

interface Alt { path: string; priority: number; family?: string; initscript?: string; slaves: Map<string, string> }
interface AltSet { mode: 'auto' | 'manual'; link: string; slaves: { name: string; link: string }[]; alts: Alt[] }

export function parseState(text: string): AltSet | undefined {
  const lines = text.split('\n');
  let i = 0;
  const mode = lines[i++];
  const link = lines[i++];
  if ((mode !== 'auto' && mode !== 'manual') || link === undefined) return undefined;
  const slaves: { name: string; link: string }[] = [];
  while (i < lines.length && lines[i] !== '') {
    slaves.push({ name: lines[i]!, link: lines[i + 1] ?? '' });
    i += 2;
  }
  i++;
  const alts: Alt[] = [];
  while (i < lines.length && lines[i] !== '') {
    const path = lines[i++]!;
    const m = /^(?:@([^@]*)@)?(-?\d+)(?: (.*))?$/.exec(lines[i++] ?? '');
    if (!m) return undefined;
    const alt: Alt = { path, priority: Number(m[2]), slaves: new Map() };
    if (m[1]) alt.family = m[1];
    if (m[3]) alt.initscript = m[3];
    for (const s of slaves) {
      const t = lines[i++] ?? '';
      if (t) alt.slaves.set(s.name, t);
    }
    alts.push(alt);
  }
  return { mode, link, slaves, alts };
}

export function formatState(set: AltSet): string {
  let out = `${set.mode}\n${set.link}\n`;
  for (const s of set.slaves) out += `${s.name}\n${s.link}\n`;
  out += '\n';
  for (const a of set.alts) {
    out += `${a.path}\n${a.family ? `@${a.family}@` : ''}${a.priority}${a.initscript ? ` ${a.initscript}` : ''}\n`;
    for (const s of set.slaves) out += `${a.slaves.get(s.name) ?? ''}\n`;
  }
  return out;
}

export function alternatives(argv: string[], ctx: CommandCtx): number | { status: number; stdout: string } {
  const a = argv.slice(1).filter((x) => x !== '--quiet' && x !== '--verbose');
  const fs = ctx.env.fs;
  if (a[0] === '--remove' && a.length === 3) return remove(ctx, a[1]!, a[2]!);
  if (a[0] === '--display' && a.length === 2) return display(ctx, a[1]!);
  if (a[0] === '--remove' || a[0] === '--config' || a[0] === '--display' || a[0] === '--list') {
    ctx.rec.problem(`alternatives ${a.join(' ')}`);
    return 0;
  }
  if (a[0] === '--set' || a[0] === '--auto') {
    ctx.rec.problem(`alternatives ${a.join(' ')} (manual selection)`);
    return 0;
  }
  if (a[0] !== '--install' || a.length < 5) {
    ctx.rec.problem(`alternatives ${a.join(' ')}`);
    return 2;
  }
  const [, link, name, path, prio] = a as [string, string, string, string, string];
  if (!/^-?\d+$/.test(prio)) return 2;
  const alt: Alt = { path, priority: Number(prio), slaves: new Map() };
  const newSlaves: { name: string; link: string }[] = [];
  for (let i = 5; i < a.length; i++) {
    const opt = a[i]!;
    if ((opt === '--slave' || opt === '--follower') && i + 3 < a.length) {
      newSlaves.push({ link: a[i + 1]!, name: a[i + 2]! });
      alt.slaves.set(a[i + 2]!, a[i + 3]!);
      i += 3;
    } else if (opt === '--initscript' && a[i + 1]) { alt.initscript = a[++i]!; }
    else if (opt === '--family' && a[i + 1]) { alt.family = a[++i]!; }
    else { ctx.rec.problem(`alternatives option ${opt}`); return 2; }
  }
  const statePath = `${STATE}/${name}`;
  const existing = readText(fs, statePath);
  const set: AltSet = (existing !== undefined ? parseState(existing) : undefined) ?? { mode: 'auto', link, slaves: [], alts: [] };
  for (const s of newSlaves) if (!set.slaves.some((x) => x.name === s.name)) set.slaves.push(s);
  const at = set.alts.findIndex((x) => x.path === path);
  if (at >= 0) set.alts[at] = alt;
  else set.alts.push(alt);

  apply(ctx, name, set, existing === undefined);
  return 0;
}

/** write the state file and point the links at the chosen alternative (best priority in auto mode) */
function apply(ctx: CommandCtx, name: string, set: AltSet, fresh: boolean): void {
  const fs = ctx.env.fs;
  const statePath = `${STATE}/${name}`;
  let best = 0;
  set.alts.forEach((x, i) => { if (x.priority > set.alts[best]!.priority) best = i; });
  const chosen = set.mode === 'auto' ? set.alts[best]! : set.alts.find((x) => x.path === readLink(ctx, `${ADMIN}/${name}`)) ?? set.alts[best]!;

  if (!fs.exists(STATE)) fs.mkdir(STATE);
  if (!fs.exists(ADMIN)) fs.mkdir(ADMIN);
  fs.writeFile(statePath, formatState(set), fresh ? { mode: 0o644 } : {});
  const setLink = (linkPath: string, admin: string, target: string | undefined): boolean => {
    const cur = fs.lstat(linkPath);
    if (cur && cur.type !== 'symlink') { ctx.rec.problem(`alternatives: ${linkPath} is a ${cur.type}, not replaced`); return false; }
    fs.remove(admin);
    if (target === undefined) {
      fs.remove(linkPath);
      return true;
    }
    fs.symlink(target, admin);
    if (!cur || cur.linkTarget !== admin) { fs.remove(linkPath); fs.symlink(admin, linkPath); }
    return true;
  };
  setLink(set.link, `${ADMIN}/${name}`, chosen.path);
  for (const s of set.slaves) setLink(s.link, `${ADMIN}/${s.name}`, chosen.slaves.get(s.name));
  ctx.rec.act(`alternatives ${name} -> ${chosen.path}`);
}

/**
 * --remove NAME PATH (chkconfig's removeService): a path that is not in the set leaves all as it
 * is (status 2); removing the current one returns the set to auto mode; removing the last one
 * removes the links and the state file.
 */
function remove(ctx: CommandCtx, name: string, path: string): number {
  const fs = ctx.env.fs;
  const statePath = `${STATE}/${name}`;
  const text = readText(fs, statePath);
  if (text === undefined) { ctx.rec.act(`alternatives --remove ${name}: not configured, nothing to remove`); return 2; }
  const set = parseState(text);
  if (!set) { ctx.rec.problem(`alternatives --remove ${name}: unreadable ${statePath}`); return 2; }
  const at = set.alts.findIndex((x) => x.path === path);
  if (at < 0) { ctx.rec.act(`alternatives --remove ${name}: ${path} is not one of its alternatives`); return 2; }
  const current = readLink(ctx, `${ADMIN}/${name}`) === path;
  set.alts.splice(at, 1);
  if (set.alts.length === 0) {
    for (const [link, admin] of [[set.link, name], ...set.slaves.map((s) => [s.link, s.name])] as [string, string][]) {
      if (fs.lstat(link)?.linkTarget === `${ADMIN}/${admin}`) fs.remove(link);
      fs.remove(`${ADMIN}/${admin}`);
    }
    fs.remove(statePath);
    ctx.rec.act(`alternatives --remove ${name} ${path}: last alternative, links and state removed`);
    return 0;
  }
  if (current) set.mode = 'auto';
  apply(ctx, name, set, false);
  return 0;
}

/** --display NAME in chkconfig's format (scriptlets grep it) */
function display(ctx: CommandCtx, name: string): { status: number; stdout: string } {
  const text = readText(ctx.env.fs, `${STATE}/${name}`);
  const set = text === undefined ? undefined : parseState(text);
  if (!set) return { status: 2, stdout: '' };
  const cur = readLink(ctx, `${ADMIN}/${name}`);
  let out = `${name} - status is ${set.mode}.\n link currently points to ${cur ?? ''}\n`;
  let best = set.alts[0];
  for (const a of set.alts) {
    out += `${a.path} - priority ${a.priority}\n`;
    for (const s of set.slaves) out += ` slave ${s.name}: ${a.slaves.get(s.name) ?? '(null)'}\n`;
    if (best && a.priority > best.priority) best = a;
  }
  out += `Current \`best' version is ${best?.path ?? ''}.\n`;
  return { status: 0, stdout: out };
}

function readLink(ctx: CommandCtx, p: string): string | undefined {
  return ctx.env.fs.lstat(p)?.linkTarget;
}
