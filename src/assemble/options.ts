import type { BaseChange, EventSink, GpgKeyUse, GpgUnverified, RpmdbFlavour } from '../types/index.js';

export type OutputFormatName = 'tar' | 'oci-archive' | 'oci' | 'docker-archive' | 'dir';

/**
 * Everything `rootfs-assemble <distro>:<release> ...` can say, as a library call: each option is
 * the CLI's long flag in camelCase, with the same meaning and default. Only `output` (or `push`) is required.
 */
export interface AssembleOptions {
  /** distro ref as `rootfs-assemble list` names it, e.g. "centos:4.9" (tags are case-insensitive); optional when repos come from repofrompath/repoFiles */
  distro?: string;
  /** `--arch`: target architecture (default: the definition's, else x86_64) */
  arch?: string;
  /**
   * `--platform` (or `--arch` repeated): build one image per platform and write them as one OCI
   * image index (format oci or oci-archive, or `push`), each manifest with its platform, in a
   * stable order. Each entry is a platform (linux/amd64, linux/arm64, linux/ppc64le, linux/s390x,
   * linux/386, linux/arm/v7) or an rpm arch; with a distro, only the arches its definition lists.
   * `lockfile`, `sbom` and `locked` are then per arch: FILE with the arch before its extension
   * (lock.json -> lock.x86_64.json). Not with `arch`.
   */
  platforms?: string[];
  /** `--releasever`: $releasever in repo URLs (default: the definition's) */
  releasever?: string;
  /** `--mirror`: rewrite the definition's mirror root (e.g. https://vault.centos.org/) to this URL */
  mirror?: string;
  /** `--image-mirror`: the mirror root written into the image's .repo files (default: `mirror`); 'default' = the definition's public root */
  imageMirror?: string;
  /** `--repofrompath ID,URL`: add or replace repos, as [id, baseurl] pairs */
  repofrompath?: [string, string][];
  /** `--repo-file`: yum/dnf .repo files to read */
  repoFiles?: string[];
  /** `--enablerepo`: globs of repo ids to enable */
  enablerepo?: string[];
  /** `--disablerepo`: globs of repo ids to disable ('*' = all) */
  disablerepo?: string[];
  /** packages to install on top of the definition's container set, as dnf reads them: name, name.arch, NEVRA, a provide, /a/file, @group */
  packages?: string[];
  /**
   * `--from`: install on top of this base image (OCI layout dir, `oci:DIR`, `oci-archive:FILE`,
   * `docker-archive:FILE`, a rootfs tar, a directory, or `docker://REF`): its rpmdb is the
   * installed system, only `packages` are requested, and layered outputs add one layer to its own
   */
  from?: string;
  /**
   * with `from`: dnf upgrade of the base's installed packages with these names (globs; an empty
   * list: every package), as `rootfs-assemble update` does; `packages` may add new ones beside
   */
  upgrade?: string[];
  /** with `upgrade`: only updates that the repos' updateinfo.xml names in a security advisory (dnf --security) */
  security?: boolean;
  /** `--no-default-packages`: start from an empty set instead of the definition's container set */
  noDefaultPackages?: boolean;
  /** `--exclude`: globs of package names never to install */
  exclude?: string[];
  /** `--weak-deps`: also install Recommends/Supplements (default false) */
  weakDeps?: boolean;
  /** `--nodocs`: leave out %doc files */
  nodocs?: boolean;
  /** dnf --setopt KEY=VALUE / REPOID.KEY=VALUE (see README); a main key wins over its flag, as in dnf */
  setopt?: string[];
  /** --best (true) / --nobest (false); unset: true, except for Fedora definitions (their dnf.conf says best=False) */
  best?: boolean;
  /** --skip-broken: leave out requested packages that cannot be installed (each is a warning) */
  skipBroken?: boolean;
  /** --module NAME:STREAM, as `dnf module enable` */
  modules?: string[];
  /** `--install-langs`: keep only these languages' %lang files, e.g. ['en', 'fr']; undefined = all languages */
  installLangs?: string[];
  /**
   * false = --nogpgcheck: no signature is required. Unset or true (the --gpgcheck alias): each
   * repo's gpgcheck decides, as in dnf. A BAD signature fails either way.
   */
  gpgcheck?: boolean;
  /** `--gpgkey`: key files (or https URLs) trusted for every repo, in addition to each repo's gpgkey; --repofrompath repos are checked against them */
  gpgkeys?: string[];
  /** `--rpmdb`: override the definition's rpmdb flavour (needed with repofrompath alone) */
  rpmdb?: RpmdbFlavour;
  /** `--rpmdb-path`: where the rpmdb goes, /var/lib/rpm or /usr/lib/sysimage/rpm (default: the definition's) */
  rpmdbPath?: string;
  /** `--profile`: minimal | systemd | init | baseimage | system-container (later ones apply over earlier ones) */
  profiles?: string[];
  /** `--user NAME:UID`: users to add to the image */
  users?: { name: string; uid: number }[];
  /** `--add-file SRC:DEST[:MODE]`: host files to copy into the image (mode: octal MODE, else the host file's) */
  addFiles?: { src: string; dest: string; mode?: number }[];
  /** `--env K=V`: the image config's environment (oci/docker formats) */
  env?: string[];
  /** `--cmd`: the image config's command, as an argv array */
  cmd?: string[];
  /** `--entrypoint`: the image config's entrypoint, as an argv array */
  entrypoint?: string[];
  /** `--label K=V`: the image config's labels */
  labels?: Record<string, string>;
  /** `--strict-scriptlets`: fail (RFS_SCRIPTLET_*, exit 7) when a scriptlet could not be reproduced */
  strictScriptlets?: boolean;
  /** 'userns': run the scriptlets emulation did not reproduce in a user namespace + chroot (off by default) */
  runScriptlets?: 'userns';
  /** false = `--repo-rewrite=off`: keep end-of-life .repo files in the image as shipped (default: point them at the mirror used) */
  repoRewrite?: boolean;
  /**
   * `-o` and `--format`: where the image goes ('-' = `stdout`, tar only) and as what (default
   * 'tar'; .tar.gz/.tar.xz/.tar.zst compress by extension). Checked before any network work: the
   * folder must exist and be writable (RFS_OUTPUT), the extension known (RFS_USAGE). A relative
   * path is relative to process.cwd(). `docker://REGISTRY/REPO:TAG` pushes, as `push` does.
   * Required unless `push` is given.
   */
  output?: { path: string; format?: OutputFormatName };
  /**
   * `--push REGISTRY/REPO:TAG`: push the image (OCI, as `format: 'oci'` writes it) to a registry
   * instead of writing a file; the tag is set only once every blob and manifest is in place.
   * Credentials come from `authFile`, else $REGISTRY_AUTH_FILE, ${XDG_RUNTIME_DIR}/containers/auth.json,
   * ~/.docker/config.json (`auths`; credential helpers are not run).
   */
  push?: string;
  /** `--tls-verify=false`: accept any registry certificate, and plain http (default true) */
  tlsVerify?: boolean;
  /** `--cert-dir`: the registry's CA certificates (*.crt) and client certificate (*.cert + *.key) */
  certDir?: string;
  /** `--authfile`: read registry credentials from this file only (podman's auth.json format) */
  authFile?: string;
  /** the host environment read for registry credentials ($REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR, $HOME), RFS_FETCH_DEADLINES and RFS_PUSH_CHUNK_SIZE (default process.env) */
  hostEnv?: NodeJS.ProcessEnv;
  /** `--digest-file`: write the pushed (or oci/oci-archive) image's manifest digest, sha256:…, to this file */
  digestFile?: string;
  /** where `output.path === '-'` writes (default process.stdout) */
  stdout?: NodeJS.WritableStream;
  /**
   * `--layers`: split the image into at most this many layers by package (oci, oci-archive and
   * docker-archive; 1..125, default 1 = one layer). The largest packages get a layer each, the
   * rest share layers by a hash of their name, and a final layer holds the rpmdb and every file a
   * scriptlet or finish step changed, so images sharing packages share layers and an update
   * changes only its package's layer and the final one. tar and dir are one tree: more than 1 is
   * RFS_USAGE with them.
   */
  layers?: number;
  /** `--lockfile`: write the exact package set and what it was made for (JSON; read it with readLockfile()) */
  lockfile?: string;
  /** `--locked`: install exactly this lockfile's packages without solving (the request must match the lock's) */
  locked?: string;
  /** `--sbom`: write an SPDX 2.3 JSON SBOM */
  sbom?: string;
  /** `--cache-dir`: download and metadata cache (default: defaultCacheDir(), ~/.cache/rootfs-assemble) */
  cacheDir?: string;
  /** `--jobs`: concurrent downloads and unpacks (default 4) */
  jobs?: number;
  /** `--clamp-mtime`: clamp package file mtimes to sourceDateEpoch (rpm -V then reports T for newer files) */
  clampMtime?: boolean;
  /** SOURCE_DATE_EPOCH: seconds since the epoch for created files, install times and image `created` (default: now) */
  sourceDateEpoch?: number;
  /** aborts the build: it unwinds, leaves no output and rejects with RFS_ABORTED */
  signal?: AbortSignal;
  /** receives every progress event (AssembleEvent: phases, downloads, warnings, scriptlets, done); the library never prints */
  onEvent?: EventSink;
  /** where the distro definitions live (default: the package's repos/) */
  reposDir?: string;
}

