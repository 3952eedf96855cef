// A derived image's config over its base's (--from): what is inherited, what our options
// replace, and the history and diff_ids laid over the base's.
import { describe, expect, it } from 'vitest';
import type { BaseConfig, BaseLayer } from '../../src/assemble/base/types.js';
import { buildImageConfig } from '../../src/assemble/image-config.js';
import { ociConfigJson } from '../../src/assemble/output/index.js';

const CREATED = 1_700_000_000;
const BASE: BaseConfig = {
  architecture: 'arm64',
  variant: 'v8',
  os: 'linux',
  config: {
    Env: ['PATH=/opt/bin:/bin', 'LANG=C', 'FOO=base'],
    Cmd: ['/bin/base-cmd'],
    User: '1000',
    WorkingDir: '/srv',
    StopSignal: 'SIGTERM',
    Volumes: { '/data': {} },
    Labels: { vendor: 'base', keep: 'yes' },
    ExposedPorts: { '80/tcp': {} },
    Healthcheck: { Test: ['CMD', 'true'] },
  },
  history: [
    { created: '2020-01-01T00:00:00Z', created_by: 'ADD rootfs' },
    { created: '2020-01-01T00:00:01Z', created_by: 'ENV FOO=base', empty_layer: true },
    { created: '2020-01-01T00:00:02Z', created_by: 'RUN dnf install x' },
  ],
};
const layer = (n: number): BaseLayer => ({
  file: `/nowhere/${n}`, offset: 0, size: 1, digest: `sha256:${String(n).repeat(64)}`,
  mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', diffId: `sha256:${String(n + 2).repeat(64)}`,
});
const doc = (b: Uint8Array): Record<string, unknown> => JSON.parse(new TextDecoder().decode(b)) as Record<string, unknown>;

describe('buildImageConfig over a base', () => {
  it('keeps the base\'s settings our options leave alone, merges Env by name and Labels, ours winning', () => {
    const c = buildImageConfig(null, 'aarch64', [], null, { env: ['FOO=ours', 'NEW=1'], labels: { vendor: 'us' } }, CREATED, BASE);
    expect(c.env).toEqual(['PATH=/opt/bin:/bin', 'LANG=C', 'FOO=ours', 'NEW=1']);
    expect(c.labels).toMatchObject({ vendor: 'us', keep: 'yes' });
    expect(c).toMatchObject({ cmd: ['/bin/base-cmd'], user: '1000', workingDir: '/srv', stopSignal: 'SIGTERM', volumes: ['/data'] });
    expect(c.entrypoint).toBeUndefined();
  });

  it('lets an explicit command replace the base\'s, and an explicit entrypoint drop it (as docker)', () => {
    expect(buildImageConfig(null, 'aarch64', [], null, { cmd: ['/bin/x'] }, CREATED, BASE).cmd).toEqual(['/bin/x']);
    const ep = buildImageConfig(null, 'aarch64', [], null, { entrypoint: ['/bin/ep'] }, CREATED, BASE);
    expect(ep).toMatchObject({ entrypoint: ['/bin/ep'] });
    expect(ep.cmd).toBeUndefined();
  });

  it('adds the default PATH only when the base has none, and ignores values of the wrong shape', () => {
    const odd: BaseConfig = { config: { Env: ['HOME=/root', 7], Cmd: 'sh -c x', Labels: { n: 1, ok: 'y' } }, history: [] };
    const c = buildImageConfig(null, 'x86_64', [], null, {}, CREATED, odd);
    expect(c.env).toEqual(['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
    expect(c.cmd).toBeUndefined();
    expect(c.labels.ok).toBe('y');
    expect(c.labels.n).toBeUndefined();
    // the same without a base: the defaults as before
    const plain = buildImageConfig(null, 'x86_64', [], null, {}, CREATED);
    expect(plain.cmd).toEqual(['/bin/bash']);
    expect(plain.env).toEqual(['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
  });
});

describe('ociConfigJson over a base', () => {
  const own = buildImageConfig(null, 'aarch64', [], null, { env: ['FOO=ours'] }, CREATED, BASE);

  it('lists the base\'s diff_ids and history first, keeps its platform and its other config keys', () => {
    const d = doc(ociConfigJson(own, ['sha256:' + 'f'.repeat(64)], ['our layer'], { layers: [layer(1), layer(2)], config: BASE }));
    expect(d).toMatchObject({ architecture: 'arm64', variant: 'v8', os: 'linux' });
    expect((d.rootfs as { diff_ids: string[] }).diff_ids).toEqual([layer(1).diffId, layer(2).diffId, 'sha256:' + 'f'.repeat(64)]);
    const history = d.history as Record<string, unknown>[];
    expect(history.slice(0, 3)).toEqual(BASE.history);
    expect(history[3]).toMatchObject({ created_by: 'rootfs-assemble', comment: 'our layer' });
    const inner = d.config as Record<string, unknown>;
    expect(inner).toMatchObject({ ExposedPorts: { '80/tcp': {} }, Healthcheck: { Test: ['CMD', 'true'] }, Cmd: ['/bin/base-cmd'], User: '1000' });
    expect(Object.keys(inner)).toEqual(['User', 'Env', 'Cmd', 'Volumes', 'WorkingDir', 'Labels', 'StopSignal', 'ExposedPorts', 'Healthcheck']);
  });

  it('gives each base layer a history entry when the stored history does not match its layers', () => {
    const d = doc(ociConfigJson(own, ['sha256:' + 'f'.repeat(64)], undefined, { layers: [layer(1)], config: BASE }));
    const history = d.history as Record<string, unknown>[];
    expect(history).toHaveLength(2);
    expect(history[0]).toMatchObject({ comment: 'base image layer' });
    // no base config at all (a tar or directory base): our platform
    expect(doc(ociConfigJson(own, [], undefined, { layers: [layer(1)] }))).toMatchObject({ architecture: 'arm64', variant: 'v8' });
  });

  it('is the same bytes for the same inputs whatever the key order of the base config', () => {
    const reordered: BaseConfig = { ...BASE, config: Object.fromEntries(Object.entries(BASE.config).reverse()) };
    const a = ociConfigJson(buildImageConfig(null, 'aarch64', [], null, {}, CREATED, BASE), [], undefined, { layers: [layer(1), layer(2)], config: BASE });
    const b = ociConfigJson(buildImageConfig(null, 'aarch64', [], null, {}, CREATED, reordered), [], undefined, { layers: [layer(1), layer(2)], config: reordered });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });
});
