// File triggers (rpm >= 4.13) on a fresh install, in rpm's order (lib/psm.c, lib/rpmtriggers.c):
// after a package's files are in, %filetriggerin of every installed package (this one included)
// whose path prefixes match them run, then this package's own ones when files of packages
// installed before it match; priorities >= 10000 run before %post, lower ones after %post and %triggerin.
// After %posttrans, each package's %transfiletriggerin runs once when any installed file
// matches. The matching paths are the trigger's standard input; $1 is 0 (as rpm 4.18 gives).
// %filetriggerun/%filetriggerpostun and the trans variants only fire on removal: never here.

export interface FileTriggerLike {
  kind: string;
  prog: string[];
  body: string;
  prefixes: string[];
  priority: number;
  index: number;
}

export interface TriggerPackage {
  nevra: string;
  files: readonly string[];
  fileTriggers: readonly FileTriggerLike[];
}

export interface FiredTrigger<P extends TriggerPackage> {
  owner: P;
  trigger: FileTriggerLike;
  /** the matching paths, one per line, as rpm writes them to the scriptlet's stdin */
  stdin: string;
  label: string;
}

/** rpm's TRIGGER_PRIORITY_BOUND: file triggers at or above it run before %post */
export const PRIORITY_BOUND = 10000;

/** paths of `files` under each prefix, prefix by prefix (a path under two prefixes appears twice, as in rpm) */
function matching(prefixes: readonly string[], fileLists: readonly (readonly string[])[]): string[] {
  const out: string[] = [];
  for (const pfx of prefixes) for (const files of fileLists) for (const f of files) if (f.startsWith(pfx)) out.push(f);
  return out;
}

const byPriority = (a: { trigger: FileTriggerLike; order: number }, b: { trigger: FileTriggerLike; order: number }) =>
  b.trigger.priority - a.trigger.priority || a.order - b.order || a.trigger.index - b.trigger.index;

/**
 * %filetriggerin fired by installing `pkg` (already counted in `installed`, the packages in
 * the image so far in install order), for one priority class: 'high' before %post, 'low' after.
 */
export function fileTriggersOnInstall<P extends TriggerPackage>(pkg: P, installed: readonly P[], cls: 'high' | 'low'): FiredTrigger<P>[] {
  const inClass = (t: FileTriggerLike) => t.kind === 'filetriggerin' && (t.priority >= PRIORITY_BOUND) === (cls === 'high');
  const out: FiredTrigger<P>[] = [];
  // triggers of installed packages, this one's included, that its files set off (rpm: runFileTriggers)
  const others = installed.flatMap((owner, order) => owner.fileTriggers.filter(inClass).map((trigger) => ({ owner, trigger, order, paths: matching(trigger.prefixes, [pkg.files]) })))
    .filter((c) => c.paths.length > 0)
    .sort(byPriority);
  for (const c of others) out.push({ owner: c.owner, trigger: c.trigger, stdin: lines(c.paths), label: label(c.trigger, c.owner === pkg ? null : pkg) });
  // this package's own triggers on the files of packages installed before it (rpm:
  // runImmedFileTriggers); one matching both runs twice, as rpm 4.18 runs it
  const earlier = installed.filter((p) => p !== pkg).map((p) => p.files);
  const own = pkg.fileTriggers.filter(inClass).map((trigger) => ({ trigger, order: 0 })).sort(byPriority);
  for (const { trigger } of own) {
    const paths = matching(trigger.prefixes, earlier);
    if (paths.length) out.push({ owner: pkg, trigger, stdin: lines(paths), label: `${label(trigger, null)} on earlier packages` });
  }
  return out;
}

/**
 * %transfiletriggerin after %posttrans: per package in install order, by priority within it,
 * on the files the transaction added (`added`; all of `installed` on a fresh root).
 */
export function transFileTriggers<P extends TriggerPackage>(installed: readonly P[], added: readonly P[] = installed): FiredTrigger<P>[] {
  const out: FiredTrigger<P>[] = [];
  const all = added.map((p) => p.files);
  for (const owner of installed) {
    const own = owner.fileTriggers.filter((t) => t.kind === 'transfiletriggerin').map((trigger) => ({ trigger, order: 0 })).sort(byPriority);
    for (const { trigger } of own) {
      const paths = matching(trigger.prefixes, all);
      if (paths.length) out.push({ owner, trigger, stdin: lines(paths), label: `transfiletriggerin(${trigger.prefixes.join(' ')})` });
    }
  }
  return out;
}

function lines(paths: string[]): string {
  return paths.map((p) => `${p}\n`).join('');
}

function label(t: FileTriggerLike, by: TriggerPackage | null): string {
  return `${t.kind}(${t.prefixes.join(' ')})${by ? ` on ${by.nevra}` : ''}`;
}
