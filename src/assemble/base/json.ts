// Shape checks for the JSON documents of a base image (hostile input: bounded before parsing,
// every field used is checked for its type), and the image config a derived image inherits.
import { untrusted } from '../../errors/index.js';
import { badImage, DIGEST } from './blobs.js';
import type { BaseConfig } from './types.js';

export type Obj = Record<string, unknown>;

export function parseDoc(bytes: Uint8Array, source: string, what: string): unknown {
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as unknown;
  } catch {
    throw badImage(source, `${what} is not valid JSON`);
  }
}

export function obj(v: unknown, source: string, what: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw badImage(source, `${what} is not an object`);
  return v as Obj;
}

export function arr(v: unknown, source: string, what: string): unknown[] {
  if (!Array.isArray(v)) throw badImage(source, `${what} is not a list`);
  return v;
}

export function str(v: unknown, source: string, what: string): string {
  if (typeof v !== 'string') throw badImage(source, `${what} is not a string`);
  return v;
}

export function optStr(v: unknown, source: string, what: string): string | undefined {
  return v === undefined ? undefined : str(v, source, what);
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations: Record<string, string>;
  platform?: { architecture?: string; os?: string; variant?: string };
}

export function descriptor(v: unknown, source: string, what: string): Descriptor {
  const o = obj(v, source, what);
  const digest = str(o.digest, source, `${what}.digest`);
  if (!DIGEST.test(digest)) throw badImage(source, `${what}.digest "${untrusted(digest, 80)}" is not sha256:<64 hex>`);
  const size = o.size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw badImage(source, `${what}.size is not a byte count`);
  const annotations: Record<string, string> = {};
  if (o.annotations !== undefined) {
    for (const [k, a] of Object.entries(obj(o.annotations, source, `${what}.annotations`))) if (typeof a === 'string') annotations[k] = a;
  }
  const d: Descriptor = { mediaType: str(o.mediaType ?? '', source, `${what}.mediaType`), digest, size, annotations };
  if (o.platform !== undefined) {
    const p = obj(o.platform, source, `${what}.platform`);
    const opt = (k: string): string | undefined => optStr(p[k], source, `${what}.platform.${k}`);
    d.platform = {};
    for (const k of ['architecture', 'os', 'variant'] as const) {
      const s = opt(k);
      if (s !== undefined) d.platform[k] = s;
    }
  }
  return d;
}

const LAYER_TYPES: Record<string, string> = {
  'application/vnd.oci.image.layer.v1.tar': 'application/vnd.oci.image.layer.v1.tar',
  'application/vnd.oci.image.layer.v1.tar+gzip': 'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.oci.image.layer.v1.tar+zstd': 'application/vnd.oci.image.layer.v1.tar+zstd',
  'application/vnd.docker.image.rootfs.diff.tar': 'application/vnd.oci.image.layer.v1.tar',
  'application/vnd.docker.image.rootfs.diff.tar.gzip': 'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.docker.image.rootfs.diff.tar.zstd': 'application/vnd.oci.image.layer.v1.tar+zstd',
};

/** The OCI layer media type for an OCI or docker one; others (foreign layers, encrypted) are refused. */
export function layerMediaType(t: string, source: string): string {
  const m = LAYER_TYPES[t];
  if (m === undefined) throw badImage(source, `layer media type "${untrusted(t, 80)}" is not a tar, tar+gzip or tar+zstd layer`);
  return m;
}

/** The inherited parts of an image config, and its diff_ids. */
export function imageConfig(doc: unknown, source: string): { config: BaseConfig; diffIds: string[] } {
  const o = obj(doc, source, 'image config');
  const rootfs = obj(o.rootfs, source, 'image config rootfs');
  const diffIds = arr(rootfs.diff_ids, source, 'rootfs.diff_ids').map((d, i) => {
    const s = str(d, source, `rootfs.diff_ids[${i}]`);
    if (!DIGEST.test(s)) throw badImage(source, `rootfs.diff_ids[${i}] "${untrusted(s, 80)}" is not sha256:<64 hex>`);
    return s;
  });
  const history = o.history === undefined ? [] : arr(o.history, source, 'image config history').map((h, i) => obj(h, source, `history[${i}]`));
  const config: BaseConfig = { config: o.config === undefined || o.config === null ? {} : obj(o.config, source, 'image config config'), history };
  const architecture = optStr(o.architecture, source, 'image config architecture');
  const variant = optStr(o.variant, source, 'image config variant');
  const os = optStr(o.os, source, 'image config os');
  if (architecture !== undefined) config.architecture = architecture;
  if (variant !== undefined) config.variant = variant;
  if (os !== undefined) config.os = os;
  return { config, diffIds };
}
