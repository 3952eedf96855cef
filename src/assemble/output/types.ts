// Shapes of the output stage (contract in CONTRACTS.md).
import type { TarEntry } from '../../tar/index.js';
import type { BaseConfig, BaseLayer } from '../base/types.js';

export type OutputFormat = 'tar' | 'oci-archive' | 'oci' | 'docker-archive' | 'dir';
export type Compression = 'gzip' | 'xz' | 'zstd' | 'none';

export interface ImageConfig {
  /** rpm arch ('x86_64') or OCI arch ('amd64'); mapped with ociArch() */
  architecture: string;
  os: 'linux';
  env: string[];
  cmd?: string[];
  entrypoint?: string[];
  labels: Record<string, string>;
  stopSignal?: string;
  volumes?: string[];
  workingDir?: string;
  user?: string;
  /** ISO 8601, from SOURCE_DATE_EPOCH */
  created: string;
}

export interface WriteOutputOptions {
  format: OutputFormat;
  /** file or directory to create; '-' = `stdout` (tar only) */
  path: string;
  /** tar only; default from the extension (.gz/.tgz, .xz, .zst), else none */
  compression?: Compression;
  config: ImageConfig;
  /** where layers are spooled; must be writable and have room for one layer */
  tmpDir: string;
  signal?: AbortSignal;
  /** destination for path '-' (the CLI passes process.stdout) */
  stdout?: NodeJS.WritableStream;
  /** tar: also return the sha256 of the written file (hashing costs ~0.6 s of CPU per GB) */
  digest?: boolean;
  /** image reference for oci/docker archives, e.g. 'centos:4.9'; default from labels name/version */
  ref?: string;
  /** dir: apply ownership and create device nodes (needs root); default: whether running as root */
  privileged?: boolean;
  /**
   * The entries' body chunks are valid only until the next chunk is asked for (the producer
   * reuses its read buffer); outputs that keep chunks longer copy them.
   */
  transientBodies?: boolean;
  /**
   * oci, oci-archive, docker-archive: the base image (--from) under our layers: its layers first
   * (as stored, or as tars in a docker-archive), its config's history and diff_ids first, its
   * architecture/os/variant and its config's keys ImageConfig does not govern (ExposedPorts, ...).
   * `config` (ImageConfig) is already merged over the base's (buildImageConfig). tar and dir
   * write the flattened tree and ignore it.
   */
  base?: { layers: BaseLayer[]; config?: BaseConfig };
}

/** One layer of a layered image (oci, oci-archive, docker-archive): its entries and history comment. */
export interface OutputLayer {
  entries: () => AsyncIterable<TarEntry>;
  /** the image history entry's comment, e.g. the layer's packages */
  comment: string;
}

export interface OutputResult {
  /** bytes written at `path` (for directories: bytes of all files) */
  bytes: number;
  /** tar: sha256 of the written file; oci/oci-archive: manifest digest; docker-archive: config digest (image id) */
  digest?: string;
  /** dir: device nodes and fifos created on disk vs only recorded in the ownership sidecar */
  nodes?: { created: number; recorded: number; devices: boolean; fifos: boolean };
}
