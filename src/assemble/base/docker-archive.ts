// A `docker save` archive: manifest.json lists each image's config file and layer files (tar or
// gzip). They carry no digests of their own, so each layer's is computed here, in one pass.
import { untrusted } from '../../errors/index.js';
import { sniffCodec } from '../../decompress/index.js';
import { OCI_LAYER, OCI_LAYER_GZIP } from '../output/oci-spec.js';
import { badImage, refusers, sha256Span, spanBytes } from './blobs.js';
import type { BlobStore, Span } from './blobs.js';
import { checkArch, parseImageConfig } from './config.js';
import { list, object, parseJson, string, type Json, type Refuse } from './docs.js';
import type { BaseImage, BaseLayer } from './types.js';

const CODEC_TYPES: Record<string, string> = {
  none: OCI_LAYER,
  gzip: OCI_LAYER_GZIP,
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
};

function must(store: BlobStore, path: string, what: string): Span {
  const s = store.member(path);
  if (!s) throw badImage(store.source, `${what} ${untrusted(path, 100)} is not in the archive`);
  return s;
}

async function firstBytes(s: Span): Promise<Uint8Array> {
  return spanBytes({ ...s, size: Math.min(s.size, 6) }, s.file, 'layer start');
}

function pickImage(entries: Json[], ref: string | undefined, usage: Refuse): Json {
  if (ref === undefined) {
    if (entries.length === 1) return entries[0]!;
    throw usage(`the archive holds ${entries.length} images`, 'name one as docker-archive:FILE:NAME:TAG');
  }
  const want = ref.includes(':') ? ref : `${ref}:latest`;
  const found = entries.find((e) => Array.isArray(e.RepoTags) && e.RepoTags.some((t) => t === want || t === `localhost/${want}` || t === `docker.io/library/${want}`));
  if (!found) throw usage(`no image tagged "${untrusted(ref)}" in the archive`);
  return found;
}

export async function openDockerArchive(store: BlobStore, opts: { ref?: string; arch: string; signal?: AbortSignal }): Promise<BaseImage> {
  const src = store.source;
  const { bad, usage } = refusers(src);
  const manifest = must(store, 'manifest.json', 'manifest');
  const entries = list(parseJson(await spanBytes(manifest, src, 'manifest.json'), 'manifest.json', bad), 'manifest.json', bad)
    .map((e, i) => object(e, `manifest.json[${i}]`, bad));
  const image = pickImage(entries, opts.ref, usage);
  const paths = list(image.Layers, 'Layers', bad).map((p, i) => string(p, `Layers[${i}]`, bad));
  const configBytes = await spanBytes(must(store, string(image.Config, 'Config', bad), 'config'), src, 'image config');
  const { config, diffIds } = parseImageConfig(parseJson(configBytes, 'the image config', bad), paths.length, bad);
  checkArch(config, opts.arch, usage);
  const layers: BaseLayer[] = [];
  for (const [i, p] of paths.entries()) {
    const span = must(store, p, 'layer');
    const codec = sniffCodec(await firstBytes(span));
    const mediaType = CODEC_TYPES[codec];
    if (mediaType === undefined) throw bad(`layer ${untrusted(p, 100)} is ${codec}-compressed; only tar, gzip and zstd layers are read`);
    const digest = await sha256Span(span, opts.signal);
    layers.push({ file: span.file, offset: span.offset, digest, size: span.size, mediaType, diffId: diffIds[i]! });
  }
  return { kind: 'docker-archive', source: src, config, layers };
}
