// `docker save` layout as `docker load` and skopeo's docker-archive: read it: manifest.json,
// repositories, <config-hex>.json and <diffid-hex>/layer.tar (uncompressed, as docker writes it).
import { createHash } from 'node:crypto';
import { writeLayoutArchive } from './archive.js';
import type { LayoutFile } from './archive.js';
import { imageRef, ociConfigJson } from './image-config.js';
import { withSpooledLayers } from './layer.js';
import type { SpooledLayer } from './layer.js';
import { createdSeconds, historyOf } from './oci.js';
import type { OutputLayer, OutputResult, WriteOutputOptions } from './types.js';

const enc = new TextEncoder();

export async function writeDockerArchive(layers: OutputLayer[], opts: WriteOutputOptions): Promise<OutputResult> {
  return withSpooledLayers(layers.map((l) => l.entries), opts.tmpDir, 'none', opts.signal, (spooled) => writeLayout(spooled, historyOf(layers), opts));
}

async function writeLayout(layers: SpooledLayer[], comments: string[] | undefined, opts: WriteOutputOptions): Promise<OutputResult> {
  const config = ociConfigJson(opts.config, layers.map((l) => l.diffId), comments);
  const configHex = createHash('sha256').update(config).digest('hex');
  const hexes = layers.map((l) => l.diffId.slice('sha256:'.length));
  const top = hexes[hexes.length - 1]!;
  const ref = imageRef(opts.config, opts.ref);
  const manifest = [{ Config: `${configHex}.json`, RepoTags: [`${ref.name}:${ref.tag}`], Layers: hexes.map((h) => `${h}/layer.tar`) }];
  // two equal layers are one folder
  const unique = [...new Map(layers.map((l, i) => [hexes[i]!, l])).entries()];
  const files: LayoutFile[] = [
    { path: `${configHex}.json`, bytes: config },
    ...unique.flatMap(([hex, l]): LayoutFile[] => [
      { path: `${hex}/VERSION`, bytes: enc.encode('1.0') },
      { path: `${hex}/layer.tar`, file: l.file, size: l.size },
    ]),
    { path: 'manifest.json', bytes: enc.encode(JSON.stringify(manifest)) },
    { path: 'repositories', bytes: enc.encode(JSON.stringify({ [ref.name]: { [ref.tag]: top } })) },
  ];
  const bytes = await writeLayoutArchive(opts.path, files, createdSeconds(opts.config.created), opts.signal);
  return { bytes, digest: `sha256:${configHex}` };
}
