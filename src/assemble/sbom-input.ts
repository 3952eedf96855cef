import type { DistroRelease, RepoPackage } from '../types/index.js';
import type { SbomInput } from './output/index.js';
import type { PackageSignature } from './gpg.js';
import type { UnpackedPackage } from './unpack.js';

/** What the SBOM says of each installed package: header facts plus the repo's checksum. */
export function sbomInput(
  distro: DistroRelease | null, ordered: UnpackedPackage[], chosen: RepoPackage[], created: number,
  signatureOf: (u: UnpackedPackage) => PackageSignature | undefined = () => undefined,
  installed: readonly RepoPackage[] = [],
): SbomInput {
  const sums = new Map(chosen.map((p) => [`${p.name}.${p.arch}`, p.checksum]));
  return {
    // a build on a base (--from): the base's packages that stay are in the image too, as its rpmdb
    // says (no repo checksum or signature: this build fetched none of them)
    packages: [...installed.map((p) => ({
      name: p.name, epoch: p.epoch || null, version: p.version, release: p.release, arch: p.arch,
      license: p.license, sourcerpm: p.sourcerpm, vendor: p.vendor, summary: p.summary,
    })), ...ordered.map((u) => {
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
    })],
    distro: { id: distro?.distro ?? 'unknown', version: distro?.release ?? '', ...(distro ? { name: distro.prettyName } : {}) },
    created: new Date(created * 1000).toISOString(),
  };
}
