// --gpgcheck: every package must carry a signature that verifies with one of its repo's keys
// (the definition's gpgkey files, or --gpgkey). The keys that did verify are imported into the
// rpmdb as gpg-pubkey entries, as yum/dnf leave them after importing a repo key.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { RfsError } from '../errors/index.js';
import type { Fetcher } from '../fetch/index.js';
import type { LoadedRepo } from '../metadata/index.js';
import { keyFilePath } from '../repos/index.js';
import { checkGpg, verifyRpmSignatures } from '../rpm/index.js';
import type { RpmSignatureKey } from '../rpm/index.js';
import { fingerprintHex, readPublicKeys } from '../util/pgp/index.js';
import type { PgpPublicKey } from '../util/pgp/index.js';

interface KeyFile {
  name: string;
  armored: string;
  certs: PgpPublicKey[];
}

export interface GpgSummary {
  verified: number;
  keys: (RpmSignatureKey & { file: string })[];
  /** armored key files that verified at least one package */
  armored: string[];
}

export class GpgChecker {
  private readonly files = new Map<string, Promise<KeyFile>>();
  private readonly used = new Map<string, RpmSignatureKey & { file: string }>();
  private readonly usedFiles = new Set<string>();
  private verified = 0;

  constructor(
    private readonly repos: Map<string, LoadedRepo>,
    private readonly extraKeys: string[],
    private readonly fetcher: Fetcher,
    private readonly reposDir?: string,
  ) {}

  private load(name: string): Promise<KeyFile> {
    let p = this.files.get(name);
    if (!p) {
      p = (async () => {
        let armored: string;
        if (/^https?:\/\//i.test(name)) armored = Buffer.from(await this.fetcher.fetchBytes(name)).toString('utf8');
        else {
          const path = name.startsWith('file:') ? fileURLToPath(name) : keyFilePath(name, ...(this.reposDir ? [this.reposDir] : [])) ?? name;
          armored = await readFile(path, 'utf8').catch((cause: unknown) => {
            throw new RfsError('RFS_BAD_CONFIG', `reading GPG key ${name}: ${cause instanceof Error ? cause.message : String(cause)}`, {
              subject: name, cause, hint: 'gpgkey entries name files in repos/keys/, file:// paths or http(s) URLs; --gpgkey FILE adds one',
            });
          });
        }
        return { name, armored, certs: readPublicKeys(armored, { code: 'RFS_BAD_CONFIG', subject: name }) };
      })();
      this.files.set(name, p);
    }
    return p;
  }

  /** Verify one downloaded package against its repo's keys; throws RFS_RPM_SIGNATURE when none verifies. */
  async check(path: string, repoId: string, nevra: string): Promise<void> {
    const names = [...(this.repos.get(repoId)?.config.gpgkey ?? []), ...this.extraKeys];
    if (names.length === 0) {
      throw new RfsError('RFS_RPM_SIGNATURE', `checking the signature of ${nevra}: repo ${repoId} names no GPG key`, {
        subject: nevra, hint: 'give the key with --gpgkey FILE, or drop --gpgcheck',
      });
    }
    const files = await Promise.all(names.map((n) => this.load(n)));
    const report = await verifyRpmSignatures(path, files.flatMap((f) => f.certs), { subject: nevra });
    const keys = checkGpg(report, { require: true, keyFiles: names });
    this.verified++;
    for (const k of keys) {
      const file = files.find((f) => f.certs.some((c) => fingerprintHex(c.primary) === k.primaryFingerprint));
      if (!file) continue;
      this.used.set(k.primaryFingerprint, { ...k, file: file.name });
      this.usedFiles.add(file.armored);
    }
  }

  summary(): GpgSummary {
    return { verified: this.verified, keys: [...this.used.values()].sort((a, b) => a.keyId.localeCompare(b.keyId)), armored: [...this.usedFiles].sort() };
  }
}
