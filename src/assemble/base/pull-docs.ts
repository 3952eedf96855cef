// The documents a registry sends for a pull — image index / manifest list, image manifest, image
// config — checked for the shape image-spec (and Docker's schema 2) gives them before any field
// is used: a registry is untrusted, its digests become file names and its sizes bound downloads.
import { ociArch } from '../output/image-config.js';
import { DOCKER_MANIFEST_LIST, OCI_CONFIG, OCI_INDEX, OCI_LAYER, OCI_LAYER_GZIP, OCI_MANIFEST, type Descriptor } from '../output/oci-spec.js';
import { untrusted, type RfsError } from '../../errors/index.js';
import type { BaseConfig } from './types.js';

export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
/** what a pull accepts, as the Accept header lists it */
export const MANIFEST_TYPES = [OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST];
/** containers/image's limit for manifests and configs: real ones are a few KiB */
export const DOC_MAX = 4 << 20;
const SHA256 = /^sha256:[a-f0-9]{64}$/;
const CONFIG_TYPES = new Set([OCI_CONFIG, 'application/vnd.docker.container.image.v1+json']);
/** layer media types a base may have, to the OCI one its BaseLayer carries */
const LAYER_TYPES: Record<string, string> = {
  [OCI_LAYER]: OCI_LAYER, [OCI_LAYER_GZIP]: OCI_LAYER_GZIP, 'application/vnd.oci.image.layer.v1.tar+zstd': 'application/vnd.oci.image.layer.v1.tar+zstd',
  'application/vnd.docker.image.rootfs.diff.tar.gzip': OCI_LAYER_GZIP,
};

/** Says what is wrong with the registry's answer (the caller adds which one and where). */
export type Refuse = (why: string, hint?: string) => RfsError;

export interface PlatformEntry extends Omit<Descriptor, 'platform'> { platform?: { architecture: string; os: string; variant?: string } }
export type ManifestDoc =
  | { kind: 'index'; manifests: PlatformEntry[] }
  | { kind: 'manifest'; config: Descriptor; layers: Descriptor[] };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseJson(bytes: Uint8Array, what: string, refuse: Refuse): Json {
  let v: unknown;
  try { v = JSON.parse(Buffer.from(bytes).toString('utf8')); } catch { throw refuse(`the ${what} is not JSON`); }
  if (!isObject(v)) throw refuse(`the ${what} is not a JSON object`);
  return v;
}

function descriptor(v: unknown, what: string, refuse: Refuse): Descriptor {
  if (!isObject(v)) throw refuse(`${what} is not a descriptor object`);
  const { mediaType, digest, size } = v;
  if (typeof mediaType !== 'string' || mediaType.length > 255) throw refuse(`${what} has no media type`);
  if (typeof digest !== 'string' || !SHA256.test(digest)) throw refuse(`${what} has the digest ${untrusted(String(digest), 100)}, not sha256:HEX`, 'only sha256 digests are accepted');
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw refuse(`${what} has no valid size`);
  return { mediaType, digest, size };
}

/** The media type the document is: its own mediaType field, else the Content-Type; both must agree. */
export function parseManifest(bytes: Uint8Array, contentType: string | undefined, refuse: Refuse): ManifestDoc {
  const doc = parseJson(bytes, 'manifest', refuse);
  const header = contentType?.split(';')[0]?.trim().toLowerCase();
  const own = doc.mediaType;
  if (own !== undefined && typeof own !== 'string') throw refuse('the manifest has a mediaType that is not a string');
  // image-spec lets a manifest leave mediaType out; a registry then may say only application/json
  const guessed = own === undefined && doc.schemaVersion === 2 && (header === undefined || !MANIFEST_TYPES.includes(header))
    ? (Array.isArray(doc.manifests) ? OCI_INDEX : isObject(doc.config) ? OCI_MANIFEST : undefined) : undefined;
  const type = own ?? guessed ?? header;
  if (type === undefined || !MANIFEST_TYPES.includes(type)) {
    const schema1 = type?.startsWith('application/vnd.docker.distribution.manifest.v1') === true || doc.schemaVersion === 1;
    throw refuse(`the manifest is of type ${untrusted(type ?? '(none)', 100)}`, schema1
      ? 'Docker schema 1 manifests are deprecated and not read: push the image again with a current tool'
      : `a base image is an ${MANIFEST_TYPES.join(', ')}`);
  }
  if (own !== undefined && header !== undefined && MANIFEST_TYPES.includes(header) && header !== own) {
    throw refuse(`the manifest says it is ${untrusted(own, 100)} but was sent as ${untrusted(header, 100)}`);
  }
  if (doc.schemaVersion !== 2) throw refuse('the manifest is not schemaVersion 2');
  if (type === OCI_INDEX || type === DOCKER_MANIFEST_LIST) {
    if (!Array.isArray(doc.manifests)) throw refuse('the index has no manifests list');
    return { kind: 'index', manifests: doc.manifests.map((m, i) => platformEntry(m, `manifests[${i}]`, refuse)) };
  }
  const config = descriptor(doc.config, 'the config descriptor', refuse);
  if (!CONFIG_TYPES.has(config.mediaType)) throw refuse(`the config is of type ${untrusted(config.mediaType, 100)}`, 'this manifest is not a container image (an artifact?)');
  if (config.size > DOC_MAX) throw refuse(`the config is ${config.size} bytes, more than ${DOC_MAX}`);
  if (!Array.isArray(doc.layers)) throw refuse('the manifest has no layers list');
  const layers = doc.layers.map((l: unknown, i) => {
    const d = descriptor(l, `layers[${i}]`, refuse);
    const oci = LAYER_TYPES[d.mediaType];
    if (oci === undefined) {
      throw refuse(`layers[${i}] is of type ${untrusted(d.mediaType, 100)}`, /foreign|nondistributable/.test(d.mediaType)
        ? 'layers fetched from elsewhere (Windows base layers) are not pulled'
        : 'a layer is a tar, tar+gzip or tar+zstd');
    }
    return { ...d, mediaType: oci };
  });
  return { kind: 'manifest', config, layers };
}

