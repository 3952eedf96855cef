// Scriptlet emulation: what rpm would run on a fresh install (pretrans, pre, file triggers,
// post, triggerin, posttrans, transaction file triggers, in rpm's order; $1 is 1 for pretrans,
// pre, post and posttrans, as rpm 4.18 gives them (the package count after the transaction, not
// the 0 old guides name for the trans scriptlets), and 0 for file triggers) is read, its idioms reproduced on the image,
// and everything not fully reproduced is reported. Target binaries are never executed.
import { Buffer } from 'node:buffer';
import { RfsError } from '../errors/index.js';
import type { Dep, EventSink } from '../types/index.js';
import { depMatches } from '../version/index.js';
import type { ImageFS } from '../types/imagefs.js';
import { Accounts } from './accounts.js';
import { lookupCommand } from './commands/index.js';
import { CountingFS, RunRecord, bounded, reasonOf } from './context.js';
import type { EmulationEnv } from './context.js';
import { runLua } from './lua/run.js';
import { runDeferredLdconfig } from './commands/misc.js';
import { fileTriggersOnInstall, transFileTriggers } from './filetriggers.js';
import type { FileTriggerLike, FiredTrigger, TriggerPackage } from './filetriggers.js';
import { ShellSyntaxError, parseShell } from './shell/parse.js';
import { ShellRun } from './shell/run.js';
import { runInUserns } from './userns/run.js';
import type { PendingScriptlet, UsernsOptions, UsernsOutcome } from './userns/run.js';
import { applySysusers } from './commands/sysusers.js';

export interface ScriptletMeta {
  name: string;
  version: string;
  release: string;
  epoch: number | null;
  provides: Dep[];
  scriptlets: { kind: string; prog: string[]; body: string }[];
  triggers: { kind: string; prog: string[]; body: string; conditions: Dep[] }[];
  /** the package's file list (header order); file triggers match against it */
  files?: readonly { path: string }[];
  fileTriggers?: readonly FileTriggerLike[];
}
/** a package in install order; `meta` is the rpm reader's PackageMeta */
export interface ScriptletPackage { nevra: string; name: string; meta: ScriptletMeta }

export interface ScriptletReport {
  emulated: { nevra: string; scriptlet: string; actions: string[] }[];
  skipped: { nevra: string; scriptlet: string; firstLine: string; reason: string }[];
  /** armored keys imported by `rpm --import` idioms */
  pubkeys: string[];
  /** with `collectUnreproduced`: what rpm would have run for each skipped entry, in order */
  unreproduced?: PendingScriptlet[];
}

export interface EmulateOptions {
  onEvent?: EventSink;
  /** fail with RFS_SCRIPTLET_UNHANDLED when anything was not reproduced */
  strict?: boolean;
  /** clock for shadow's lastchg (default: $SOURCE_DATE_EPOCH, else now) */
  sourceDateEpoch?: number;
  /** --install-langs, when given */
  installLangs?: string[];
  /**
   * keep each unreproduced scriptlet's program, body, arguments and stdin for
   * runUnreproducedInUserns (--run-scriptlets=userns), which then emits the scriptlet:skipped
   * events for what is still not reproduced after running them
   */
  collectUnreproduced?: boolean;
  /**
   * a transaction on an installed system (--from): the packages staying installed (their
   * triggers and file triggers see the new packages, as rpm's do), and the installed ones the
   * transaction replaces or removes (their %preun/%postun run; `upgradedBy` maps a replaced
   * package to the name of the new one that replaces it)
   */
  installed?: { packages: ScriptletPackage[]; erased: ScriptletPackage[]; upgradedBy: ReadonlyMap<ScriptletPackage, string> };
}