/** What assemble() did, once the image is in place. */
export interface AssembleResult {
  /** the installed packages, in rpm's install order (on a base: only those this build added) */
  packages: { nevra: string; repo: string }[];
  /**
   * a build on a base (`from`): how many of the base's packages stayed as they were, and what
   * happened to the others (upgrade, downgrade, reinstall, obsolete: from → to; erase)
   */
  base?: { source: string; kept: number; changes: BaseChange[] };
  /** bytes written to the output */
  bytes: number;
  /** the image's manifest digest (sha256:…) for push, oci and oci-archive outputs */
  digest?: string;
  /** a multi-arch build (`platforms`): each platform's manifest digest and package count; `digest` is then the index's */
  platforms?: { platform: string; digest: string; packages: number }[];
  /** what was pushed, REGISTRY/REPO:TAG, when the build pushed */
  pushed?: string;
  /** the output path as given ('-' for stdout) */
  output: string;
  /** every warning's message (each was also an onEvent 'warning' event) */
  warnings: string[];
  /** signatures: packages verified per key, and per repo the packages that went unverified and why */
  gpg: { verified: number; keys: GpgKeyUse[]; unverified: GpgUnverified[] };
  /** scriptlets reproduced by emulation, and those that were not (package, scriptlet, first line, why) */
  scriptlets: { emulated: number; skipped: { nevra: string; scriptlet: string; firstLine: string; reason: string }[] };
}
