// Per-repo checks on package records as a primary is read: checksum and href well-formed,
// counts bounded, duplicates kept once (libsolv keeps one record per pkgid; an identical
// name-epoch:version-release.arch in one repo is the same package too).
import { untrusted } from '../errors/index.js';
import { digestProblem, hrefProblem } from '../util/href.js';
import { MAX_DEPS_PER_PACKAGE, MAX_FILES_PER_PACKAGE, MAX_PACKAGES } from './limits.js';

/** A primary record that cannot be used; stream.ts turns it into RFS_METADATA_MALFORMED. */
export class MetadataFormatError extends Error {}

export class PackageGuard {
  /** NEVRA of each record dropped as a duplicate */
  readonly duplicates: string[] = [];
  private readonly ids = new Set<string>();
  private readonly nevras = new Set<string>();
  private kept = 0;

  constructor(private readonly limits = { packages: MAX_PACKAGES, deps: MAX_DEPS_PER_PACKAGE, files: MAX_FILES_PER_PACKAGE }) {}

  /** The record's checksum (its pkgid), validated. */
  checksum(pkg: string, type: string, value: string): void {
    const why = digestProblem(type, value);
    if (why) throw new MetadataFormatError(`package ${untrusted(pkg, 80)}: checksum ${untrusted(value, 80)} refused: ${why}`);
  }

  href(pkg: string, href: string): void {
    const why = hrefProblem(href);
    if (why) throw new MetadataFormatError(`package ${untrusted(pkg, 80)}: location ${untrusted(href)} refused: ${why}`);
  }

  /** True when this pkgid or NEVRA was kept before (the record is to be dropped, and is noted). */
  duplicate(pkgid: string, nevra: string): boolean {
    if (this.ids.has(pkgid) || this.nevras.has(nevra)) { this.duplicates.push(nevra); return true; }
    if (++this.kept > this.limits.packages) throw new MetadataFormatError(`more than ${this.limits.packages} packages in one repo (limit)`);
    // private copies: a parsed value may be a slice that keeps its whole 64 KiB text chunk alive
    this.ids.add((' ' + pkgid).slice(1));
    this.nevras.add((' ' + nevra).slice(1));
    return false;
  }

  deps(pkg: string, n: number): void {
    if (n > this.limits.deps) throw new MetadataFormatError(`package ${untrusted(pkg, 80)}: more than ${this.limits.deps} dependency entries (limit)`);
  }

  files(pkg: string, n: number): void {
    if (n > this.limits.files) throw new MetadataFormatError(`package ${untrusted(pkg, 80)}: more than ${this.limits.files} files (limit)`);
  }
}

export const nevraOf = (name: string, epoch: number | string, ver: string, rel: string, arch: string): string => `${name}-${epoch}:${ver}-${rel}.${arch}`;
