// An OCI image layout (a directory, or an oci-archive's members): index.json -> (nested index)
// -> the manifest for our architecture or the ref asked for -> config and layers, each document
// and blob checked against its digest before it is used.
import { RfsError, untrusted } from '../../errors/index.js';
import { ociArch } from '../output/image-config.js';
import { badImage, blobSpan, spanBytes, verifySpan } from './blobs.js';
import type { BlobStore } from './blobs.js';
import { arr, descriptor, imageConfig, layerMediaType, obj, parseDoc } from './json.js';
import type { Descriptor } from './json.js';
import type { BaseImage, BaseKind, BaseLayer } from './types.js';

const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);
const MANIFEST_TYPES = new Set(['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json']);
const REF_NAME = 'org.opencontainers.image.ref.name';
const MAX_NESTING = 4;

export interface OpenOciOptions {
  kind: BaseKind;
  ref?: string;
  arch: string;
  signal?: AbortSignal;
}

async function doc(store: BlobStore, d: Descriptor, what: string, signal?: AbortSignal): Promise<unknown> {
  const span = blobSpan(store, d.digest, d.size);
  const bytes = await spanBytes(span, store.source, what);
  await verifySpan(span, d.digest, store.source, signal);
  return parseDoc(bytes, store.source, what);
}

function pick(store: BlobStore, list: Descriptor[], opts: OpenOciOptions, top: boolean): Descriptor {
  let cands = list;
  if (top && opts.ref !== undefined) {
    const ref = opts.ref;
    cands = list.filter((d) => d.annotations[REF_NAME] === ref);
    if (cands.length === 0) {
      const names = list.map((d) => d.annotations[REF_NAME]).filter((n): n is string => n !== undefined);
      throw new RfsError('RFS_USAGE', `reading base image: no image named "${untrusted(ref)}" in the layout`, {
        subject: store.source, hint: names.length > 0 ? `it holds: ${names.slice(0, 20).map((n) => untrusted(n, 60)).join(', ')}` : 'it names no images: leave out the :REF',
      });
    }
  }
  if (cands.length === 1) return cands[0]!;
  const want = ociArch(opts.arch);
  const match = cands.filter((d) => d.platform?.architecture === want.architecture && (d.platform.os ?? 'linux') === 'linux'
    && (want.variant === undefined || d.platform.variant === undefined || d.platform.variant === want.variant));
  if (match.length === 0) {
    throw new RfsError('RFS_USAGE', `reading base image: no image for ${want.architecture} among its ${cands.length}`, {
      subject: store.source, hint: 'pick the platform of the build (--arch), or name one image as oci:DIR:REF',
    });
  }
  return match[0]!;
}

async function manifestOf(store: BlobStore, opts: OpenOciOptions): Promise<Descriptor> {
  const indexSpan = store.member('index.json');
  if (!indexSpan) throw badImage(store.source, 'index.json is missing');
  let index = obj(parseDoc(await spanBytes(indexSpan, store.source, 'index.json'), store.source, 'index.json'), store.source, 'index.json');
  for (let depth = 0; depth < MAX_NESTING; depth++) {
    const list = arr(index.manifests, store.source, 'index manifests').map((m, i) => descriptor(m, store.source, `manifests[${i}]`));
    if (list.length === 0) throw badImage(store.source, 'the index lists no images');
    const d = pick(store, list, opts, depth === 0);
    if (MANIFEST_TYPES.has(d.mediaType)) return d;
    if (!INDEX_TYPES.has(d.mediaType)) throw badImage(store.source, `manifest media type "${untrusted(d.mediaType, 80)}" is not an image manifest or index`);
    index = obj(await doc(store, d, 'nested index', opts.signal), store.source, 'nested index');
  }
  throw badImage(store.source, `indexes nested more than ${MAX_NESTING} deep`);
}

export async function openOci(store: BlobStore, opts: OpenOciOptions): Promise<BaseImage> {
  const src = store.source;
  const m = obj(await doc(store, await manifestOf(store, opts), 'manifest', opts.signal), src, 'manifest');
  const configDesc = descriptor(m.config, src, 'manifest config');
  const { config, diffIds } = imageConfig(await doc(store, configDesc, 'image config', opts.signal), src);
  const descs = arr(m.layers, src, 'manifest layers').map((l, i) => descriptor(l, src, `layers[${i}]`));
  if (descs.length !== diffIds.length) throw badImage(src, `the manifest has ${descs.length} layers, the config ${diffIds.length} diff_ids`);
  checkArch(config.architecture, opts.arch, src);
  const layers: BaseLayer[] = [];
  for (const [i, d] of descs.entries()) {
    const mediaType = layerMediaType(d.mediaType, src);
    const span = blobSpan(store, d.digest, d.size);
    await verifySpan(span, d.digest, src, opts.signal);
    layers.push({ file: span.file, offset: span.offset, digest: d.digest, size: d.size, mediaType, diffId: diffIds[i]! });
  }
  return { kind: opts.kind, source: src, config, layers };
}

/** A base for another architecture would give an image of two (rpm would install ours on theirs). */
export function checkArch(architecture: string | undefined, arch: string, source: string): void {
  const want = ociArch(arch).architecture;
  if (architecture !== undefined && architecture !== want) {
    throw new RfsError('RFS_USAGE', `reading base image: it is for ${untrusted(architecture, 40)}, the build is for ${want}`, {
      subject: source, hint: 'use a base image of the build\'s architecture (--arch)',
    });
  }
}
