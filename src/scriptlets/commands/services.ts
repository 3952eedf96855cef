// Service enablement without a running init: chkconfig --add (rc.d links from the script's
// `# chkconfig:` header) and systemctl preset/enable (links from [Install] and preset files).
// Start/stop/reload verbs are no-ops: nothing runs while an image is assembled, and systemctl
// itself ignores them in a chroot.
import type { CommandCtx } from '../context.js';
import { joinPath, readText, readTextFollow } from '../context.js';
import { globToRegExp } from '../../util/glob.js';

const INIT_DIRS = ['/etc/rc.d/init.d', '/etc/init.d'];

function rcDir(ctx: CommandCtx, level: number): string {
  return ctx.env.fs.lstat('/etc/rc.d')?.type === 'dir' ? `/etc/rc.d/rc${level}.d` : `/etc/rc${level}.d`;
}

export function chkconfig(argv: string[], ctx: CommandCtx): number {
  const a = argv.slice(1);
  let levels: string | undefined;
  const li = a.indexOf('--level');
  if (li >= 0) { levels = a[li + 1]; a.splice(li, 2); }
  if (a[0] === '--add' && a[1]) return addService(ctx, a[1], undefined);
  if (a.length === 2 && (a[1] === 'on' || a[1] === 'off')) return addService(ctx, a[0]!, { on: a[1] === 'on', levels: levels ?? '2345' });
  if (a.length === 2 && a[1] === 'resetpriorities') return resetPriorities(ctx, a[0]!);
  if (a[0] === '--del' || a[0] === '--list' || a[0] === '--override') {
    ctx.rec.problem(`chkconfig ${argv.slice(1).join(' ')}`);
    return 0;
  }
  ctx.rec.problem(`chkconfig ${argv.slice(1).join(' ')}`);
  return 1;
}

/** NAME resetpriorities: the links that exist get the header's start/stop numbers, on/off kept */
function resetPriorities(ctx: CommandCtx, name: string): number {
  const fs = ctx.env.fs;
  const script = INIT_DIRS.map((d) => readTextFollow(fs, `${d}/${name}`)).find((t) => t !== undefined);
  if (script === undefined) return 1;
  const m = /^#\s*chkconfig:\s*(\S+)\s+(\d+)\s+(\d+)/m.exec(script);
  if (!m) { ctx.rec.problem(`chkconfig ${name} resetpriorities: no '# chkconfig:' header (LSB-only ordering is not emulated)`); return 0; }
  const start = m[2]!.padStart(2, '0');
  const stop = m[3]!.padStart(2, '0');
  let changed = 0;
  for (let level = 0; level <= 6; level++) {
    const dir = rcDir(ctx, level);
    for (const f of fs.list(dir).filter((f) => /^[SK]\d\d/.test(f) && f.slice(3) === name)) {
      const want = `${f[0]}${f[0] === 'S' ? start : stop}${name}`;
      if (want === f) continue;
      fs.remove(`${dir}/${f}`);
      fs.symlink(`../init.d/${name}`, `${dir}/${want}`);
      changed++;
    }
  }
  ctx.rec.act(`chkconfig ${name} resetpriorities (${changed} links renumbered)`);
  return 0;
}

function addService(ctx: CommandCtx, name: string, change: { on: boolean; levels: string } | undefined): number {
  const fs = ctx.env.fs;
  const script = INIT_DIRS.map((d) => readTextFollow(fs, `${d}/${name}`)).find((t) => t !== undefined);
  if (script === undefined) {
    if (fs.exists(`/etc/xinetd.d/${name}`)) { ctx.rec.problem(`chkconfig ${name}: xinetd service`); return 0; }
    return 1;
  }
  const m = /^#\s*chkconfig:\s*(\S+)\s+(\d+)\s+(\d+)/m.exec(script);
  if (!m) {
    ctx.rec.problem(`chkconfig ${name}: no '# chkconfig:' header (LSB-only ordering is not emulated)`);
    return 0;
  }
  const start = m[2]!.padStart(2, '0');
  const stop = m[3]!.padStart(2, '0');
  const defaults = m[1] === '-' ? '' : m[1]!;
  for (let level = 0; level <= 6; level++) {
    const dir = rcDir(ctx, level);
    const existing = fs.list(dir).filter((f) => /^[SK]\d\d/.test(f) && f.slice(3) === name);
    let on: boolean;
    if (change) {
      if (!change.levels.includes(String(level))) continue;
      on = change.on;
    } else {
      if (existing.length) continue; // --add keeps existing links
      on = defaults.includes(String(level));
    }
    for (const f of existing) fs.remove(`${dir}/${f}`);
    if (!fs.exists(dir)) fs.mkdir(dir);
    fs.symlink(`../init.d/${name}`, `${dir}/${on ? 'S' + start : 'K' + stop}${name}`);
  }
  ctx.rec.act(`chkconfig ${name} (${change ? (change.on ? 'on' : 'off') : 'add'})`);
  return 0;
}

