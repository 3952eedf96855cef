// Typed package metadata from a main header: what rpm -qp shows (NEVRA, deps, files, scripts).
import { RfsError } from '../errors/index.js';
import { Sense, type Dep, type PackageDeps } from '../types/index.js';
import type { Header } from './header.js';
import { TAG, TYPE } from './tags.js';

/**
 * Entries in any one array of a package header: files (the biggest real packages list ~100k) and
 * dependencies of one kind (the most seen: ~21k provides). rpm allows 1M per array, which decoded
 * into paths and file records costs over a gigabyte; 300k files already cost 460 MB.
 */
export const MAX_ARRAY_ENTRIES = 200_000;

function checkArrayCounts(h: Header, subject?: string): void {
  const files = h.entry(TAG.BASENAMES)?.count ?? h.entry(TAG.OLDFILENAMES)?.count ?? 0;
  const big = files > MAX_ARRAY_ENTRIES ? undefined : h.entries.find((e) => e.type !== TYPE.BIN && e.count > MAX_ARRAY_ENTRIES);
  if (files <= MAX_ARRAY_ENTRIES && big === undefined) return;
  const what = big === undefined ? `${files} files` : `${big.count} entries in tag ${big.tag}`;
  throw new RfsError('RFS_RPM_BAD_HEADER', `reading rpm header: ${what}, more than the ${MAX_ARRAY_ENTRIES} any real package has`, {
    ...(subject !== undefined ? { subject } : {}), hint: 'the package is malformed or crafted to exhaust memory',
  });
}

export interface RpmFile {
  index: number;
  path: string;
  mode: number;
  size: number;
  mtime: number;
  user: string;
  group: string;
  digest: string;
  linkTo: string;
  flags: number;
  verifyFlags: number;
  rdev: number;
  device: number;
  inode: number;
  lang: string;
  color: number;
  caps: string;
}

export type ScriptletKind = 'pretrans' | 'pre' | 'post' | 'preun' | 'postun' | 'posttrans' | 'verify' | 'preuntrans' | 'postuntrans';
export interface Scriptlet {
  kind: ScriptletKind;
  prog: string[];
  body: string;
  flags: number;
}
export interface Trigger {
  kind: 'triggerprein' | 'triggerin' | 'triggerun' | 'triggerpostun';
  prog: string[];
  body: string;
  conditions: Dep[];
}

/** %filetrigger* / %transfiletrigger* (rpm >= 4.13): fire on installed or removed paths under `prefixes`. */
export interface FileTrigger {
  kind: 'filetriggerin' | 'filetriggerun' | 'filetriggerpostun' | 'transfiletriggerin' | 'transfiletriggerun' | 'transfiletriggerpostun';
  prog: string[];
  body: string;
  /** path prefixes, matched as plain string prefixes of file paths (as rpm does) */
  prefixes: string[];
  /** higher runs sooner; rpm's default is 1000000 */
  priority: number;
  /** index among the package's triggers of the same family (file or trans), rpm's tie-breaker */
  index: number;
}

export interface PackageMeta extends PackageDeps {
  name: string;
  epoch: number | null;
  version: string;
  release: string;
  arch: string;
  summary: string;
  description: string;
  license: string;
  vendor: string;
  group: string;
  url: string;
  buildtime: number;
  buildhost: string;
  sourcerpm: string;
  size: number;
  rpmVersion: string;
  payloadCompressor: string;
  payloadFormat: string;
  files: RpmFile[];
  fileDigestAlgo: number;
  scriptlets: Scriptlet[];
  triggers: Trigger[];
  /** file triggers, in header order (file triggers first, then transaction file triggers) */
  fileTriggers: FileTrigger[];
  prefixes: string[];
  formatVersion: 3 | 4 | 6;
}

