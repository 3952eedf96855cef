// An image spec file (`rootfs-assemble build image.yaml`): the command line's options as data.
// Field names are camelCase here; in the YAML they are the CLI's long flag names (schema.json).
import type { RpmdbFlavour } from '../../types/index.js';

export type SpecOutputFormat = 'tar' | 'oci-archive' | 'oci' | 'docker-archive' | 'dir';

/** an older key spelling that still works; `message` starts with file:line:col */
export interface SpecWarning {
  subject: string;
  message: string;
}

export interface ImageSpec {
  /** the file it came from (messages, and the base of relative paths) */
  fileName: string;
  distro?: string;
  arch?: string;
  /** multi-arch: platforms (linux/amd64) or rpm arches, as --platform */
  platforms?: string[];
  releasever?: string;
  packages: string[];
  noDefaultPackages?: boolean;
  exclude?: string[];
  repos?: {
    mirror?: string;
    repofrompath?: [id: string, url: string][];
    /** .repo files, absolute (resolved against the spec's directory) */
    files?: string[];
    enable?: string[];
    disable?: string[];
  };
  profiles?: string[];
  users?: { name: string; uid: number }[];
  /** --add-file: src absolute (resolved against the spec's directory) */
  files?: { src: string; dest: string; mode?: number }[];
  /** KEY=VALUE */
  env?: string[];
  cmd?: string[];
  entrypoint?: string[];
  labels?: Record<string, string>;
  output?: { path: string; format?: SpecOutputFormat };
  nodocs?: boolean;
  installLangs?: string[];
  weakDeps?: boolean;
  /** --setopt KEY=VALUE entries */
  setopt?: string[];
  skipBroken?: boolean;
  /** true = --best, false = --nobest */
  best?: boolean;
  /** --module NAME:STREAM entries */
  modules?: string[];
  /** false = --nogpgcheck */
  gpgcheck?: boolean;
  /** --gpgkey: files (resolved against the spec's directory) or https URLs */
  gpgkey?: string[];
  strictScriptlets?: boolean;
  runScriptlets?: 'userns';
  repoRewrite?: boolean;
  /** --image-mirror: URL or 'default' */
  imageMirror?: string;
  /** --from: the base image (paths resolved against the spec's directory) */
  from?: string;
  /** --layers: at most this many layers, split by package */
  layers?: number;
  rpmdb?: RpmdbFlavour;
  rpmdbPath?: string;
  clampMtime?: boolean;
  lockfile?: string;
  locked?: string;
  sbom?: string;
  /** --push REGISTRY/REPO:TAG */
  push?: string;
  tlsVerify?: boolean;
  certDir?: string;
  authFile?: string;
  digestFile?: string;
  /** deprecated spellings used (absent when none) */
  warnings?: SpecWarning[];
}