interface Scope { units: string[]; links: string; presets: string[] }
const SYSTEM: Scope = {
  units: ['/etc/systemd/system', '/run/systemd/system', '/usr/lib/systemd/system', '/lib/systemd/system'],
  links: '/etc/systemd/system',
  presets: ['/etc/systemd/system-preset', '/run/systemd/system-preset', '/usr/lib/systemd/system-preset', '/lib/systemd/system-preset'],
};
const USER: Scope = {
  units: ['/etc/systemd/user', '/usr/lib/systemd/user'],
  links: '/etc/systemd/user',
  presets: ['/etc/systemd/user-preset', '/usr/lib/systemd/user-preset'],
};

const NOOP_VERBS = new Set([
  'daemon-reload', 'daemon-reexec', 'start', 'stop', 'restart', 'try-restart', 'reload', 'reload-or-restart',
  'reload-or-try-restart', 'condrestart', 'force-reload', 'kill', 'reset-failed', 'set-property', 'is-active', 'is-failed',
]);

export function systemctl(argv: string[], ctx: CommandCtx): number {
  const fs = ctx.env.fs;
  if (!['/usr/bin/systemctl', '/bin/systemctl'].some((p) => fs.exists(p))) {
    ctx.rec.act('systemctl is not in the image (command not found)');
    return 127;
  }
  let scope = SYSTEM;
  const args: string[] = [];
  for (const a of argv.slice(1)) {
    if (a === '--global' || a === '--user') scope = USER;
    else if (a.startsWith('-')) continue;
    else args.push(a);
  }
  const [verb, ...units] = args;
  if (verb === undefined) return 1;
  if (NOOP_VERBS.has(verb)) {
    ctx.rec.act(`systemctl ${verb}: nothing runs in an image`);
    return verb === 'is-active' || verb === 'is-failed' ? 3 : 0;
  }
  let st = 0;
  if (verb === 'preset-all') {
    for (const unit of unitFiles(ctx, scope)) st = Math.max(st, presetUnit(ctx, scope, unit));
    return st;
  }
  for (const unit of units) {
    if (verb === 'preset') st = Math.max(st, presetUnit(ctx, scope, unit));
    else if (verb === 'enable' || verb === 'reenable') st = Math.max(st, enableUnit(ctx, scope, unit, new Set()));
    else if (verb === 'disable') disableUnit(ctx, scope, unit);
    else if (verb === 'mask') { fs.symlink('/dev/null', `${scope.links}/${unit}`); ctx.rec.act(`masked ${unit}`); }
    else if (verb === 'unmask') { if (fs.lstat(`${scope.links}/${unit}`)?.linkTarget === '/dev/null') fs.remove(`${scope.links}/${unit}`); }
    else if (verb === 'is-enabled') return findLinks(ctx, scope, unit).length ? 0 : 1;
    else { ctx.rec.problem(`systemctl ${verb}`); return 0; }
  }
  return st;
}

const UNIT_NAME = /^[^/]+\.(service|socket|target|timer|path|mount|automount|swap|slice)$/;

/**
 * The unit files `preset-all` walks, as systemd does: every valid unit name in the search path,
 * the first directory holding a name winning; aliases (a link to another name) and masked units
 * are skipped. Sorted, so the links come out the same every time.
 */
function unitFiles(ctx: CommandCtx, scope: Scope): string[] {
  const fs = ctx.env.fs;
  const seen = new Set<string>();
  const out: string[] = [];
  for (const d of scope.units) {
    for (const name of fs.list(d)) {
      if (!UNIT_NAME.test(name) || seen.has(name)) continue;
      seen.add(name);
      const st = fs.lstat(`${d}/${name}`);
      if (!st) continue;
      if (st.type === 'symlink') {
        const t = st.linkTarget ?? '';
        if (t === '/dev/null' || t.slice(t.lastIndexOf('/') + 1) !== name) continue;
      } else if (st.type !== 'file' && st.type !== 'hardlink') continue;
      out.push(name);
    }
  }
  return out.sort();
}

/** Fedora/EL9's %systemd_post helper */
export function systemdUpdateHelper(argv: string[], ctx: CommandCtx): number {
  const [verb, ...units] = argv.slice(1);
  if (verb === 'install-system-units') return systemctl(['systemctl', '--no-reload', 'preset', ...units], ctx);
  if (verb === 'install-user-units') return systemctl(['systemctl', '--global', 'preset', ...units], ctx);
  ctx.rec.act(`systemd-update-helper ${verb ?? ''}: nothing runs in an image`);
  return 0;
}

