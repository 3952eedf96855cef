import type { PackageDeps } from './deps.js';

export type ChecksumType = 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

export interface Checksum {
  type: ChecksumType;
  /** lower-case hex */
  value: string;
}

/** A package as the library's plain results name it: its NEVRA, split and whole, and its repo. */
export interface PackageRef {
  name: string;
  epoch: number;
  version: string;
  release: string;
  arch: string;
  /** name-[epoch:]version-release.arch, as dnf prints a package */
  nevra: string;
  /** id of the repo it came from */
  repo: string;
}

/**
 * A package as repository metadata (primary.xml) describes it: what the solver needs and
 * where to download it. Strings may be shared (interned) between records.
 */
export interface RepoPackage extends PackageDeps {
  name: string;
  epoch: number;
  version: string;
  release: string;
  arch: string;
  /** id of the repository the record came from */
  repo: string;
  /** location href relative to the repo base URL (or absolute when xml:base was given) */
  location: string;
  /** xml:base of <location>, when present */
  locationBase?: string;
  checksum: Checksum;
  /** size of the .rpm file in bytes (size/@package) */
  packageSize: number;
  installedSize: number;
  summary: string;
  sourcerpm: string;
  buildtime: number;
  license: string;
  vendor: string;
  group: string;
  /** file paths listed in primary.xml (the "primary" subset); filelists adds the rest on demand */
  files: string[];
}

/** A comps group (@core, @base). */
export interface CompsGroup {
  id: string;
  name: string;
  /** package names by type */
  mandatory: string[];
  default: string[];
  optional: string[];
  conditional: { name: string; requires: string }[];
  /** old comps (CentOS 4/5): the group only applies to this language */
  langonly?: string;
}

/** A comps environment (@^minimal-environment): its grouplist is installed, its optionlist only offered. */
export interface CompsEnvironment {
  id: string;
  name: string;
  /** group ids of the grouplist */
  groups: string[];
  /** group ids of the optionlist (not installed with the environment) */
  options: string[];
}

/** Module stream filtering data (modules.yaml), enough to do what dnf does for default streams. */
export interface ModuleStream {
  name: string;
  stream: string;
  version: string;
  context: string;
  arch: string;
  /** NEVRA strings of the artifacts, e.g. `nodejs-1:16.20.2-1.module_el8.arch` */
  artifacts: string[];
}

export interface ModuleDefaults {
  name: string;
  stream: string;
  profiles: Record<string, string[]>;
}

/** One advisory of a repo's updateinfo.xml (`dnf updateinfo`). */
export interface Advisory {
  /** e.g. FEDORA-2023-1a2b3c, RHSA-2024:0001 */
  id: string;
  /** 'security' | 'bugfix' | 'enhancement' | 'newpackage', or whatever else the repo says */
  type: string;
  /** e.g. Important, Moderate (security advisories) */
  severity?: string;
  title: string;
  /** <issued date=…> as given: "2023-11-14 00:00:00" (Fedora, EL) or seconds since 1970 (SUSE) */
  issued?: string;
  references: AdvisoryReference[];
  /** the packages the advisory ships, every collection together */
  packages: AdvisoryPackage[];
}

export interface AdvisoryReference {
  /** cve, bugzilla, self, … */
  type: string;
  id: string;
  href?: string;
}

export interface AdvisoryPackage {
  name: string;
  epoch: number;
  version: string;
  release: string;
  arch: string;
}
