// The container recipe applied after scriptlets: no boot files, root locked, repos pointing
// where the release still lives, no host identity or package caches, UTC and a sensible
// locale, then the caller's users and files.
import type { DistroRelease } from '../../types/index.js';
import type { ImageFS } from '../../types/imagefs.js';
import { Accounts } from '../../scriptlets/accounts.js';
import { RunRecord } from '../../scriptlets/context.js';
import { useradd } from '../../scriptlets/commands/useradd.js';
import { rewriteRepos } from './repos.js';

export interface FinishOptions {
  /** mirror root replacing the vault in rewritten repo files */
  mirror?: string;
  /** false keeps the repo files as the packages shipped them */
  repoRewrite?: boolean;
  /** --user NAME:UID */
  users?: { name: string; uid: number }[];
  /** --add-file SRC:DEST[:MODE], already read by the caller; mode defaults to 0644 */
  addFiles?: { dest: string; data: Uint8Array; mode?: number }[];
  sourceDateEpoch?: number;
  /**
   * a build on a base image (--from): the base was finished by whoever built it, so only the
   * caller's users and files are applied, as a Dockerfile's RUN/COPY would
   */
  derived?: boolean;
}

export interface FinishReport { actions: string[]; problems: string[] }

const EL_FAMILY = new Set(['centos', 'rhel', 'redhat', 'sl', 'scientific', 'oraclelinux', 'oracle', 'almalinux', 'rocky', 'fedora-legacy']);

function major(distro: DistroRelease | null): number | undefined {
  const m = distro ? /^(\d+)/.exec(distro.release) : null;
  return m ? Number(m[1]) : undefined;
}

export function finishImage(fs: ImageFS, distro: DistroRelease | null, opts: FinishOptions = {}): FinishReport {
  const rep: FinishReport = { actions: [], problems: [] };
  const now = opts.sourceDateEpoch ?? Math.floor(Date.now() / 1000);
  if (!opts.derived) containerRecipe(fs, distro, opts, now, rep);
  callerChanges(fs, opts, now, rep);
  return rep;
}

function containerRecipe(fs: ImageFS, distro: DistroRelease | null, opts: FinishOptions, now: number, rep: FinishReport): void {
  for (const f of fs.list('/boot')) { fs.remove(`/boot/${f}`); rep.actions.push(`removed /boot/${f}`); }

  lockRoot(fs, now, rep);

  if (distro && distro.eol && opts.repoRewrite !== false) {
    for (const p of rewriteRepos(fs, distro, opts.mirror)) rep.actions.push(`rewrote ${p}`);
  } else if (distro && opts.mirror && opts.repoRewrite !== false) {
    for (const p of rewriteRepos(fs, distro, opts.mirror)) rep.actions.push(`rewrote ${p}`);
  }

  // host identity: the runtime provides these
  if (fs.lstat('/etc/resolv.conf')) { fs.remove('/etc/resolv.conf'); rep.actions.push('removed /etc/resolv.conf'); }
  for (const p of ['/etc/hostname', '/etc/machine-id']) if (fs.exists(p)) fs.writeFile(p, '');
  const hasSystemd = ['/usr/lib/systemd/systemd', '/lib/systemd/systemd'].some((p) => fs.exists(p));
  if (hasSystemd && !fs.exists('/etc/machine-id')) fs.writeFile('/etc/machine-id', '', { mode: 0o444 });

  for (const d of ['/var/cache/yum', '/var/cache/dnf']) for (const c of fs.list(d)) fs.remove(`${d}/${c}`);

  setTimezone(fs, distro, rep);
  setLocale(fs, distro, rep);
}

