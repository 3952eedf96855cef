// Matching packages to advisories: pure, and apart from the parser so a caller holding cached
// advisories never loads sax.
import type { Advisory, AdvisoryPackage } from '../types/index.js';

/**
 * The advisories that ship exactly this package (name, epoch, version, release and arch all
 * equal), as dnf names the advisory of an update it installs.
 */
export function advisoriesFor(advisories: readonly Advisory[], pkg: AdvisoryPackage): Advisory[] {
  return advisories.filter((adv) => adv.packages.some((p) =>
    p.name === pkg.name && p.epoch === pkg.epoch && p.version === pkg.version && p.release === pkg.release && p.arch === pkg.arch));
}
