// A `docker save` archive: manifest.json lists each image's config file and layer files (tar or
// gzip). They carry no digests of their own, so each layer's is computed here, in one pass.
import { RfsError, untrusted } from '../../errors/index.js';
import { sniffCodec } from '../../decompress/index.js';
import { badImage, sha256Span, spanBytes } from './blobs.js';
import type { BlobStore, Span } from './blobs.js';
import { arr, imageConfig, obj, parseDoc, str } from './json.js';
import { checkArch } from './oci.js';
import type { BaseImage, BaseLayer } from './types.js';

const CODEC_TYPES: Record<string, string> = {
  none: 'application/vnd.oci.image.layer.v1.tar',
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
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

function pickImage(entries: Record<string, unknown>[], ref: string | undefined, source: string): Record<string, unknown> {
  if (ref === undefined) {
    if (entries.length === 1) return entries[0]!;
    throw new RfsError('RFS_USAGE', `reading base image: the archive holds ${entries.length} images`, {
      subject: source, hint: 'name one as docker-archive:FILE:NAME:TAG',
    });
  }
  const want = ref.includes(':') ? ref : `${ref}:latest`;
  const found = entries.find((e) => Array.isArray(e.RepoTags) && e.RepoTags.some((t) => t === want || t === `localhost/${want}` || t === `docker.io/library/${want}`));
  if (!found) throw new RfsError('RFS_USAGE', `reading base image: no image tagged "${untrusted(ref)}" in the archive`, { subject: source });
  return found;
}

export async function openDockerArchive(store: BlobStore, opts: { ref?: string; arch: string; signal?: AbortSignal }): Promise<BaseImage> {
  const src = store.source;
  const manifest = must(store, 'manifest.json', 'manifest');
  const entries = arr(parseDoc(await spanBytes(manifest, src, 'manifest.json'), src, 'manifest.json'), src, 'manifest.json')
    .map((e, i) => obj(e, src, `manifest.json[${i}]`));
  const image = pickImage(entries, opts.ref, src);
  const configBytes = await spanBytes(must(store, str(image.Config, src, 'Config'), 'config'), src, 'image config');
  const { config, diffIds } = imageConfig(parseDoc(configBytes, src, 'image config'), src);
  checkArch(config.architecture, opts.arch, src);
  const paths = arr(image.Layers, src, 'Layers').map((p, i) => str(p, src, `Layers[${i}]`));
  if (paths.length !== diffIds.length) throw badImage(src, `the manifest has ${paths.length} layers, the config ${diffIds.length} diff_ids`);
  const layers: BaseLayer[] = [];
  for (const [i, p] of paths.entries()) {
    const span = must(store, p, 'layer');
    const codec = sniffCodec(await firstBytes(span));
    const mediaType = CODEC_TYPES[codec];
    if (mediaType === undefined) throw badImage(src, `layer ${untrusted(p, 100)} is ${codec}-compressed; only tar, gzip and zstd layers are read`);
    const digest = await sha256Span(span, opts.signal);
    layers.push({ file: span.file, offset: span.offset, digest, size: span.size, mediaType, diffId: diffIds[i]! });
  }
  return { kind: 'docker-archive', source: src, config, layers };
}
