// Package signatures, with dnf's gpgcheck semantics: a repo whose gpgcheck is on needs every
// package signed by one of its keys (its gpgkey entries plus --gpgkey); --nogpgcheck turns that
// off. Unchecked packages are still verified against the keys at hand without the network, so a
// BAD signature always fails (as rpm refuses one whatever dnf's gpgcheck says). Keys that did
// verify a checked repo's package are imported into the rpmdb as gpg-pubkey entries, as yum/dnf
// leave them.
import { RfsError, untrusted } from '../errors/index.js';
import type { Fetcher } from '../fetch/index.js';
import type { LoadedRepo } from '../metadata/index.js';
import { keyFilePath } from '../repos/index.js';
import { checkGpg, verifyRpmSignatures } from '../rpm/index.js';
import type { GpgKeyUse, GpgUnverified, RepoConfig, UnverifiedReason } from '../types/index.js';
import { compareStrings as cmp } from '../util/compare.js';
import { fingerprintHex, isRemoteKey, keyIdHex, keyLabel, loadKeyFile, type KeyFile } from '../util/pgp/index.js';

export interface SignatureKey {
  keyId: string;
  fingerprint: string;
  userId: string | null;
  file: string;
}

/** What was established about one package's signature. */
export type PackageSignature =
  | { verified: true; keys: SignatureKey[] }
  | { verified: false; reason: UnverifiedReason };

export interface RepoGpgPolicy {
  /** a verified signature is required */
  check: boolean;
  /** key files trusted for the repo (required ones when check, else only the local ones are read) */
  keys: string[];
  /** why unchecked (null when check) */
  reason: UnverifiedReason | null;
}

export interface GpgOptions {
  /** --nogpgcheck */
  nogpgcheck: boolean;
  /** --gpgkey: trusted for every repo; it also turns checking on for --repofrompath repos */
  extraKeys: readonly string[];
  /** ids of the --repofrompath repos (their gpgcheck follows from --gpgkey, see applyRepoOptions) */
  fromPath: ReadonlySet<string>;
}

export function repoGpgPolicy(repo: RepoConfig, opts: GpgOptions): RepoGpgPolicy {
  const keys = [...new Set([...(repo.gpgkey ?? []), ...opts.extraKeys])];
  if (opts.nogpgcheck) return { check: false, keys, reason: 'nogpgcheck' };
  if (repo.gpgcheck) return { check: true, keys, reason: null };
  return { check: false, keys, reason: opts.fromPath.has(repo.id) ? 'no-key' : 'gpgcheck-off' };
}

/** Why a package went unverified, in words (summary, SBOM). */
export const UNVERIFIED_REASON: Record<UnverifiedReason, string> = {
  nogpgcheck: '--nogpgcheck',
  'gpgcheck-off': 'gpgcheck is off for the repo',
  'no-key': 'no key given for the --repofrompath repo (--gpgkey)',
};

export interface GpgSummary {
  verified: GpgKeyUse[];
  unverified: GpgUnverified[];
  /** armored key files that verified a package of a checked repo (imported into the rpmdb) */
  armored: string[];
}

export class GpgChecker {
  private readonly files = new Map<string, Promise<KeyFile>>();
  private readonly usedFiles = new Set<string>();
  private readonly results: (PackageSignature & { repo: string })[] = [];
  private readonly policies = new Map<string, RepoGpgPolicy>();

  constructor(
    repos: Map<string, LoadedRepo>,
    opts: GpgOptions,
    private readonly fetcher: Fetcher,
    private readonly reposDir?: string,
  ) {
    for (const [id, r] of repos) this.policies.set(id, repoGpgPolicy(r.config, opts));
  }

  private load(name: string): Promise<KeyFile> {
    let p = this.files.get(name);
    if (!p) {
      p = loadKeyFile(name, {
        fetchBytes: (url, maxBytes) => this.fetcher.fetchBytes(url, { maxBytes }),
        findNamed: (n) => keyFilePath(n, ...(this.reposDir ? [this.reposDir] : [])),
      });
      this.files.set(name, p);
    }
    return p;
  }

