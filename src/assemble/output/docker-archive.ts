// `docker save` layout as `docker load` and skopeo's docker-archive: read it: manifest.json,
// repositories, <config-hex>.json and <diffid-hex>/layer.tar (uncompressed, as docker writes it).
import { createHash } from 'node:crypto';
import type { TarEntry } from '../../tar/index.js';
import { writeLayoutArchive } from './archive.js';
import type { LayoutFile } from './archive.js';
import { imageRef, ociConfigJson } from './image-config.js';
import { withSpooledLayer } from './layer.js';
import type { SpooledLayer } from './layer.js';
import { createdSeconds } from './oci.js';
import type { OutputResult, WriteOutputOptions } from './types.js';

const enc = new TextEncoder();

export async function writeDockerArchive(entries: AsyncIterable<TarEntry>, opts: WriteOutputOptions): Promise<OutputResult> {
  return withSpooledLayer(entries, opts.tmpDir, 'none', opts.signal, (layer) => writeLayout(layer, opts));
}

async function writeLayout(layer: SpooledLayer, opts: WriteOutputOptions): Promise<OutputResult> {
  const config = ociConfigJson(opts.config, [layer.diffId]);
  const configHex = createHash('sha256').update(config).digest('hex');
  const layerHex = layer.diffId.slice('sha256:'.length);
  const ref = imageRef(opts.config, opts.ref);
  const manifest = [{ Config: `${configHex}.json`, RepoTags: [`${ref.name}:${ref.tag}`], Layers: [`${layerHex}/layer.tar`] }];
  const files: LayoutFile[] = [
    { path: `${configHex}.json`, bytes: config },
    { path: `${layerHex}/VERSION`, bytes: enc.encode('1.0') },
    { path: `${layerHex}/layer.tar`, file: layer.file, size: layer.size },
    { path: 'manifest.json', bytes: enc.encode(JSON.stringify(manifest)) },
    { path: 'repositories', bytes: enc.encode(JSON.stringify({ [ref.name]: { [ref.tag]: layerHex } })) },
  ];
  const bytes = await writeLayoutArchive(opts.path, files, createdSeconds(opts.config.created), opts.signal);
  return { bytes, digest: `sha256:${configHex}` };
}
