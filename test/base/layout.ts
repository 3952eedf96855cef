// Small OCI layouts for pull tests: each image one or two layers made by tar(1) and gzip(1) from
// files written here, a config naming their diff_ids, a manifest; several images make an index.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const sha = (b: Uint8Array | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export interface Built {
  manifest: { digest: string; bytes: Buffer };
  config: { digest: string; bytes: Buffer };
  layers: { digest: string; diffId: string; size: number; bytes: Buffer }[];
  platform: { architecture: string; os: string; variant?: string };
}

export interface ImageSpec {
  architecture: string;
  variant?: string;
  /** one layer per entry: file name -> contents */
  layers: Record<string, string>[];
  env?: string[];
}

function sh(cmd: string, cwd: string): Buffer {
  const r = spawnSync('sh', ['-c', cmd], { cwd });
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr.toString()}`);
  return r.stdout;
}

/** An OCI layout in `dir` holding the images; one image is its manifest, several an index's entries with platforms. */
export function writeLayout(dir: string, images: ImageSpec[]): Built[] {
  const blobs = join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const put = (b: Buffer): string => {
    const d = sha(b);
    writeFileSync(join(blobs, d.slice(7)), b);
    return d;
  };
  const built = images.map((img, n) => {
    const layers = img.layers.map((files, i) => {
      const src = join(dir, `src-${n}-${i}`);
      mkdirSync(src, { recursive: true });
      for (const [name, text] of Object.entries(files)) writeFileSync(join(src, name), text);
      const tar = sh('tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - .', src);
      const gz = sh(`tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - . | gzip -n`, src);
      return { digest: put(gz), diffId: sha(tar), size: gz.length, bytes: gz };
    });
    const platform = { architecture: img.architecture, os: 'linux', ...(img.variant ? { variant: img.variant } : {}) };
    const configBytes = Buffer.from(JSON.stringify({
      ...platform, config: { Env: img.env ?? ['PATH=/usr/bin'], Cmd: ['/bin/sh'] },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      history: layers.map((_, i) => ({ created_by: `layer ${i}` })),
    }));
    const config = { digest: put(configBytes), bytes: configBytes };
    const manifestBytes = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: configBytes.length },
      layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: l.digest, size: l.size })),
    }));
    return { manifest: { digest: put(manifestBytes), bytes: manifestBytes }, config, layers, platform };
  });
  writeFileSync(join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: built.map((b) => ({
      mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: b.manifest.digest, size: b.manifest.bytes.length, ...(images.length > 1 ? { platform: b.platform } : {}),
    })),
  }));
  return built;
}

/** sha256sum(1) of a file, as "sha256:HEX" */
export function sha256sum(file: string): string {
  return `sha256:${spawnSync('sha256sum', [file], { encoding: 'utf8' }).stdout.split(' ')[0] ?? ''}`;
}

/** sha256 of the file gunzipped by gzip(1) */
export function gunzipSha(file: string): string {
  return sha(spawnSync('gzip', ['-dc'], { input: readFileSync(file) }).stdout);
}
