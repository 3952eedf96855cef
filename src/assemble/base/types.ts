// A base image (--from): where it came from, its config as stored, and its layers as blobs on
// disk, so an output can carry them unchanged and only add one layer of its own.

export type BaseKind = 'oci' | 'oci-archive' | 'docker-archive' | 'tar' | 'dir' | 'registry';

/** One layer of the base, bottom first: its blob as stored (maybe compressed), on local disk. */
export interface BaseLayer {
  /** a file holding exactly the blob's bytes (inside the layout, or copied/downloaded to the work dir) */
  file: string;
  /** byte offset of the blob inside `file` (an uncompressed archive holding it), 0 otherwise */
  offset: number;
  /** sha256 of the blob as stored ("sha256:hex"), checked before the blob is used */
  digest: string;
  size: number;
  /** OCI media type (docker's are mapped to their OCI twins): tar, tar+gzip or tar+zstd */
  mediaType: string;
  /** sha256 of the uncompressed tar (rootfs.diff_ids), checked as the layer is read */
  diffId: string;
}

/** The parts of the base's image config a derived image inherits (image-spec config.md). */
export interface BaseConfig {
  architecture?: string;
  variant?: string;
  os?: string;
  /** the `config` object as stored (User, Env, Entrypoint, Cmd, WorkingDir, Labels, ...) */
  config: Record<string, unknown>;
  /** history entries as stored, one per layer plus empty_layer ones */
  history: Record<string, unknown>[];
}

export interface BaseImage {
  kind: BaseKind;
  /** what the user gave, for messages */
  source: string;
  /** absent for a plain tar or a directory (they have no config) */
  config?: BaseConfig;
  /** bottom first; a plain tar or directory is one uncompressed layer */
  layers: BaseLayer[];
}
