import { RfsError } from '../errors/index.js';
import type { DistroRelease } from '../types/index.js';
import { loadProfiles } from './finish/profiles.js';
import type { ResolvedProfile } from './finish/profiles.js';
import type { AssembleOptions } from './options.js';

/** The install request: the definition's container set, the profiles' changes, then the user's packages. */
export function resolveRequest(opts: AssembleOptions, distro: DistroRelease | null): { profile: ResolvedProfile | null; install: string[] } {
  const profile = opts.profiles && opts.profiles.length > 0 ? loadProfiles(opts.profiles) : null;
  const base = opts.noDefaultPackages || !distro ? [] : distro.packages;
  const removed = new Set(profile?.removePackages ?? []);
  const install = [...base.filter((p) => !removed.has(p)), ...(profile?.packages ?? []), ...(opts.packages ?? [])];
  const unique = [...new Set(install)];
  if (unique.length === 0) {
    throw new RfsError('RFS_USAGE', 'choosing packages: nothing to install', {
      hint: 'name packages after the distro, or drop --no-default-packages',
    });
  }
  return { profile, install: unique };
}
