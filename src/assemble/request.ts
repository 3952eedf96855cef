import { RfsError, untrusted } from '../errors/index.js';
import type { Problem } from '../solver/index.js';
import type { DistroRelease } from '../types/index.js';
import { loadProfiles } from './finish/profiles.js';
import type { ResolvedProfile } from './finish/profiles.js';
import type { AssembleOptions } from './options.js';

/** Where one install request came from, so an unmet one can say what to change. */
export type RequestOrigin = { kind: 'default'; distro: string } | { kind: 'profile'; profile: string } | { kind: 'argument' };

export interface InstallRequest {
  profile: ResolvedProfile | null;
  install: string[];
  origins: Map<string, RequestOrigin>;
}

export type RequestOptions = Pick<AssembleOptions, 'packages' | 'profiles' | 'noDefaultPackages' | 'upgrade'>;

/**
 * The install request: the definition's container set, the profiles' changes, then the user's
 * packages. The build and `resolve` both call this, so resolve previews exactly the build.
 */
export function resolveRequest(opts: RequestOptions, distro: DistroRelease | null): InstallRequest {
  const profile = opts.profiles && opts.profiles.length > 0 ? loadProfiles(opts.profiles) : null;
  const base = opts.noDefaultPackages || !distro ? [] : distro.packages;
  const removed = new Set(profile?.removePackages ?? []);
  const origins = new Map<string, RequestOrigin>();
  // the first origin wins: a package the default set already has is not the profile's doing
  const add = (names: readonly string[], origin: RequestOrigin): void => {
    for (const n of names) if (!origins.has(n)) origins.set(n, origin);
  };
  if (distro) add(base.filter((p) => !removed.has(p)), { kind: 'default', distro: `${distro.distro}:${distro.release}` });
  // per profile, so an error names the one that asked
  for (const name of new Set(opts.profiles ?? [])) add(loadProfiles([name]).packages, { kind: 'profile', profile: name });
  add(opts.packages ?? [], { kind: 'argument' });
  const install = [...origins.keys()];
  // an upgrade of a base asks for no new package
  if (install.length === 0 && opts.upgrade === undefined) {
    throw new RfsError('RFS_USAGE', 'choosing packages: nothing to install', {
      hint: 'name packages after the distro, or drop --no-default-packages',
    });
  }
  return { profile, install, origins };
}

/** The target arch: --arch, else the definition's, else x86_64 (for repos given without a distro). */
export function targetArch(arch: string | undefined, distro: DistroRelease | null): string {
  return arch ?? distro?.arch ?? 'x86_64';
}

function originText(o: RequestOrigin, p: Problem | undefined): string {
  switch (o.kind) {
    case 'default': return `from the ${o.distro} default package set; --no-default-packages leaves it out`;
    case 'argument': return 'your argument';
    case 'profile': {
      const what = p?.kind === 'not-found' ? untrusted(p.request, 80) : '';
      return what
        ? `from --profile ${o.profile}: the profile needs ${what}, which this release does not have`
        : `from --profile ${o.profile}`;
    }
  }
}

/** The origin of the request a problem is about, as a parenthesised note, or '' for dependency problems. */
export function problemOrigin(p: Problem, origins: ReadonlyMap<string, RequestOrigin> | undefined): string {
  if (!origins || !('request' in p)) return '';
  return requestOrigin(p.request, origins, p);
}

/** Where a request came from, as a parenthesised note ('' when unknown); `p` tailors a profile's note. */
export function requestOrigin(request: string, origins: ReadonlyMap<string, RequestOrigin> | undefined, p?: Problem): string {
  const o = origins?.get(request);
  return o ? ` (${originText(o, p)})` : '';
}
