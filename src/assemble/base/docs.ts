// The image-spec documents a base is made of (index / manifest list, image manifest) and their
// descriptors, checked for their shape before any field is used, by the readers of a layout or
// archive on disk and of a registry alike: both are untrusted, digests become file names and
// sizes bound reads. `refuse` makes each caller's error (its code, subject and prefix).
import { untrusted, type RfsError } from '../../errors/index.js';
import { DOCKER_MANIFEST_LIST, OCI_CONFIG, OCI_INDEX, OCI_LAYER, OCI_LAYER_GZIP, OCI_MANIFEST, SHA256_DIGEST } from '../output/oci-spec.js';

/** Says what is wrong with a document (the caller adds which image and where). */
export type Refuse = (why: string, hint?: string) => RfsError;
export type Json = Record<string, unknown>;

/** containers/image's limit for manifests and configs: real ones are a few KiB */
export const DOC_MAX = 4 << 20;
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const INDEX_TYPES: readonly string[] = [OCI_INDEX, DOCKER_MANIFEST_LIST];
export const IMAGE_TYPES: readonly string[] = [OCI_MANIFEST, DOCKER_MANIFEST];
const CONFIG_TYPES: readonly string[] = [OCI_CONFIG, 'application/vnd.docker.container.image.v1+json'];
const OCI_LAYER_ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';
/** layer media types a base may have, to the OCI one its BaseLayer carries */
const LAYER_TYPES: Record<string, string> = {
  [OCI_LAYER]: OCI_LAYER, [OCI_LAYER_GZIP]: OCI_LAYER_GZIP, [OCI_LAYER_ZSTD]: OCI_LAYER_ZSTD,
  'application/vnd.docker.image.rootfs.diff.tar': OCI_LAYER,
  'application/vnd.docker.image.rootfs.diff.tar.gzip': OCI_LAYER_GZIP,
  'application/vnd.docker.image.rootfs.diff.tar.zstd': OCI_LAYER_ZSTD,
};

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseJson(bytes: Uint8Array, what: string, refuse: Refuse): unknown {
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as unknown;
  } catch {
    throw refuse(`${what} is not JSON`);
  }
}

export function object(v: unknown, what: string, refuse: Refuse): Json {
  if (!isObject(v)) throw refuse(`${what} is not a JSON object`);
  return v;
}

export function list(v: unknown, what: string, refuse: Refuse): unknown[] {
  if (!Array.isArray(v)) throw refuse(`${what} is not a list`);
  return v;
}

export function string(v: unknown, what: string, refuse: Refuse): string {
  if (typeof v !== 'string') throw refuse(`${what} is not a string`);
  return v;
}

export function optString(v: unknown, what: string, refuse: Refuse): string | undefined {
  return v === undefined ? undefined : string(v, what, refuse);
}

export interface Platform { architecture?: string; os?: string; variant?: string }

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations: Record<string, string>;
  platform?: Platform;
}

export function descriptor(v: unknown, what: string, refuse: Refuse): Descriptor {
  if (!isObject(v)) throw refuse(`${what} is not a descriptor object`);
  const { mediaType, digest, size } = v;
  if (typeof mediaType !== 'string' || mediaType.length > 255) throw refuse(`${what} has no media type`);
  if (typeof digest !== 'string' || !SHA256_DIGEST.test(digest)) throw refuse(`${what} has the digest ${untrusted(String(digest), 100)}, not sha256:HEX`, 'only sha256 digests are accepted');
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw refuse(`${what} has no valid size`);
  const d: Descriptor = { mediaType, digest, size, annotations: {} };
  if (v.annotations !== undefined) {
    for (const [k, a] of Object.entries(object(v.annotations, `${what}.annotations`, refuse))) if (typeof a === 'string') d.annotations[k] = a;
  }
  if (v.platform !== undefined) {
    const p = object(v.platform, `${what}.platform`, refuse);
    d.platform = {};
    for (const k of ['architecture', 'os', 'variant'] as const) {
      const s = optString(p[k], `${what}.platform.${k}`, refuse);
      if (s !== undefined) d.platform[k] = s;
    }
  }
  return d;
}

/** The OCI layer media type for an OCI or docker one; others (foreign layers, encrypted) are refused. */
export function layerMediaType(t: string, what: string, refuse: Refuse): string {
  const oci = LAYER_TYPES[t];
  if (oci !== undefined) return oci;
  throw refuse(`${what} is of type ${untrusted(t, 100)}`, /foreign|nondistributable/.test(t)
    ? 'layers fetched from elsewhere (Windows base layers) are not read'
    : 'a layer is a tar, tar+gzip or tar+zstd');
}

/** An index's (or manifest list's) entries: at least one. */
export function parseIndex(doc: Json, refuse: Refuse): Descriptor[] {
  if (doc.schemaVersion !== 2) throw refuse('the index is not schemaVersion 2');
  if (!Array.isArray(doc.manifests)) throw refuse('the index has no manifests list');
  if (doc.manifests.length === 0) throw refuse('the index lists no images');
  return doc.manifests.map((m: unknown, i) => descriptor(m, `manifests[${i}]`, refuse));
}

/** An image manifest: its config, and its layers with their OCI media types. */
export function parseManifest(doc: Json, refuse: Refuse): { config: Descriptor; layers: Descriptor[] } {
  if (doc.schemaVersion !== 2) throw refuse('the manifest is not schemaVersion 2');
  const config = descriptor(doc.config, 'the config descriptor', refuse);
  if (!CONFIG_TYPES.includes(config.mediaType)) throw refuse(`the config is of type ${untrusted(config.mediaType, 100)}`, 'this manifest is not a container image (an artifact?)');
  if (config.size > DOC_MAX) throw refuse(`the config is ${config.size} bytes, more than ${DOC_MAX}`);
  if (!Array.isArray(doc.layers)) throw refuse('the manifest has no layers list');
  const layers = doc.layers.map((l: unknown, i) => {
    const d = descriptor(l, `layers[${i}]`, refuse);
    return { ...d, mediaType: layerMediaType(d.mediaType, `layers[${i}]`, refuse) };
  });
  return { config, layers };
}
