/** Which rpmdb the target's rpm reads. */
export type RpmdbFlavour =
  | 'bdb-hash-v8' // rpm 4.3/4.4 with BDB 4.2/4.3 (CentOS 4, 5): unsorted hash pages, btree for some indexes
  | 'bdb-hash-v9' // rpm 4.8–4.15 with BDB >= 4.6 (CentOS 6, 7, 8)
  | 'sqlite' // rpm >= 4.16
  | 'ndb'; // SUSE Packages.db

export interface RpmdbTarget {
  flavour: RpmdbFlavour;
  /** absolute path inside the image, e.g. /var/lib/rpm or /usr/lib/sysimage/rpm */
  path: string;
  /** the target's rpm version (x.y[.z]); drives index sets and key encodings per era */
  rpmVersion: string;
  /** byte order of the target architecture for BDB; default little */
  endian?: 'little' | 'big';
  /** when path is /usr/lib/sysimage/rpm, also create /var/lib/rpm -> ../../usr/lib/sysimage/rpm */
  compatSymlink?: boolean;
}

/** One repository, as in a .repo file or a distro definition. */
export interface RepoConfig {
  id: string;
  name?: string;
  baseurl?: string[];
  mirrorlist?: string;
  metalink?: string;
  enabled: boolean;
  gpgcheck?: boolean;
  /** key file names inside repos/keys/ or URLs */
  gpgkey?: string[];
  priority?: number;
  cost?: number;
  /** globs of package names this repo must not offer */
  exclude?: string[];
  /** globs of package names: when set, the only packages this repo offers */
  includepkgs?: string[];
  /** dnf module_hotfixes */
  moduleHotfixes?: boolean;
}

/** A resolved distro definition: what `centos:4.9` means after tag lookup. */
export interface DistroRelease {
  /** e.g. "centos" */
  distro: string;
  /** e.g. "4.9" */
  release: string;
  /** $releasever substituted into URLs */
  releasever: string;
  /** default $basearch */
  arch: string;
  arches: string[];
  /** mirror root that --mirror rewrites, e.g. https://vault.centos.org/ */
  mirrorRoot: string;
  repos: RepoConfig[];
  /** default package set for a container image */
  packages: string[];
  rpmdb: RpmdbTarget;
  /** human-readable name for labels, e.g. "CentOS 4.9" */
  prettyName: string;
  /** true for end-of-life releases served from a vault */
  eol: boolean;
  /** installonly package names (kernel, ...) */
  installonly?: string[];
}
