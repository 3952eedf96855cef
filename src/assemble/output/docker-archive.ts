// `docker save` layout as `docker load` and skopeo's docker-archive: read it: manifest.json,
// repositories, <config-hex>.json and <diffid-hex>/layer.tar (uncompressed, as docker writes it).
import { createHash } from 'node:crypto';
import { writeLayoutArchive } from './archive.js';
import type { LayoutFile } from './archive.js';
import { withBaseTars } from './base-layers.js';
import { imageRef, ociConfigJson } from './image-config.js';
import { withSpooledLayers } from './layer.js';
import type { SpooledLayer } from './layer.js';
import { createdSeconds, historyOf } from './oci.js';
import type { OutputLayer, OutputResult, WriteOutputOptions } from './types.js';

const enc = new TextEncoder();

/** Over a base (opts.base), its layers go in first as uncompressed tars, as docker save writes them. */
export async function writeDockerArchive(layers: OutputLayer[], opts: WriteOutputOptions): Promise<OutputResult> {
  return withBaseTars(opts.base?.layers ?? [], opts.tmpDir, opts.signal, (base) =>
    withSpooledLayers(layers.map((l) => l.entries), opts.tmpDir, 'none', opts.signal, (spooled) => writeLayout(base, spooled, historyOf(layers), opts)));
}

async function writeLayout(base: SpooledLayer[], own: SpooledLayer[], comments: string[] | undefined, opts: WriteOutputOptions): Promise<OutputResult> {
  const config = ociConfigJson(opts.config, own.map((l) => l.diffId), comments, opts.base);
  const configHex = createHash('sha256').update(config).digest('hex');
  const layers = [...base, ...own];
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