export function emulateScriptlets(pkgs: ScriptletPackage[], fs: ImageFS, opts: EmulateOptions = {}): ScriptletReport {
  const envEpoch = Number(process.env.SOURCE_DATE_EPOCH);
  const now = opts.sourceDateEpoch ?? (Number.isFinite(envEpoch) && process.env.SOURCE_DATE_EPOCH ? envEpoch : Math.floor(Date.now() / 1000));
  const base = opts.installed;
  const env: EmulationEnv = { fs: new CountingFS(fs), now, pubkeys: [], installed: new Set([...(base?.packages ?? []), ...pkgs].map((p) => p.name)), ...(opts.installLangs ? { installLangs: opts.installLangs } : {}) };
  const report: ScriptletReport = { emulated: [], skipped: [], pubkeys: env.pubkeys, ...(opts.collectUnreproduced ? { unreproduced: [] } : {}) };

  const runOne = (pkg: ScriptletPackage, label: string, prog: string[], body: string, args: string[], stdin = ''): void => {
    const rec = new RunRecord();
    let status: number;
    try {
      status = runBody(prog, body, pkg.name, args, env, rec, stdin);
    } catch (e) {
      // an image conflict (a directory where a file goes, a path escaping the root) stops
      // this scriptlet only; it is reported like any other unreproduced step. So does a body
      // that outgrows the interpreters' stack or V8's string size (a hostile package's scriptlet)
      if (e instanceof RangeError) rec.problem(`stopped: the script nests too deep or builds a value too large (${e.message})`);
      else if (e instanceof RfsError) rec.problem(`stopped: ${e.message}`);
      else throw e;
      status = 0;
    }
    if (status !== 0) rec.problem(`exits ${status} under emulation${label === 'pre' || label === 'pretrans' ? ' (rpm would not install the package)' : ''}`);
    const actions = rec.actions.length ? rec.actions : ['no effect on a fresh install'];
    if (rec.problems.length) {
      const item = { nevra: pkg.nevra, scriptlet: label, firstLine: firstLine(body, prog), reason: rec.reason() };
      report.skipped.push(item);
      report.unreproduced?.push({ nevra: pkg.nevra, scriptlet: label, prog, body, args, stdin });
      if (!opts.collectUnreproduced) opts.onEvent?.({ kind: 'scriptlet:skipped', ...item });
    } else {
      report.emulated.push({ nevra: pkg.nevra, scriptlet: label, actions });
      opts.onEvent?.({ kind: 'scriptlet:emulated', nevra: pkg.nevra, scriptlet: label, actions });
    }
  };
  const scripts = (pkg: ScriptletPackage, kind: string) => pkg.meta.scriptlets.filter((s) => s.kind === kind);

  // $1 of a package's own scriptlets: how many of its name are installed once it is in (2 on an upgrade)
  const upgrading = new Set(base?.upgradedBy.values() ?? []);
  const count = (pkg: ScriptletPackage): string => (upgrading.has(pkg.name) ? '2' : '1');
  for (const pkg of pkgs) for (const s of scripts(pkg, 'pretrans')) runOne(pkg, 'pretrans', s.prog, s.body, [count(pkg)]);

  const done: ScriptletPackage[] = [...(base?.packages ?? [])];
  const fired = new Set<string>();
  const tp = new Map([...done, ...pkgs].map((p) => [p, triggerPackage(p)] as const));
  const byTp = new Map([...tp].map(([p, t]) => [t, p] as const));
  /** the packages in the rpmdb so far, in install order, as the file triggers see them */
  const inDb: TriggerPackage[] = done.map((p) => tp.get(p)!);
  const runFired = (list: FiredTrigger<TriggerPackage>[]): void => {
    for (const f of list) runOne(byTp.get(f.owner)!, f.label, [...f.trigger.prog], f.trigger.body, ['0'], f.stdin);
  };
  for (const pkg of pkgs) {
    // %triggerprein of packages already installed, on this one, before it goes in
    for (const owner of done) {
      owner.meta.triggers.forEach((t, i) => {
        const key = `${owner.nevra}#${i}`;
        if (t.kind !== 'triggerprein' || fired.has(key)) return;
        if (!t.conditions.some((c) => c.name === pkg.name && depMatches(selfProvide(pkg), c))) return;
        fired.add(key);
        runOne(owner, `triggerprein(${pkg.name})`, t.prog, t.body, ['1', '0']);
      });
    }
    sysusersFromProvides(pkg, env, report, opts);
    for (const s of scripts(pkg, 'pre')) runOne(pkg, 'pre', s.prog, s.body, [count(pkg)]);
    // the package's files are in and it is in the rpmdb: file triggers of priority >= 10000
    inDb.push(tp.get(pkg)!);
    runFired(fileTriggersOnInstall(tp.get(pkg)!, inDb, 'high'));
    for (const s of scripts(pkg, 'post')) runOne(pkg, 'post', s.prog, s.body, [count(pkg)]);
    done.push(pkg);
    // triggerin of any installed package on this one, and this one's on those already installed
    for (const owner of done) {
      owner.meta.triggers.forEach((t, i) => {
        if (t.kind !== 'triggerin') return;
        const targets = owner === pkg ? done : [pkg];
        const hit = targets.find((tp) => t.conditions.some((c) => c.name === tp.name && depMatches(selfProvide(tp), c)));
        const key = `${owner.nevra}#${i}`;
        if (!hit || fired.has(key)) return;
        fired.add(key);
        runOne(owner, `triggerin(${hit.name})`, t.prog, t.body, ['1', '1']);
      });
    }
    runFired(fileTriggersOnInstall(tp.get(pkg)!, inDb, 'low'));
  }
  // the replaced and removed packages go after the new ones, as rpm orders an upgrade; their
  // files were taken out before the merge ($1: instances left, 1 when upgraded, 0 when erased)
  for (const old of base?.erased ?? []) {
    const left = base?.upgradedBy.has(old) ? '1' : '0';
    for (const kind of ['preun', 'postun']) for (const s of scripts(old, kind)) runOne(old, kind, s.prog, s.body, [left]);
  }
  for (const pkg of pkgs) for (const s of scripts(pkg, 'posttrans')) runOne(pkg, 'posttrans', s.prog, s.body, [count(pkg)]);
  runFired(transFileTriggers(inDb, pkgs.map((p) => tp.get(p)!)));
  const ld = runDeferredLdconfig(env);
  if (ld.length) {
    report.emulated.push({ nevra: '(transaction)', scriptlet: 'ldconfig', actions: ld });
    opts.onEvent?.({ kind: 'scriptlet:emulated', nevra: '(transaction)', scriptlet: 'ldconfig', actions: ld });
  }

  if (opts.strict) failOnSkipped(report);
  return report;
}