function findUnit(ctx: CommandCtx, scope: Scope, unit: string): { path: string; text: string } | undefined {
  const template = unit.replace(/@[^.]+\./, '@.');
  for (const name of template === unit ? [unit] : [unit, template]) {
    for (const d of scope.units) {
      const text = readTextFollow(ctx.env.fs, `${d}/${name}`);
      if (text !== undefined) return { path: `${d}/${name}`, text };
    }
  }
  return undefined;
}

function installSection(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let inInstall = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('[')) { inInstall = line === '[Install]'; continue; }
    if (!inInstall || line.startsWith('#') || line.startsWith(';')) continue;
    const m = /^([A-Za-z]+)\s*=\s*(.*)$/.exec(line);
    if (m) out.set(m[1]!, [...(out.get(m[1]!) ?? []), ...m[2]!.split(/\s+/).filter(Boolean)]);
  }
  return out;
}

function presetUnit(ctx: CommandCtx, scope: Scope, unit: string): number {
  const fs = ctx.env.fs;
  const byName = new Map<string, string>();
  for (const d of scope.presets) {
    for (const f of fs.list(d)) if (f.endsWith('.preset') && !byName.has(f)) byName.set(f, `${d}/${f}`);
  }
  let action: 'enable' | 'disable' = 'enable'; // systemd's default when no preset line matches
  let from = 'no matching preset';
  outer: for (const f of [...byName.keys()].sort()) {
    for (const raw of (readText(fs, byName.get(f)!) ?? '').split('\n')) {
      const m = /^\s*(enable|disable)\s+(\S+)/.exec(raw);
      if (m && globToRegExp(m[2]!).test(unit)) { action = m[1] as 'enable' | 'disable'; from = `${f}: ${raw.trim()}`; break outer; }
    }
  }
  if (action === 'disable') {
    disableUnit(ctx, scope, unit);
    ctx.rec.act(`preset ${unit}: disabled (${from})`);
    return 0;
  }
  const st = enableUnit(ctx, scope, unit, new Set());
  ctx.rec.act(`preset ${unit}: enabled (${from})`);
  return st;
}

function enableUnit(ctx: CommandCtx, scope: Scope, unit: string, seen: Set<string>): number {
  if (seen.has(unit)) return 0;
  seen.add(unit);
  const fs = ctx.env.fs;
  const found = findUnit(ctx, scope, unit);
  if (!found) return 1;
  const inst = installSection(found.text);
  let instance = unit;
  if (/@\./.test(unit)) {
    const def = inst.get('DefaultInstance')?.[0];
    if (def === undefined) return 0;
    instance = unit.replace('@.', `@${def}.`);
  }
  const target = found.path.startsWith(scope.links + '/') ? found.path : found.path.replace(/^\/lib\//, '/usr/lib/');
  for (const [key, suffix] of [['WantedBy', '.wants'], ['RequiredBy', '.requires'], ['UpheldBy', '.upholds']] as const) {
    for (const by of inst.get(key) ?? []) {
      const link = `${scope.links}/${by}${suffix}/${instance}`;
      if (fs.lstat(link)) continue;
      if (!fs.exists(`${scope.links}/${by}${suffix}`)) fs.mkdir(`${scope.links}/${by}${suffix}`);
      fs.symlink(target, link);
      ctx.rec.act(`symlink ${link} -> ${target}`);
    }
  }
  for (const alias of inst.get('Alias') ?? []) {
    const link = `${scope.links}/${alias}`;
    if (fs.lstat(link)) continue;
    fs.symlink(target, link);
    ctx.rec.act(`symlink ${link} -> ${target}`);
  }
  for (const also of inst.get('Also') ?? []) enableUnit(ctx, scope, also, seen);
  return 0;
}

function findLinks(ctx: CommandCtx, scope: Scope, unit: string): string[] {
  const fs = ctx.env.fs;
  const out: string[] = [];
  for (const d of fs.list(scope.links)) {
    const dir = `${scope.links}/${d}`;
    if (/\.(wants|requires|upholds)$/.test(d)) {
      for (const f of fs.list(dir)) if (f === unit || f.replace(/@[^.]+\./, '@.') === unit) out.push(`${dir}/${f}`);
    } else {
      const t = fs.lstat(dir)?.linkTarget;
      if (t !== undefined && t !== '/dev/null' && t.endsWith(`/${unit}`)) out.push(dir);
    }
  }
  return out;
}

function disableUnit(ctx: CommandCtx, scope: Scope, unit: string): void {
  for (const l of findLinks(ctx, scope, unit)) {
    ctx.env.fs.remove(l);
    ctx.rec.act(`removed ${l}`);
  }
}

export function initScriptVerb(argv: string[], ctx: CommandCtx): number {
  ctx.rec.act(`${argv.join(' ')}: nothing runs in an image`);
  return 0;
}

export { joinPath };
