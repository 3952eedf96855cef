// The OCI image config: architecture, env, cmd and labels from the definition, profiles and options.
import type { DistroRelease } from '../types/index.js';
import type { ResolvedProfile } from './finish/profiles.js';
import type { AssembleOptions } from './options.js';
import type { ImageConfig } from './output/index.js';
import type { UnpackedPackage } from './unpack.js';

const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function buildImageConfig(
  distro: DistroRelease | null,
  arch: string,
  ordered: UnpackedPackage[],
  profile: ResolvedProfile | null,
  opts: AssembleOptions,
  created: number,
): ImageConfig {
  const env = mergeEnv([PATH_ENV, ...(profile?.env ?? []), ...(opts.env ?? [])]);
  const labels: Record<string, string> = {
    ...(distro
      ? {
          name: distro.distro,
          version: distro.release,
          release: distro.releasever,
          summary: `${distro.prettyName} base image`,
          'org.opencontainers.image.title': distro.prettyName,
          'org.opencontainers.image.version': distro.release,
        }
      : { summary: `image of ${ordered.length} packages` }),
    architecture: arch,
    'org.opencontainers.image.created': new Date(created * 1000).toISOString(),
    'io.rootfs-assemble.packages': String(ordered.length),
    ...(profile?.labels ?? {}),
    ...(opts.labels ?? {}),
  };
  const cmd = opts.cmd ?? profile?.cmd ?? (opts.entrypoint ? undefined : ['/bin/bash']);
  const entrypoint = opts.entrypoint ?? profile?.entrypoint;
  return {
    architecture: arch,
    os: 'linux',
    env,
    labels,
    created: new Date(created * 1000).toISOString(),
    ...(cmd ? { cmd } : {}),
    ...(entrypoint ? { entrypoint } : {}),
    ...(profile?.stopSignal ? { stopSignal: profile.stopSignal } : {}),
    ...(profile?.volumes && profile.volumes.length > 0 ? { volumes: profile.volumes } : {}),
  };
}

/** Later KEY=VALUE entries replace earlier ones with the same key, keeping first positions. */
function mergeEnv(list: string[]): string[] {
  const m = new Map<string, string>();
  for (const kv of list) m.set(kv.split('=')[0]!, kv);
  return [...m.values()];
}
