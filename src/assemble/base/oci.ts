// An OCI image layout (a directory, or an oci-archive's members): index.json -> (nested index)
// -> the manifest for our architecture or the ref asked for -> config and layers, each document
// and blob checked against its digest before it is used.
import { untrusted } from '../../errors/index.js';
import { REF_NAME } from '../output/oci-spec.js';
import { blobSpan, refusers, spanBytes, verifySpan } from './blobs.js';
import type { BlobStore } from './blobs.js';
import { checkArch, choosePlatform, parseImageConfig } from './config.js';
import { IMAGE_TYPES, INDEX_TYPES, object, parseIndex, parseJson, parseManifest, type Descriptor, type Json, type Refuse } from './docs.js';
import type { BaseImage, BaseKind, BaseLayer } from './types.js';

const MAX_NESTING = 4;
const FOLLOWED = [...IMAGE_TYPES, ...INDEX_TYPES];

export interface OpenOciOptions {
  kind: BaseKind;
  ref?: string;
  arch: string;
  signal?: AbortSignal;
}

async function doc(store: BlobStore, d: Descriptor, what: string, refuse: Refuse, signal?: AbortSignal): Promise<Json> {
  const span = blobSpan(store, d.digest, d.size);
  const bytes = await spanBytes(span, store.source, what);
  await verifySpan(span, d.digest, store.source, signal);
  return object(parseJson(bytes, `the ${what}`, refuse), `the ${what}`, refuse);
}

/** The top index is narrowed to the ref asked for; a lone entry is taken whatever its platform
 * (a layout's index often names none), its config's architecture is checked instead. */
function pick(list: Descriptor[], opts: OpenOciOptions, top: boolean, usage: Refuse): Descriptor {
  let cands = list;
  if (top && opts.ref !== undefined) {
    const ref = opts.ref;
    cands = list.filter((d) => d.annotations[REF_NAME] === ref);
    if (cands.length === 0) {
      const names = list.map((d) => d.annotations[REF_NAME]).filter((n): n is string => n !== undefined);
      throw usage(`no image named "${untrusted(ref)}" in the layout`,
        names.length > 0 ? `it holds: ${names.slice(0, 20).map((n) => untrusted(n, 60)).join(', ')}` : 'it names no images: leave out the :REF');
    }
  }
  return cands.length === 1 ? cands[0]! : choosePlatform(cands, opts.arch, FOLLOWED, usage);
}

async function manifestOf(store: BlobStore, opts: OpenOciOptions): Promise<Descriptor> {
  const { bad, usage } = refusers(store.source);
  const indexSpan = store.member('index.json');
  if (!indexSpan) throw bad('index.json is missing');
  let index = object(parseJson(await spanBytes(indexSpan, store.source, 'index.json'), 'index.json', bad), 'index.json', bad);
  for (let depth = 0; depth < MAX_NESTING; depth++) {
    const d = pick(parseIndex(index, bad), opts, depth === 0, usage);
    if (IMAGE_TYPES.includes(d.mediaType)) return d;
    if (!INDEX_TYPES.includes(d.mediaType)) throw bad(`manifest media type "${untrusted(d.mediaType, 80)}" is not an image manifest or index`);
    index = await doc(store, d, 'nested index', bad, opts.signal);
  }
  throw bad(`indexes nested more than ${MAX_NESTING} deep`);
}

export async function openOci(store: BlobStore, opts: OpenOciOptions): Promise<BaseImage> {
  const src = store.source;
  const { bad, usage } = refusers(src);
  const m = parseManifest(await doc(store, await manifestOf(store, opts), 'manifest', bad, opts.signal), bad);
  const { config, diffIds } = parseImageConfig(await doc(store, m.config, 'image config', bad, opts.signal), m.layers.length, bad);
  checkArch(config, opts.arch, usage);
  const layers: BaseLayer[] = [];
  for (const [i, d] of m.layers.entries()) {
    const span = blobSpan(store, d.digest, d.size);
    await verifySpan(span, d.digest, src, opts.signal);
    layers.push({ file: span.file, offset: span.offset, digest: d.digest, size: d.size, mediaType: d.mediaType, diffId: diffIds[i]! });
  }
  return { kind: opts.kind, source: src, config, layers };
}
