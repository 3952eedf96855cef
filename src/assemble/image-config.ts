// The OCI image config: architecture, env, cmd and labels from the definition, profiles and options,
// over a base image's config (--from) when there is one.
import type { DistroRelease } from '../types/index.js';
import { inheritedConfig } from './base/inherit.js';
import type { BaseConfig } from './base/types.js';
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
  base?: BaseConfig,
): ImageConfig {
  const from = base ? inheritedConfig(base.config) : undefined;
  const ownEnv = [...(profile?.env ?? []), ...(opts.env ?? [])];
  // over a base: its variables in its order, ours replacing by name, new ones (and PATH if it had none) after
  const env = from
    ? mergeEnv([...from.env, ...(from.env.some((kv) => kv.startsWith('PATH=')) ? [] : [PATH_ENV]), ...ownEnv])
    : mergeEnv([PATH_ENV, ...ownEnv]);
  const labels: Record<string, string> = {
    ...(from?.labels ?? {}),
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
  const ownEntrypoint = opts.entrypoint ?? profile?.entrypoint;
  const entrypoint = ownEntrypoint ?? from?.entrypoint;
  // as docker: an entrypoint set over a base drops the base's command
  const cmd = opts.cmd ?? profile?.cmd ?? (from ? (ownEntrypoint ? undefined : from.cmd) : (opts.entrypoint ? undefined : ['/bin/bash']));
  const stopSignal = profile?.stopSignal ?? from?.stopSignal;
  const volumes = profile?.volumes && profile.volumes.length > 0 ? profile.volumes : from?.volumes;
  return {
    architecture: arch,
    os: 'linux',
    env,
    labels,
    created: new Date(created * 1000).toISOString(),
    ...(cmd ? { cmd } : {}),
    ...(entrypoint ? { entrypoint } : {}),
    ...(stopSignal ? { stopSignal } : {}),
    ...(volumes ? { volumes } : {}),
    ...(from?.user !== undefined ? { user: from.user } : {}),
    ...(from?.workingDir !== undefined ? { workingDir: from.workingDir } : {}),
  };
}

/** Later KEY=VALUE entries replace earlier ones with the same key, keeping first positions. */
function mergeEnv(list: string[]): string[] {
  const m = new Map<string, string>();
  for (const kv of list) m.set(kv.split('=')[0]!, kv);
  return [...m.values()];
}
