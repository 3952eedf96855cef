import type { EventSink, GpgKeyUse, GpgUnverified, RpmdbFlavour } from '../types/index.js';

export type OutputFormatName = 'tar' | 'oci-archive' | 'oci' | 'docker-archive' | 'dir';

/** Everything `rootfs-assemble <distro>:<release> ...` can say, as a library call. */
export interface AssembleOptions {
  /** distro tag, e.g. "centos:4.9"; optional when repos come from repofrompath/repoFiles */
  distro?: string;
  arch?: string;
  releasever?: string;
  mirror?: string;
  repofrompath?: [string, string][];
  repoFiles?: string[];
  enablerepo?: string[];
  disablerepo?: string[];
  /** packages to install on top of the definition's container set */
  packages?: string[];
  /** start from an empty set instead of the definition's container set */
  noDefaultPackages?: boolean;
  exclude?: string[];
  weakDeps?: boolean;
  nodocs?: boolean;
  /** dnf --setopt KEY=VALUE / REPOID.KEY=VALUE (see README); a main key wins over its flag, as in dnf */
  setopt?: string[];
  /** --best (true) / --nobest (false); unset: true, except for Fedora definitions (their dnf.conf says best=False) */
  best?: boolean;
  /** --skip-broken: leave out requested packages that cannot be installed (each is a warning) */
  skipBroken?: boolean;
  /** --module NAME:STREAM, as `dnf module enable` */
  modules?: string[];
  /** e.g. ['en', 'fr']; undefined = all languages */
  installLangs?: string[];
  /**
   * false = --nogpgcheck: no signature is required. Unset or true (the --gpgcheck alias): each
   * repo's gpgcheck decides, as in dnf. A BAD signature fails either way.
   */
  gpgcheck?: boolean;
  /** key files (or https URLs) trusted for every repo, in addition to each repo's gpgkey; --repofrompath repos are checked against them */
  gpgkeys?: string[];
  /** override the definition's rpmdb flavour (needed with repofrompath alone) */
  rpmdb?: RpmdbFlavour;
  rpmdbPath?: string;
  profiles?: string[];
  users?: { name: string; uid: number }[];
  addFiles?: { src: string; dest: string }[];
  env?: string[];
  cmd?: string[];
  entrypoint?: string[];
  labels?: Record<string, string>;
  strictScriptlets?: boolean;
  /** 'userns': run the scriptlets emulation did not reproduce in a user namespace + chroot (off by default) */
  runScriptlets?: 'userns';
  repoRewrite?: boolean;
  output: { path: string; format?: OutputFormatName };
  /** where `output.path === '-'` writes (default process.stdout) */
  stdout?: NodeJS.WritableStream;
  lockfile?: string;
  locked?: string;
  sbom?: string;
  cacheDir?: string;
  jobs?: number;
  /** clamp package file mtimes to sourceDateEpoch (rpm -V then reports T for newer files) */
  clampMtime?: boolean;
  /** seconds since the epoch for created files, install times and image `created` */
  sourceDateEpoch?: number;
  signal?: AbortSignal;
  onEvent?: EventSink;
  /** where the distro definitions live (default: the package's repos/) */
  reposDir?: string;
}

export interface AssembleResult {
  packages: { nevra: string; repo: string }[];
  bytes: number;
  output: string;
  warnings: string[];
  /** signatures: packages verified per key, and per repo the packages that went unverified and why */
  gpg: { verified: number; keys: GpgKeyUse[]; unverified: GpgUnverified[] };
  scriptlets: { emulated: number; skipped: { nevra: string; scriptlet: string; firstLine: string; reason: string }[] };
}
