// The image config a derived image inherits, and the platform rules: which entry of an index is
// the build's, and whether one image is. A base of another architecture would give an image of
// two (rpm would install ours on theirs). Shared by the disk and registry readers.
import { untrusted } from '../../errors/index.js';
import { SHA256_DIGEST } from '../output/oci-spec.js';
import { ociArch } from '../output/image-config.js';
import { isObject, object, optString, type Descriptor, type Platform, type Refuse } from './docs.js';
import type { BaseConfig } from './types.js';

/** The inherited parts of an image config, and its layers' diff_ids (one per layer, checked). */
export function parseImageConfig(doc: unknown, layers: number, refuse: Refuse): { config: BaseConfig; diffIds: string[] } {
  const o = object(doc, 'the image config', refuse);
  const rootfs = o.rootfs;
  if (!isObject(rootfs) || rootfs.type !== 'layers' || !Array.isArray(rootfs.diff_ids)) throw refuse('the image config has no rootfs.diff_ids');
  const diffIds = rootfs.diff_ids.map((d: unknown) => {
    if (typeof d !== 'string' || !SHA256_DIGEST.test(d)) throw refuse(`the image config has the diff_id ${untrusted(String(d), 100)}, not sha256:HEX`);
    return d;
  });
  if (diffIds.length !== layers) throw refuse(`the image config lists ${diffIds.length} diff_ids for ${layers} layers`);
  const inner = o.config ?? {};
  if (!isObject(inner)) throw refuse("the image config's config is not an object");
  const history = o.history ?? [];
  if (!Array.isArray(history) || !history.every(isObject)) throw refuse("the image config's history is not a list of objects");
  const config: BaseConfig = { config: inner, history };
  for (const k of ['architecture', 'variant', 'os'] as const) {
    const s = optString(o[k], `the image config's ${k}`, refuse);
    if (s !== undefined) config[k] = s;
  }
  return { config, diffIds };
}

const platformText = (p: Platform | undefined): string =>
  p ? untrusted([p.os, p.architecture, p.variant].filter((x) => x !== undefined && x !== '').join('/'), 60) : '(no platform)';

/** One image (not an index entry) must be for linux on the build's arch; one naming none passes. */
export function checkArch(c: BaseConfig, rpmArch: string, refuse: Refuse): void {
  const want = ociArch(rpmArch);
  if ((c.architecture !== undefined && c.architecture !== want.architecture) || (c.os !== undefined && c.os !== 'linux')) {
    throw refuse(`the image is for ${platformText({ os: c.os ?? '?', architecture: c.architecture ?? '?' })}, the build is for linux/${want.architecture} (${untrusted(rpmArch, 40)})`,
      'use a base image of the build\'s arch (a multi-arch one, or the right platform\'s), or build for the image\'s (--arch)');
  }
}

/** The index entry for linux on the build's arch, of a type in `types`: the same variant first, else one naming none. */
export function choosePlatform(entries: Descriptor[], rpmArch: string, types: readonly string[], refuse: Refuse): Descriptor {
  const want = ociArch(rpmArch);
  const fits = entries.filter((e) => e.platform?.os === 'linux' && e.platform.architecture === want.architecture && types.includes(e.mediaType));
  const found = fits.find((e) => e.platform?.variant === want.variant) ?? fits.find((e) => e.platform?.variant === undefined || want.variant === undefined);
  if (found) return found;
  const have = [...new Set(entries.map((e) => platformText(e.platform)))];
  throw refuse(`the index has no image for ${platformText({ os: 'linux', ...want })} (the build's arch ${untrusted(rpmArch, 40)}); it has ${have.slice(0, 20).join(', ') || 'none'}`,
    'pick another base image, or build for one of the listed platforms (--arch)');
}
