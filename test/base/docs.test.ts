// The image-spec rules the disk and registry readers share (docs.ts, config.ts): where the two
// once differed, the stricter rule now holds on both paths.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RfsError } from '../../src/errors/index.js';
import { checkArch, choosePlatform, parseImageConfig } from '../../src/assemble/base/config.js';
import { descriptor, type Descriptor } from '../../src/assemble/base/docs.js';
import { openBase } from '../../src/assemble/base/open.js';
import { parseManifest } from '../../src/assemble/base/pull-docs.js';
import { failure, hasPython, layerTar, ociLayout } from './helpers.js';

const refuse = (why: string, hint?: string): RfsError => new RfsError('RFS_REGISTRY', why, hint !== undefined ? { hint } : {});
const caught = (fn: () => unknown): RfsError => {
  try { fn(); } catch (e) { if (e instanceof RfsError) return e; throw e; }
  throw new Error('no error');
};
const D = (n: number): string => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const entry = (n: number, platform?: Descriptor['platform']): Descriptor =>
  ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D(n), size: 1, annotations: {}, ...(platform ? { platform } : {}) });
const json = (v: unknown): Uint8Array => Buffer.from(JSON.stringify(v));

describe('the shared document rules', () => {
  it('maps every docker layer type, plain tar and zstd too, to its OCI twin on a pull', () => {
    const doc = parseManifest(json({
      schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: D(1), size: 2 },
      layers: ['tar', 'tar.gzip', 'tar.zstd'].map((t, i) => ({ mediaType: `application/vnd.docker.image.rootfs.diff.${t}`, digest: D(i + 2), size: 3 })),
    }), undefined, refuse);
    expect(doc.kind === 'manifest' && doc.layers.map((l) => l.mediaType)).toEqual(['', '+gzip', '+zstd'].map((s) => `application/vnd.oci.image.layer.v1.tar${s}`));
  });

  it('requires a media type, and a platform whose fields are strings', () => {
    expect(caught(() => descriptor({ digest: D(1), size: 1 }, 'manifests[0]', refuse)).message).toBe('manifests[0] has no media type');
    expect(caught(() => descriptor({ ...entry(1), platform: { architecture: 7 } }, 'manifests[0]', refuse)).message).toBe('manifests[0].platform.architecture is not a string');
  });

  it('chooses the exact variant before one naming none, and only linux', () => {
    const list = [entry(1, { architecture: 'arm64', os: 'linux' }), entry(2, { architecture: 'arm64', os: 'linux', variant: 'v8' }), entry(3, { architecture: 'arm64' })];
    expect(choosePlatform(list, 'aarch64', ['application/vnd.oci.image.manifest.v1+json'], refuse).digest).toBe(D(2));
    expect(choosePlatform([list[0]!], 'aarch64', ['application/vnd.oci.image.manifest.v1+json'], refuse).digest).toBe(D(1));
    const e = caught(() => choosePlatform([list[2]!, entry(4, { architecture: 'amd64', os: 'windows' })], 'x86_64', ['application/vnd.oci.image.manifest.v1+json'], refuse));
    expect(e.message).toBe("the index has no image for linux/amd64 (the build's arch x86_64); it has arm64, windows/amd64");
  });

  it('needs rootfs.type "layers", and refuses an image of another os or arch', () => {
    const cfg = { architecture: 'amd64', os: 'linux', config: null, rootfs: { type: 'layers', diff_ids: [D(1)] } };
    expect(parseImageConfig(cfg, 1, refuse).config).toEqual({ architecture: 'amd64', os: 'linux', config: {}, history: [] });
    expect(caught(() => parseImageConfig({ ...cfg, rootfs: { type: 'other', diff_ids: [D(1)] } }, 1, refuse)).message).toBe('the image config has no rootfs.diff_ids');
    expect(caught(() => checkArch({ architecture: 'amd64', os: 'windows', config: {}, history: [] }, 'x86_64', refuse)).message)
      .toBe('the image is for windows/amd64, the build is for linux/amd64 (x86_64)');
  });
});

describe.skipIf(!hasPython)('the rules on a layout on disk', () => {
  const work = mkdtempSync(join(tmpdir(), 'rfs-basedocs-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('refuses a manifest whose config is not an image config (an artifact), as a pull does', async () => {
    const dir = join(work, 'artifact');
    ociLayout(dir, [layerTar(join(work, 'a.tar'), [{ path: 'f', data: 'x' }])]);
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: { digest: string; size: number }[] };
    const md = index.manifests[0]!;
    const m = JSON.parse(readFileSync(join(dir, 'blobs/sha256', md.digest.slice(7)), 'utf8')) as { config: { mediaType: string } };
    m.config.mediaType = 'application/vnd.cncf.helm.config.v1+json';
    const bytes = Buffer.from(JSON.stringify(m));
    md.digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    md.size = bytes.length;
    writeFileSync(join(dir, 'blobs/sha256', md.digest.slice(7)), bytes);
    writeFileSync(join(dir, 'index.json'), JSON.stringify(index));
    const e = await failure(openBase(dir, { workDir: work, arch: 'x86_64' }));
    expect([e.code, e.message]).toEqual(['RFS_BAD_ARCHIVE', 'reading base image: the config is of type application/vnd.cncf.helm.config.v1+json']);
  });
});