  /**
   * Check one downloaded package (its file or its bytes). Throws RFS_RPM_SIGNATURE when its repo
   * is checked and no trusted key verifies it, or when any signature is BAD.
   */
  async check(pkg: string | Uint8Array, repoId: string, nevra: string): Promise<PackageSignature> {
    const policy = this.policies.get(repoId) ?? { check: false, keys: [], reason: 'gpgcheck-off' as const };
    const where = `${untrusted(nevra)} from repo ${untrusted(repoId, 80)}`;
    if (policy.check && policy.keys.length === 0) {
      throw new RfsError('RFS_RPM_SIGNATURE', `checking the signature of ${where}: the repo has gpgcheck on but names no GPG key`, {
        subject: nevra, hint: 'give the key with --gpgkey FILE, or pass --nogpgcheck to install unverified packages',
      });
    }
    // unchecked: only keys at hand (no network) are read, to catch BAD signatures
    const names = policy.check ? policy.keys : policy.keys.filter((n) => !isRemoteKey(n));
    let result: PackageSignature;
    if (names.length === 0) result = { verified: false, reason: policy.reason ?? 'gpgcheck-off' };
    else {
      // a checked repo needs all its keys; an unchecked one uses those that load (a .repo file's
      // gpgkey may name a host path that does not exist, and gpgcheck=0 means it is not needed)
      const files = policy.check
        ? await Promise.all(names.map((n) => this.load(n)))
        : (await Promise.all(names.map((n) => this.load(n).catch(() => null)))).filter((f): f is KeyFile => f !== null);
      const report = await verifyRpmSignatures(pkg, files.flatMap((f) => f.certs), { subject: nevra });
      let keys;
      try {
        keys = checkGpg(report, { require: policy.check, keyFiles: names.map(keyLabel) });
      } catch (e) {
        if (!(e instanceof RfsError) || e.code !== 'RFS_RPM_SIGNATURE') throw e;
        const trusted = [...new Set(files.flatMap((f) => f.certs.map((c) => keyIdHex(c.primary))))].sort().join(', ') || 'none';
        throw new RfsError('RFS_RPM_SIGNATURE', `${where}: ${e.message} (trusted key ids: ${trusted})`, {
          subject: nevra, cause: e, details: e.details,
          hint: `${e.hint ?? ''}${policy.check ? '; --nogpgcheck installs unverified packages, but a BAD signature always fails' : ''}`.replace(/^; /, ''),
        });
      }
      const used: SignatureKey[] = [];
      for (const k of keys) {
        const file = files.find((f) => f.certs.some((c) => fingerprintHex(c.primary) === k.primaryFingerprint));
        if (!file) continue;
        used.push({ keyId: k.keyId, fingerprint: k.fingerprint, userId: k.userId, file: keyLabel(file.name) });
        // dnf imports a key into the rpmdb only as part of gpgcheck
        if (policy.check) this.usedFiles.add(file.armored);
      }
      result = used.length > 0 ? { verified: true, keys: used } : { verified: false, reason: policy.reason ?? 'gpgcheck-off' };
    }
    this.results.push({ ...result, repo: repoId });
    return result;
  }

  /** Per key and per unverified repo, sorted: the same packages give the same summary. */
  summary(): GpgSummary {
    const byKey = new Map<string, GpgKeyUse>();
    const byRepo = new Map<string, GpgUnverified>();
    for (const r of this.results) {
      if (r.verified) {
        // a package signed twice (header and header+payload) by one key counts once
        const k = r.keys[0];
        if (!k) continue;
        const u = byKey.get(k.fingerprint) ?? { ...k, packages: 0 };
        u.packages++;
        byKey.set(k.fingerprint, u);
      } else {
        const id = `${r.repo}\0${r.reason}`;
        const u = byRepo.get(id) ?? { repo: r.repo, reason: r.reason, packages: 0 };
        u.packages++;
        byRepo.set(id, u);
      }
    }
    return {
      verified: [...byKey.values()].sort((a, b) => cmp(a.keyId, b.keyId) || cmp(a.fingerprint, b.fingerprint)),
      unverified: [...byRepo.values()].sort((a, b) => cmp(a.repo, b.repo) || cmp(a.reason, b.reason)),
      armored: [...this.usedFiles].sort(),
    };
  }
}
