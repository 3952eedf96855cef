// Dependency sense bits, exactly rpm's (include/rpm/rpmds.h), so flags read from a
// header and flags built from primary.xml compare as the same numbers.
export const Sense = {
  ANY: 0,
  LESS: 1 << 1,
  GREATER: 1 << 2,
  EQUAL: 1 << 3,
  POSTTRANS: 1 << 5,
  PREREQ: 1 << 6,
  PRETRANS: 1 << 7,
  INTERP: 1 << 8,
  SCRIPT_PRE: 1 << 9,
  SCRIPT_POST: 1 << 10,
  SCRIPT_PREUN: 1 << 11,
  SCRIPT_POSTUN: 1 << 12,
  SCRIPT_VERIFY: 1 << 13,
  FIND_REQUIRES: 1 << 14,
  FIND_PROVIDES: 1 << 15,
  TRIGGERIN: 1 << 16,
  TRIGGERUN: 1 << 17,
  TRIGGERPOSTUN: 1 << 18,
  MISSINGOK: 1 << 19,
  PREUNTRANS: 1 << 20,
  POSTUNTRANS: 1 << 21,
  RPMLIB: 1 << 24,
  TRIGGERPREIN: 1 << 25,
  KEYRING: 1 << 26,
  STRONG: 1 << 27,
  CONFIG: 1 << 28,
  META: 1 << 29,
} as const;

/** The comparison part of a sense value. */
export const SENSE_MASK = Sense.LESS | Sense.GREATER | Sense.EQUAL;

/**
 * One dependency entry: `name [op version]`.
 * `flags` are rpm sense bits; `version` is rpm's EVR string (`[E:]V[-R]`), empty when unversioned.
 * Rich dependencies keep the whole expression in `name` (it starts with `(`).
 */
export interface Dep {
  name: string;
  flags: number;
  version: string;
}

/** The eight dependency lists a package carries, in the header and in repo metadata alike. */
export interface PackageDeps {
  provides: Dep[];
  requires: Dep[];
  conflicts: Dep[];
  obsoletes: Dep[];
  recommends: Dep[];
  suggests: Dep[];
  supplements: Dep[];
  enhances: Dep[];
}

/** Epoch-version-release; epoch null means "not given" (rpm treats it as 0 when comparing packages). */
export interface Evr {
  epoch: number | null;
  version: string;
  release: string;
}

export interface Nevra extends Evr {
  name: string;
  arch: string;
}

/** File flags (rpmfiles.h). */
export const FileFlag = {
  CONFIG: 1,
  DOC: 2,
  ICON: 4,
  MISSINGOK: 8,
  NOREPLACE: 16,
  SPECFILE: 32,
  GHOST: 64,
  LICENSE: 128,
  README: 256,
  PUBKEY: 2048,
  ARTIFACT: 4096,
} as const;

/** FILESTATES values rpm records in the rpmdb. */
export const FileState = {
  NORMAL: 0,
  REPLACED: 1,
  NOTINSTALLED: 2,
  NETSHARED: 3,
  WRONGCOLOR: 4,
} as const;