// [kind, body tag, prog tag, flags tag]
const SCRIPTLETS: [ScriptletKind, number, number, number][] = [
  ['pretrans', TAG.PRETRANS, TAG.PRETRANSPROG, TAG.PRETRANSFLAGS],
  ['pre', TAG.PREIN, TAG.PREINPROG, TAG.PREINFLAGS],
  ['post', TAG.POSTIN, TAG.POSTINPROG, TAG.POSTINFLAGS],
  ['preun', TAG.PREUN, TAG.PREUNPROG, TAG.PREUNFLAGS],
  ['postun', TAG.POSTUN, TAG.POSTUNPROG, TAG.POSTUNFLAGS],
  ['posttrans', TAG.POSTTRANS, TAG.POSTTRANSPROG, TAG.POSTTRANSFLAGS],
  ['verify', TAG.VERIFYSCRIPT, TAG.VERIFYSCRIPTPROG, TAG.VERIFYSCRIPTFLAGS],
  ['preuntrans', TAG.PREUNTRANS, TAG.PREUNTRANSPROG, TAG.PREUNTRANSFLAGS],
  ['postuntrans', TAG.POSTUNTRANS, TAG.POSTUNTRANSPROG, TAG.POSTUNTRANSFLAGS],
];

export function deps(h: Header, nameTag: number, flagsTag: number, versionTag: number): Dep[] {
  const names = h.strings(nameTag);
  const flags = h.numbers(flagsTag);
  const versions = h.strings(versionTag);
  return names.map((name, i) => ({ name, flags: flags[i] ?? 0, version: versions[i] ?? '' }));
}

/** Full paths in header order: DIRNAMES[DIRINDEXES[i]] + BASENAMES[i], or v3 OLDFILENAMES. */
export function filePaths(h: Header): string[] {
  const base = h.strings(TAG.BASENAMES);
  if (base.length === 0) return h.strings(TAG.OLDFILENAMES);
  const dirs = h.strings(TAG.DIRNAMES);
  const di = h.numbers(TAG.DIRINDEXES);
  return base.map((b, i) => (dirs[di[i] ?? -1] ?? '') + b);
}

export function fileList(h: Header): RpmFile[] {
  const paths = filePaths(h);
  const sizes = h.has(TAG.LONGFILESIZES) ? h.numbers(TAG.LONGFILESIZES) : h.numbers(TAG.FILESIZES);
  const modes = h.numbers(TAG.FILEMODES);
  const mtimes = h.numbers(TAG.FILEMTIMES);
  const users = h.strings(TAG.FILEUSERNAME);
  const groups = h.strings(TAG.FILEGROUPNAME);
  const digests = h.strings(TAG.FILEDIGESTS);
  const links = h.strings(TAG.FILELINKTOS);
  const flags = h.numbers(TAG.FILEFLAGS);
  const vflags = h.numbers(TAG.FILEVERIFYFLAGS);
  const rdevs = h.numbers(TAG.FILERDEVS);
  const devs = h.numbers(TAG.FILEDEVICES);
  const inodes = h.numbers(TAG.FILEINODES);
  const langs = h.strings(TAG.FILELANGS);
  const colors = h.numbers(TAG.FILECOLORS);
  const caps = h.strings(TAG.FILECAPS);
  return paths.map((path, i) => ({
    index: i,
    path,
    mode: modes[i] ?? 0,
    size: sizes[i] ?? 0,
    mtime: mtimes[i] ?? 0,
    user: users[i] ?? 'root',
    group: groups[i] ?? 'root',
    digest: digests[i] ?? '',
    linkTo: links[i] ?? '',
    flags: flags[i] ?? 0,
    verifyFlags: vflags[i] ?? 0xffffffff,
    rdev: rdevs[i] ?? 0,
    device: devs[i] ?? 0,
    inode: inodes[i] ?? 0,
    lang: langs[i] ?? '',
    color: colors[i] ?? 0,
    caps: caps[i] ?? '',
  }));
}

function scriptlets(h: Header): Scriptlet[] {
  const out: Scriptlet[] = [];
  for (const [kind, bodyTag, progTag, flagsTag] of SCRIPTLETS) {
    const body = h.string(bodyTag);
    const prog = h.strings(progTag);
    if (body === undefined && prog.length === 0) continue;
    out.push({ kind, prog: prog.length ? prog : ['/bin/sh'], body: body ?? '', flags: h.number(flagsTag) ?? 0 });
  }
  return out;
}

