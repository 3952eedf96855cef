// OCI image layout (image-spec image-layout.md): oci-layout, index.json naming the manifest with
// org.opencontainers.image.ref.name, and blobs/sha256/{manifest,config,layer(tar+gzip)}.
import { writeLayoutArchive, writeLayoutDir } from './archive.js';
import type { LayoutFile } from './archive.js';
import { baseBlobs } from './base-layers.js';
import { imageRef, ociConfigJson } from './image-config.js';
import { withSpooledLayers } from './layer.js';
import { OCI_CONFIG, OCI_INDEX, OCI_MANIFEST, REF_NAME, sha256Digest } from './oci-spec.js';
import type { SpooledLayer } from './layer.js';
import type { OutputLayer, OutputResult, WriteOutputOptions } from './types.js';

const enc = new TextEncoder();
const blobPath = (digest: string): string => `blobs/${digest.replace(':', '/')}`;

export function createdSeconds(created: string): number {
  const t = Date.parse(created);
  return Number.isNaN(t) ? 0 : Math.max(0, Math.floor(t / 1000));
}

/** `layers` bottom first; a comment per layer goes into the history (none: the default entry) */
export async function writeOci(layers: OutputLayer[], opts: WriteOutputOptions, asArchive: boolean): Promise<OutputResult> {
  return withSpooledLayers(layers.map((l) => l.entries), opts.tmpDir, 'gzip', opts.signal, (spooled) => writeLayout(spooled, historyOf(layers), opts, asArchive));
}

/** history comments, or undefined for the single default entry */
export function historyOf(layers: OutputLayer[]): string[] | undefined {
  return layers.some((l) => l.comment !== '') ? layers.map((l) => l.comment) : undefined;
}

async function writeLayout(layers: SpooledLayer[], comments: string[] | undefined, opts: WriteOutputOptions, asArchive: boolean): Promise<OutputResult> {
  const config = ociConfigJson(opts.config, layers.map((l) => l.diffId), comments, opts.base);
  const configDigest = sha256Digest(config);
  const manifest = enc.encode(JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: configDigest, size: config.length },
    layers: [...(opts.base?.layers ?? []), ...layers].map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
  }));
  const manifestDigest = sha256Digest(manifest);
  const ref = imageRef(opts.config, opts.ref);
  const index = enc.encode(JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [{
      mediaType: OCI_MANIFEST, digest: manifestDigest, size: manifest.length,
      annotations: { [REF_NAME]: `${ref.name}:${ref.tag}` },
    }],
  }));
  // two equal layers are one blob; the base's are copied (checked on the way), ours moved
  const all: LayoutFile[] = [
    { path: blobPath(configDigest), bytes: config },
    ...baseBlobs(opts.base?.layers ?? []),
    ...layers.map((l) => ({ path: blobPath(l.digest), file: l.file, size: l.size })),
    { path: blobPath(manifestDigest), bytes: manifest },
  ];
  const blobs = [...new Map(all.map((f) => [f.path, f])).values()].sort((a, b) => (a.path < b.path ? -1 : 1));
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
