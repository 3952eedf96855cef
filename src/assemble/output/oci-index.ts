// Several single-platform OCI layouts (as writeOci makes them) merged into one layout whose
// index.json names an image index blob listing each manifest with its platform, as apko and
// `docker buildx` write multi-arch images. Blobs shared by the layouts are stored once.
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RfsError } from '../../errors/index.js';
import { writeLayoutArchive, writeLayoutDir } from './archive.js';
import type { LayoutFile } from './archive.js';
import { createdSeconds } from './oci.js';
import { OCI_INDEX, OCI_MANIFEST, REF_NAME, sha256Digest, type Descriptor } from './oci-spec.js';

const enc = new TextEncoder();

async function readJson<T>(path: string): Promise<T> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (err) {
    throw new RfsError('RFS_INTERNAL', `merging OCI layouts: reading ${path}: ${err instanceof Error ? err.message : String(err)}`, { subject: path, cause: err });
  }
}

/** The merged layout's files (index.json naming the index blob) and that index's digest; layouts in index order. */
export async function mergeLayouts(layouts: string[]): Promise<{ files: LayoutFile[]; digest: string; created: number }> {
  const blobs = new Map<string, LayoutFile>();
  const manifests: unknown[] = [];
  let refName: string | undefined;
  let created = 0;
  for (const dir of layouts) {
    const top = await readJson<{ manifests: Descriptor[] }>(join(dir, 'index.json'));
    const d = top.manifests[0];
    if (top.manifests.length !== 1 || d === undefined || d.mediaType !== OCI_MANIFEST) {
      throw new RfsError('RFS_INTERNAL', `merging OCI layouts: ${dir} does not hold exactly one image manifest`, { subject: dir });
    }
    const blob = (digest: string): string => join(dir, 'blobs', ...digest.split(':'));
    const manifest = await readJson<{ config: Descriptor }>(blob(d.digest));
    const config = await readJson<{ architecture: string; variant?: string; os: string; created: string }>(blob(manifest.config.digest));
    refName ??= d.annotations?.[REF_NAME];
    created = Math.max(created, createdSeconds(config.created));
    manifests.push({
      mediaType: OCI_MANIFEST, digest: d.digest, size: d.size,
      platform: { architecture: config.architecture, os: config.os, ...(config.variant !== undefined ? { variant: config.variant } : {}) },
    });
    for (const name of await readdir(join(dir, 'blobs', 'sha256'))) {
      const path = `blobs/sha256/${name}`;
      if (blobs.has(path)) continue;
      const file = join(dir, path);
      blobs.set(path, { path, file, size: (await stat(file)).size });
    }
  }
  const index = enc.encode(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
  const digest = sha256Digest(index);
  const top = enc.encode(JSON.stringify({
    schemaVersion: 2, mediaType: OCI_INDEX,
    manifests: [{ mediaType: OCI_INDEX, digest, size: index.length, ...(refName !== undefined ? { annotations: { [REF_NAME]: refName } } : {}) }],
  }));
  blobs.set(`blobs/${digest.replace(':', '/')}`, { path: `blobs/${digest.replace(':', '/')}`, bytes: index });
  const files: LayoutFile[] = [
    { path: 'oci-layout', bytes: enc.encode(JSON.stringify({ imageLayoutVersion: '1.0.0' })) },
    { path: 'index.json', bytes: top },
    ...[...blobs.values()].sort((a, b) => (a.path < b.path ? -1 : 1)),
  ];
  return { files, digest, created };
}

/** Merge `layouts` and write the result as an OCI layout folder or archive; returns bytes and the index digest. */
export async function writeMergedLayout(layouts: string[], path: string, asArchive: boolean, signal?: AbortSignal): Promise<{ bytes: number; digest: string }> {
  const { files, digest, created } = await mergeLayouts(layouts);
  const bytes = asArchive ? await writeLayoutArchive(path, files, created, signal) : await writeLayoutDir(path, files, signal);
  return { bytes, digest };
}