function triggers(h: Header): Trigger[] {
  const bodies = h.strings(TAG.TRIGGERSCRIPTS);
  const progs = h.strings(TAG.TRIGGERSCRIPTPROG);
  const conds = deps(h, TAG.TRIGGERNAME, TAG.TRIGGERFLAGS, TAG.TRIGGERVERSION);
  const index = h.numbers(TAG.TRIGGERINDEX);
  return bodies.map((body, i) => {
    const conditions = conds.filter((_, j) => index[j] === i);
    const f = conditions[0]?.flags ?? 0;
    const kind: Trigger['kind'] =
      f & Sense.TRIGGERPREIN ? 'triggerprein' : f & Sense.TRIGGERUN ? 'triggerun' : f & Sense.TRIGGERPOSTUN ? 'triggerpostun' : 'triggerin';
    return { kind, prog: [progs[i] ?? '/bin/sh'], body, conditions };
  });
}

const FILE_TRIGGER_TAGS = [
  { trans: false, scripts: TAG.FILETRIGGERSCRIPTS, progs: TAG.FILETRIGGERSCRIPTPROG, names: TAG.FILETRIGGERNAME,
    index: TAG.FILETRIGGERINDEX, flags: TAG.FILETRIGGERFLAGS, priorities: TAG.FILETRIGGERPRIORITIES },
  { trans: true, scripts: TAG.TRANSFILETRIGGERSCRIPTS, progs: TAG.TRANSFILETRIGGERSCRIPTPROG, names: TAG.TRANSFILETRIGGERNAME,
    index: TAG.TRANSFILETRIGGERINDEX, flags: TAG.TRANSFILETRIGGERFLAGS, priorities: TAG.TRANSFILETRIGGERPRIORITIES },
] as const;

function fileTriggers(h: Header): FileTrigger[] {
  const out: FileTrigger[] = [];
  for (const t of FILE_TRIGGER_TAGS) {
    const bodies = h.strings(t.scripts);
    const progs = h.strings(t.progs);
    const names = h.strings(t.names);
    const index = h.numbers(t.index);
    const flags = h.numbers(t.flags);
    const priorities = h.numbers(t.priorities);
    bodies.forEach((body, i) => {
      const js = names.map((_, j) => j).filter((j) => index[j] === i);
      const f = flags[js[0] ?? -1] ?? 0;
      const when = f & Sense.TRIGGERUN ? 'un' : f & Sense.TRIGGERPOSTUN ? 'postun' : 'in';
      out.push({
        kind: `${t.trans ? 'trans' : ''}filetrigger${when}`,
        prog: progs[i] ? [progs[i]!] : ['/bin/sh'],
        body,
        prefixes: js.map((j) => names[j]!),
        priority: priorities[i] ?? 1000000,
        index: i,
      });
    });
  }
  return out;
}

/** Old SUSE weak deps: one tag pair each, STRONG marks the strong kind. */
function oldWeak(h: Header, nameTag: number, versionTag: number, flagsTag: number, strong: boolean): Dep[] {
  return deps(h, nameTag, flagsTag, versionTag).filter((d) => Boolean(d.flags & Sense.STRONG) === strong);
}

/** Provides as rpm shows them: v3 (region-less) binary headers get rpm's retrofitted self-provide. */
function provides(h: Header, source: boolean): Dep[] {
  const out = deps(h, TAG.PROVIDENAME, TAG.PROVIDEFLAGS, TAG.PROVIDEVERSION);
  if (h.region || source) return out;
  const name = h.string(TAG.NAME);
  if (name === undefined) return out;
  const epoch = h.number(TAG.EPOCH);
  const evr = `${epoch !== undefined ? `${epoch}:` : ''}${h.string(TAG.VERSION) ?? ''}-${h.string(TAG.RELEASE) ?? ''}`;
  out.push({ name, flags: Sense.EQUAL, version: evr });
  return out;
}

export function isSourceHeader(h: Header): boolean {
  return !h.has(TAG.SOURCERPM);
}