function platformEntry(v: unknown, what: string, refuse: Refuse): PlatformEntry {
  const { mediaType, digest, size } = descriptor(v, what, refuse);
  const d = { mediaType, digest, size };
  const p = (v as Json).platform;
  if (!isObject(p) || typeof p.architecture !== 'string' || typeof p.os !== 'string') return d;
  return { ...d, platform: { architecture: p.architecture, os: p.os, ...(typeof p.variant === 'string' ? { variant: p.variant } : {}) } };
}

const platformText = (p: { architecture: string; os: string; variant?: string } | undefined): string =>
  p ? untrusted([p.os, p.architecture, p.variant].filter((x) => x !== undefined && x !== '').join('/'), 60) : '(no platform)';

/** The index entry for linux on the build's arch: the same variant first, else one naming none. */
export function choosePlatform(entries: PlatformEntry[], rpmArch: string, refuse: Refuse): PlatformEntry {
  const want = ociArch(rpmArch);
  const fits = entries.filter((e) => e.platform?.os === 'linux' && e.platform.architecture === want.architecture && MANIFEST_TYPES.includes(e.mediaType));
  const found = fits.find((e) => e.platform?.variant === want.variant) ?? fits.find((e) => e.platform?.variant === undefined || want.variant === undefined);
  if (found) return found;
  const have = [...new Set(entries.map((e) => platformText(e.platform)))];
  throw refuse(`the index has no image for ${platformText({ os: 'linux', ...want })} (the build's arch ${untrusted(rpmArch, 40)}); it has ${have.join(', ') || 'none'}`,
    'pick another base image, or build for one of the listed platforms (--arch / --forcearch)');
}

/** The config a derived image inherits, and its layers' diff_ids (one per layer, checked). */
export function parseConfig(bytes: Uint8Array, layers: number, rpmArch: string, refuse: Refuse): { config: BaseConfig; diffIds: string[] } {
  const doc = parseJson(bytes, 'image config', refuse);
  const rootfs = doc.rootfs;
  if (!isObject(rootfs) || rootfs.type !== 'layers' || !Array.isArray(rootfs.diff_ids)) throw refuse('the image config has no rootfs.diff_ids');
  const diffIds = rootfs.diff_ids.map((d: unknown) => {
    if (typeof d !== 'string' || !SHA256.test(d)) throw refuse(`the image config has the diff_id ${untrusted(String(d), 100)}, not sha256:HEX`);
    return d;
  });
  if (diffIds.length !== layers) throw refuse(`the image config lists ${diffIds.length} diff_ids for ${layers} layers`);
  const str = (k: string): string | undefined => {
    const v = doc[k];
    if (v !== undefined && typeof v !== 'string') throw refuse(`the image config's ${k} is not a string`);
    return v;
  };
  const [architecture, variant, os] = [str('architecture'), str('variant'), str('os')];
  const want = ociArch(rpmArch);
  if ((architecture !== undefined && architecture !== want.architecture) || (os !== undefined && os !== 'linux')) {
    throw refuse(`the image is for ${platformText({ os: os ?? '?', architecture: architecture ?? '?' })}, the build is for linux/${want.architecture} (${untrusted(rpmArch, 40)})`,
      'pick a base image for the build\'s arch (a multi-arch tag, or a digest of the right platform)');
  }
  const inner = doc.config ?? {};
  if (!isObject(inner)) throw refuse("the image config's config is not an object");
  const history = doc.history ?? [];
  if (!Array.isArray(history) || !history.every(isObject)) throw refuse("the image config's history is not a list of objects");
  return {
    config: { ...(architecture !== undefined ? { architecture } : {}), ...(variant !== undefined ? { variant } : {}), ...(os !== undefined ? { os } : {}), config: inner, history },
    diffIds,
  };
}
