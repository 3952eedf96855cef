// OCI image layout (image-spec image-layout.md): oci-layout, index.json naming the manifest with
// org.opencontainers.image.ref.name, and blobs/sha256/{manifest,config,layer(tar+gzip)}.
import { createHash } from 'node:crypto';
import type { TarEntry } from '../../tar/index.js';
import { writeLayoutArchive, writeLayoutDir } from './archive.js';
import type { LayoutFile } from './archive.js';
import { imageRef, ociConfigJson } from './image-config.js';
import { withSpooledLayer } from './layer.js';
import type { SpooledLayer } from './layer.js';
import type { OutputResult, WriteOutputOptions } from './types.js';

const enc = new TextEncoder();
const sha256 = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const blobPath = (digest: string): string => `blobs/${digest.replace(':', '/')}`;

export function createdSeconds(created: string): number {
  const t = Date.parse(created);
  return Number.isNaN(t) ? 0 : Math.max(0, Math.floor(t / 1000));
}

export async function writeOci(entries: AsyncIterable<TarEntry>, opts: WriteOutputOptions, asArchive: boolean): Promise<OutputResult> {
  return withSpooledLayer(entries, opts.tmpDir, 'gzip', opts.signal, (layer) => writeLayout(layer, opts, asArchive));
}

async function writeLayout(layer: SpooledLayer, opts: WriteOutputOptions, asArchive: boolean): Promise<OutputResult> {
  const config = ociConfigJson(opts.config, [layer.diffId]);
  const configDigest = sha256(config);
  const manifest = enc.encode(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
    layers: [{ mediaType: layer.mediaType, digest: layer.digest, size: layer.size }],
  }));
  const manifestDigest = sha256(manifest);
  const ref = imageRef(opts.config, opts.ref);
  const index = enc.encode(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{
      mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifestDigest, size: manifest.length,
      annotations: { 'org.opencontainers.image.ref.name': `${ref.name}:${ref.tag}` },
    }],
  }));
  const blobs: LayoutFile[] = [
    { path: blobPath(configDigest), bytes: config },
    { path: blobPath(layer.digest), file: layer.file, size: layer.size },
    { path: blobPath(manifestDigest), bytes: manifest },
  ].sort((a, b) => (a.path < b.path ? -1 : 1));
  const files: LayoutFile[] = [
    { path: 'oci-layout', bytes: enc.encode(JSON.stringify({ imageLayoutVersion: '1.0.0' })) },
    { path: 'index.json', bytes: index },
    ...blobs,
  ];
  const bytes = asArchive
    ? await writeLayoutArchive(opts.path, files, createdSeconds(opts.config.created), opts.signal)
    : await writeLayoutDir(opts.path, files, opts.signal);
  return { bytes, digest: manifestDigest };
}