/** --strict-scriptlets: RFS_SCRIPTLET_UNHANDLED when anything was not reproduced. */
export function failOnSkipped(report: ScriptletReport): void {
  if (report.skipped.length === 0) return;
  throw new RfsError('RFS_SCRIPTLET_UNHANDLED', `emulating scriptlets: ${report.skipped.length} not reproduced`, {
    subject: report.skipped.map((s) => `${s.nevra} %${s.scriptlet}`).join(', '),
    hint: report.skipped.map((s) => `${s.nevra} %${s.scriptlet}: ${s.reason}`).join('\n'),
    details: report.skipped,
  });
}

/**
 * --run-scriptlets=userns: the unreproduced scriptlets of `report` (emulated with
 * collectUnreproduced) run in a user namespace + chroot of the image; each one that exits 0
 * without problems moves from `skipped` to `emulated`, the others stay with the reason.
 */
export function runUnreproducedInUserns(report: ScriptletReport, fs: ImageFS, opts: UsernsOptions & { onEvent?: EventSink } = {}): UsernsOutcome[] {
  const pending = report.unreproduced ?? [];
  const outcomes = runInUserns(fs, pending, opts);
  for (const o of outcomes) {
    const at = report.skipped.findIndex((s) => s.nevra === o.nevra && s.scriptlet === o.scriptlet);
    if (at < 0) continue;
    const item = report.skipped[at]!;
    if (o.status === 0 && o.problems.length === 0) {
      report.skipped.splice(at, 1);
      const actions = [`ran in a user namespace (exit 0)`, ...(o.changes.length ? o.changes : ['no change to the image'])];
      report.emulated.push({ nevra: o.nevra, scriptlet: o.scriptlet, actions });
      opts.onEvent?.({ kind: 'scriptlet:emulated', nevra: o.nevra, scriptlet: o.scriptlet, actions });
    } else {
      item.reason = `${item.reason}; ran in a user namespace: ${reasonOf(o.problems)}`;
    }
  }
  for (const s of report.skipped) opts.onEvent?.({ kind: 'scriptlet:skipped', ...s });
  report.unreproduced = [];
  return outcomes;
}

