import type { DistroRelease, RepoPackage } from '../types/index.js';
import type { SbomInput } from './output/index.js';
import type { PackageSignature } from './gpg.js';
import type { UnpackedPackage } from './unpack.js';

/** What the SBOM says of each installed package: header facts plus the repo's checksum. */
export function sbomInput(
  distro: DistroRelease | null, ordered: UnpackedPackage[], chosen: RepoPackage[], created: number,
  signatureOf: (u: UnpackedPackage) => PackageSignature | undefined = () => undefined,
): SbomInput {
  const sums = new Map(chosen.map((p) => [`${p.name}.${p.arch}`, p.checksum]));
  return {
    packages: ordered.map((u) => {
      const m = u.meta;
      const checksum = sums.get(`${m.name}.${m.arch}`);
      const signature = signatureOf(u);
      return {
        name: m.name, epoch: m.epoch, version: m.version, release: m.release, arch: m.arch,
        license: m.license, sourcerpm: m.sourcerpm, vendor: m.vendor, summary: m.summary,
        ...(m.url ? { homepage: m.url } : {}),
        ...(checksum ? { checksum } : {}),
        ...(signature ? { signature } : {}),
      };
    }),
    distro: { id: distro?.distro ?? 'unknown', version: distro?.release ?? '', ...(distro ? { name: distro.prettyName } : {}) },
    created: new Date(created * 1000).toISOString(),
  };
}