function callerChanges(fs: ImageFS, opts: FinishOptions, now: number, rep: FinishReport): void {
  for (const u of opts.users ?? []) {
    const rec = new RunRecord();
    const st = useradd(['useradd', '-m', '-u', String(u.uid), u.name], { env: { fs, now, pubkeys: [], installed: new Set() }, rec, io: { stdin: '' } });
    if (st !== 0) rep.problems.push(`adding user ${u.name}:${u.uid}: useradd would exit ${st}`);
    else rep.actions.push(...rec.actions);
  }
  for (const f of opts.addFiles ?? []) {
    const dir = f.dest.slice(0, f.dest.lastIndexOf('/')) || '/';
    if (!fs.exists(dir)) fs.mkdir(dir);
    fs.writeFile(f.dest, f.data, fs.exists(f.dest) ? (f.mode !== undefined ? { mode: f.mode } : {}) : { mode: f.mode ?? 0o644, user: 'root', group: 'root' });
    rep.actions.push(`added ${f.dest}`);
  }
}

/** Root gets "!!" (locked, no known password); shadow is made from passwd when a package set lacks it. */
function lockRoot(fs: ImageFS, now: number, rep: FinishReport): void {
  const acc = new Accounts(fs);
  if (!acc.user('root')) return;
  if (!acc.hasShadow()) {
    const days = Accounts.days(now);
    const text = acc.rows('passwd').map((r) => `${r[0]}:!!:${days}::::::\n`).join('');
    fs.writeFile('/etc/shadow', text, { mode: 0o000, user: 'root', group: 'root' });
    for (const r of acc.rows('passwd')) r[1] = 'x';
    acc.touch('passwd');
    acc.save();
    rep.actions.push('created /etc/shadow from /etc/passwd');
    return lockRoot(fs, now, rep);
  }
  const sp = acc.find('shadow', 'root');
  if (!sp) acc.add('shadow', ['root', '!!', Accounts.days(now), '0', '99999', '7', '', '', '']);
  else if (sp[1] !== '!!') { sp[1] = '!!'; acc.touch('shadow'); }
  const pw = acc.user('root')!;
  if (pw[1] !== 'x') { pw[1] = 'x'; acc.touch('passwd'); }
  acc.save();
  rep.actions.push('locked root');
}

function setTimezone(fs: ImageFS, distro: DistroRelease | null, rep: FinishReport): void {
  if (fs.exists('/usr/share/zoneinfo/UTC')) {
    fs.remove('/etc/localtime');
    fs.symlink('../usr/share/zoneinfo/UTC', '/etc/localtime');
    rep.actions.push('/etc/localtime -> ../usr/share/zoneinfo/UTC');
  }
  const legacy = distro !== null && EL_FAMILY.has(distro.distro) && (major(distro) ?? 99) <= 6;
  if (fs.exists('/etc/sysconfig/clock') || (legacy && fs.lstat('/etc/sysconfig')?.type === 'dir')) {
    fs.writeFile('/etc/sysconfig/clock', 'ZONE="UTC"\nUTC=true\nARC=false\n', fs.exists('/etc/sysconfig/clock') ? {} : { mode: 0o644 });
    rep.actions.push('/etc/sysconfig/clock ZONE="UTC"');
  }
}

function setLocale(fs: ImageFS, distro: DistroRelease | null, rep: FinishReport): void {
  const mj = major(distro);
  const legacy = distro !== null ? EL_FAMILY.has(distro.distro) && (mj ?? 99) <= 6 : fs.exists('/etc/sysconfig/i18n');
  const hasEn = ['/usr/lib/locale/locale-archive', '/usr/lib/locale/locale-archive.tmpl', '/usr/lib/locale/en_US.utf8'].some((p) => fs.exists(p));
  const lang = hasEn || legacy ? 'en_US.UTF-8' : 'C.UTF-8';
  if (legacy) {
    if (fs.lstat('/etc/sysconfig')?.type !== 'dir') return;
    fs.writeFile('/etc/sysconfig/i18n', `LANG="${lang}"\n`, fs.exists('/etc/sysconfig/i18n') ? {} : { mode: 0o644 });
    rep.actions.push(`/etc/sysconfig/i18n LANG="${lang}"`);
  } else if (fs.lstat('/etc')?.type === 'dir') {
    fs.writeFile('/etc/locale.conf', `LANG="${lang}"\n`, fs.exists('/etc/locale.conf') ? {} : { mode: 0o644 });
    rep.actions.push(`/etc/locale.conf LANG="${lang}"`);
  }
}

export { rewriteRepoText, vaultUrl } from './repos.js';
