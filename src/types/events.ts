// Progress is data: the library emits these; only src/cli renders them.

export type Phase =
  | 'base'
  | 'metadata'
  | 'resolve'
  | 'download'
  | 'unpack'
  | 'scriptlets'
  | 'rpmdb'
  | 'write';

export type AssembleEvent =
  | { kind: 'phase:start'; phase: Phase; total?: number }
  | { kind: 'phase:end'; phase: Phase; ms: number }
  | { kind: 'fetch:start'; url: string; bytesTotal?: number; attempt: number }
  | { kind: 'fetch:progress'; url: string; bytes: number; bytesTotal?: number }
  | { kind: 'fetch:done'; url: string; bytes: number; fromCache: boolean }
  | { kind: 'fetch:retry'; url: string; attempt: number; reason: string; delayMs: number }
  | { kind: 'repo:loaded'; repo: string; packages: number; fromCache: boolean }
  /** downloadBytes: the chosen packages' sizes summed (what the download phase fetches, cached or not) */
  | { kind: 'resolve:done'; packages: number; ms: number; downloadBytes?: number }
  | { kind: 'package:downloaded'; nevra: string; bytes: number; fromCache: boolean }
  | { kind: 'package:unpacked'; nevra: string; files: number; bytes: number }
  | { kind: 'scriptlet:emulated'; nevra: string; scriptlet: string; actions: string[] }
  | { kind: 'scriptlet:skipped'; nevra: string; scriptlet: string; firstLine: string; reason: string }
  /** after downloads: which packages' signatures verified (per key) and which went unverified (per repo, why) */
  | { kind: 'gpg:summary'; verified: GpgKeyUse[]; unverified: GpgUnverified[] }
  | { kind: 'warning'; code: string; message: string; subject?: string }
  /** --format dir: device nodes and fifos made on disk (mknod/mkfifo) vs only recorded in the ownership sidecar */
  | { kind: 'output:nodes'; created: number; recorded: number; devices: boolean; sidecar: string }
  /** a build on a base image (--from, update): how many of its packages stayed, what happened to the others */
  | { kind: 'base:changes'; source: string; kept: number; changes: BaseChange[] }
  | { kind: 'done'; packages: number; bytes: number; ms: number; output: string };

/** What a build on a base did to one installed package (from -> to), with the advisories that ship `to`. */
export interface BaseChange {
  kind: 'upgrade' | 'downgrade' | 'reinstall' | 'obsolete' | 'erase';
  from: string;
  to?: string;
  /** with an upgrade (`update`): the repos' advisories (updateinfo.xml) that ship `to` */
  advisories?: { id: string; type: string; severity?: string }[];
}

/** why a package's signature was not required: --nogpgcheck, the repo's gpgcheck off, a --repofrompath repo without --gpgkey */
export type UnverifiedReason = 'nogpgcheck' | 'gpgcheck-off' | 'no-key';

export interface GpgKeyUse {
  /** signing (sub)key id and fingerprint, hex */
  keyId: string;
  fingerprint: string;
  userId: string | null;
  /** key file as named (definition key name, URL, or a local file's base name) */
  file: string;
  packages: number;
}

export interface GpgUnverified {
  repo: string;
  reason: UnverifiedReason;
  packages: number;
}

export type EventSink = (event: AssembleEvent) => void;