export function packageMeta(h: Header, opts: { payloadCompressor?: string; leadMajor?: number; subject?: string } = {}): PackageMeta {
  checkArrayCounts(h, opts.subject);
  const source = isSourceHeader(h);
  const arch = source ? (h.has(TAG.NOSOURCE) || h.has(TAG.NOPATCH) ? 'nosrc' : 'src') : h.string(TAG.ARCH) ?? '';
  const newWeak = h.has(TAG.RECOMMENDNAME) || h.has(TAG.SUGGESTNAME) || h.has(TAG.SUPPLEMENTNAME) || h.has(TAG.ENHANCENAME);
  const fmt = h.number(TAG.RPMFORMAT);
  return {
    name: h.string(TAG.NAME) ?? '',
    epoch: h.number(TAG.EPOCH) ?? null,
    version: h.string(TAG.VERSION) ?? '',
    release: h.string(TAG.RELEASE) ?? '',
    arch,
    summary: h.string(TAG.SUMMARY) ?? '',
    description: h.string(TAG.DESCRIPTION) ?? '',
    license: h.string(TAG.LICENSE) ?? '',
    vendor: h.string(TAG.VENDOR) ?? '',
    group: h.string(TAG.GROUP) ?? '',
    url: h.string(TAG.URL) ?? '',
    buildtime: h.number(TAG.BUILDTIME) ?? 0,
    buildhost: h.string(TAG.BUILDHOST) ?? '',
    sourcerpm: h.string(TAG.SOURCERPM) ?? '',
    size: h.number(TAG.LONGSIZE) ?? h.number(TAG.SIZE) ?? 0,
    rpmVersion: h.string(TAG.RPMVERSION) ?? '',
    payloadCompressor: opts.payloadCompressor ?? h.string(TAG.PAYLOADCOMPRESSOR) ?? 'gzip',
    payloadFormat: h.string(TAG.PAYLOADFORMAT) ?? 'cpio',
    provides: provides(h, source),
    requires: deps(h, TAG.REQUIRENAME, TAG.REQUIREFLAGS, TAG.REQUIREVERSION),
    conflicts: deps(h, TAG.CONFLICTNAME, TAG.CONFLICTFLAGS, TAG.CONFLICTVERSION),
    obsoletes: deps(h, TAG.OBSOLETENAME, TAG.OBSOLETEFLAGS, TAG.OBSOLETEVERSION),
    recommends: newWeak
      ? deps(h, TAG.RECOMMENDNAME, TAG.RECOMMENDFLAGS, TAG.RECOMMENDVERSION)
      : oldWeak(h, TAG.OLDSUGGESTSNAME, TAG.OLDSUGGESTSVERSION, TAG.OLDSUGGESTSFLAGS, true),
    suggests: newWeak
      ? deps(h, TAG.SUGGESTNAME, TAG.SUGGESTFLAGS, TAG.SUGGESTVERSION)
      : oldWeak(h, TAG.OLDSUGGESTSNAME, TAG.OLDSUGGESTSVERSION, TAG.OLDSUGGESTSFLAGS, false),
    supplements: newWeak
      ? deps(h, TAG.SUPPLEMENTNAME, TAG.SUPPLEMENTFLAGS, TAG.SUPPLEMENTVERSION)
      : oldWeak(h, TAG.OLDENHANCESNAME, TAG.OLDENHANCESVERSION, TAG.OLDENHANCESFLAGS, true),
    enhances: newWeak
      ? deps(h, TAG.ENHANCENAME, TAG.ENHANCEFLAGS, TAG.ENHANCEVERSION)
      : oldWeak(h, TAG.OLDENHANCESNAME, TAG.OLDENHANCESVERSION, TAG.OLDENHANCESFLAGS, false),
    files: fileList(h),
    fileDigestAlgo: h.number(TAG.FILEDIGESTALGO) ?? 1,
    scriptlets: scriptlets(h),
    triggers: triggers(h),
    fileTriggers: fileTriggers(h),
    prefixes: h.has(TAG.PREFIXES) ? h.strings(TAG.PREFIXES) : h.strings(TAG.DEFAULTPREFIX),
    formatVersion: fmt === 6 || opts.leadMajor === 4 ? 6 : h.region ? 4 : 3,
  };
}