function triggerPackage(p: ScriptletPackage): TriggerPackage {
  return { nevra: p.nevra, files: (p.meta.files ?? []).map((f) => f.path), fileTriggers: p.meta.fileTriggers ?? [] };
}

function selfProvide(p: ScriptletPackage): Dep {
  const m = p.meta;
  return { name: m.name, flags: 8, version: `${m.epoch !== null ? `${m.epoch}:` : ''}${m.version}-${m.release}` };
}

export function runBody(prog: string[], body: string, pkgName: string, args: string[], env: EmulationEnv, rec: RunRecord, stdin = ''): number {
  const interp = prog[0] ?? '/bin/sh';
  if (interp === '<lua>') {
    // os.execute goes through /bin/sh -c, which the shell emulator stands in for
    const runShell = (cmd: string): number => {
      try {
        return new ShellRun(env, rec, [], lookupCommand).runScript(parseShell(cmd), '');
      } catch (e) {
        if (!(e instanceof ShellSyntaxError)) throw e;
        rec.problem(`shell construct not emulated: ${e.message}`);
        return 0;
      }
    };
    return runLua(body, env, rec, lookupCommand, { runShell }).status;
  }
  if (/\/(ba)?sh$/.test(interp)) {
    if (prog.length > 1 && !prog.slice(1).every((a) => a === '-e' || a === '-x')) rec.problem(`interpreter options ${prog.join(' ')}`);
    try {
      return new ShellRun(env, rec, args, lookupCommand).runScript(parseShell(body), stdin);
    } catch (e) {
      if (e instanceof ShellSyntaxError) {
        rec.problem(`shell construct not emulated: ${e.message}`);
        return 0;
      }
      throw e;
    }
  }
  // `%post -p /sbin/ldconfig` and friends: the program runs with no body
  if (body.trim() === '') {
    const argv = [...prog];
    const fn = lookupCommand(interp.slice(interp.lastIndexOf('/') + 1), argv);
    if (fn) {
      const r = fn(argv, { env, rec, io: { stdin } });
      return typeof r === 'number' ? r : r.status;
    }
  }
  rec.problem(`interpreter ${interp} is not emulated`);
  return 0;
}

/** rpm >= 4.19 creates accounts from `user(name) = <base64 sysusers line>` provides before %pre. */
function sysusersFromProvides(pkg: ScriptletPackage, env: EmulationEnv, report: ScriptletReport, opts: EmulateOptions): void {
  const lines = pkg.meta.provides
    .filter((d) => /^(user|group(member)?)\(.+\)$/.test(d.name) && d.version !== '')
    .map((d) => Buffer.from(d.version, 'base64').toString('utf8').replace(/\0+$/, '').trim())
    .filter((l) => /^[ugmr]\s/.test(l));
  if (lines.length === 0) return;
  const nologin = env.fs.exists('/usr/sbin/nologin') || !env.fs.exists('/sbin/nologin') ? '/usr/sbin/nologin' : '/sbin/nologin';
  const res = applySysusers(lines.join('\n'), new Accounts(env.fs), env.now, nologin);
  const item = { nevra: pkg.nevra, scriptlet: 'sysusers' };
  if (res.problems.length) {
    const s = { ...item, firstLine: bounded(lines[0]!), reason: reasonOf(res.problems) };
    report.skipped.push(s);
    if (!opts.collectUnreproduced) opts.onEvent?.({ kind: 'scriptlet:skipped', ...s });
  } else {
    report.emulated.push({ ...item, actions: res.actions });
    opts.onEvent?.({ kind: 'scriptlet:emulated', ...item, actions: res.actions });
  }
}

function firstLine(body: string, prog: string[]): string {
  const line = body.split('\n').map((l) => l.trim()).find((l) => l !== '' && !l.startsWith('#') && !l.startsWith('--'));
  return bounded(line ?? prog.join(' '));
}

export { Accounts } from './accounts.js';
export { detectUserns } from './userns/run.js';
export type { PendingScriptlet, UsernsOptions, UsernsOutcome } from './userns/run.js';
export { parseShell } from './shell/parse.js';
