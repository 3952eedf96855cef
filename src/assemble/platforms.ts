// --platform: OCI platforms (linux/amd64, linux/arm64, ...) or rpm arches, to the arches a
// multi-arch build makes, in one stable order (so the index digest does not follow flag order).
import { basename, extname, join, dirname } from 'node:path';
import { RfsError } from '../errors/index.js';
import { baseArch } from '../repos/vars.js';
import { compareStrings } from '../util/compare.js';
import { ociArch } from './output/index.js';

/** the platforms known without a definition, and the rpm arch each builds */
const PLATFORMS: Record<string, string> = {
  'linux/amd64': 'x86_64', 'linux/arm64': 'aarch64', 'linux/ppc64le': 'ppc64le', 'linux/ppc64': 'ppc64',
  'linux/s390x': 's390x', 'linux/386': 'i686', 'linux/arm/v7': 'armv7hl', 'linux/riscv64': 'riscv64',
};

export interface TargetPlatform {
  /** os/architecture[/variant] as the index names it */
  platform: string;
  /** the rpm arch built for it */
  arch: string;
}

/** os/architecture[/variant] of an rpm arch (arm64 keeps its variant implicit, as docker names it) */
export function platformOf(arch: string): string {
  const a = ociArch(arch);
  return a.variant !== undefined && a.architecture !== 'arm64' ? `linux/${a.architecture}/${a.variant}` : `linux/${a.architecture}`;
}

/** an rpm arch ociArch() maps (i586, armhfp) or that a known platform builds (ppc64le) */
function knownRpmArch(a: string): boolean {
  return ociArch(a).architecture !== a || Object.values(PLATFORMS).includes(a);
}

function usage(given: string, why: string, known: string[]): RfsError {
  return new RfsError('RFS_USAGE', `--platform ${given}: ${why}`, { subject: given, hint: `known: ${known.join(', ')}` });
}

/**
 * Each entry (comma lists allowed) is a platform (linux/arm64, linux/arm64/v8) or an rpm arch
 * (aarch64). With a definition, only its arches (linux/386 is its i386, linux/arm/v7 its armhfp).
 */
export function resolvePlatforms(given: string[], definitionArches: string[] | null): TargetPlatform[] {
  const table = definitionArches
    ? Object.fromEntries(definitionArches.map((a) => [platformOf(a), a]))
    : PLATFORMS;
  const known = Object.keys(table).sort();
  const byPlatform = new Map<string, string>();
  for (const raw of given.flatMap((g) => g.split(',')).map((s) => s.trim()).filter(Boolean)) {
    const spec = raw.toLowerCase().replace(/^linux\/arm64\/v8$/, 'linux/arm64');
    let arch = table[spec];
    if (arch === undefined && !spec.includes('/')) {
      // an rpm arch (repeated --arch): the definition must list its basearch
      if (definitionArches ? definitionArches.includes(baseArch(spec)) : knownRpmArch(spec)) arch = spec;
    }
    if (arch === undefined) throw usage(raw, definitionArches ? 'not an architecture this definition lists' : 'unknown platform', known);
    const platform = platformOf(arch);
    const before = byPlatform.get(platform);
    if (before !== undefined && before !== arch) throw usage(raw, `${before} and ${arch} are both ${platform}`, known);
    byPlatform.set(platform, arch);
  }
  if (byPlatform.size === 0) throw usage(given.join(','), 'no platform given', known);
  return [...byPlatform].sort(([a], [b]) => compareStrings(a, b)).map(([platform, arch]) => ({ platform, arch }));
}

/** FILE with the arch before its extension: lock.json -> lock.x86_64.json */
export function perArchPath(file: string, arch: string): string {
  const ext = extname(basename(file));
  return join(dirname(file), `${basename(file, ext)}.${arch}${ext}`);
}
