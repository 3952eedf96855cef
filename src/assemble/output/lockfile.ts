// --lockfile / --locked: every package with NEVRA, repo, URL and checksum, as sorted JSON with a
// format version, so `--locked FILE` can rebuild exactly that set without solving.
import { readFile, writeFile } from 'node:fs/promises';
import { RfsError } from '../../errors/index.js';
import type { ChecksumType, RepoPackage } from '../../types/index.js';
import { atomicFile } from './atomic.js';

export const LOCKFILE_VERSION = 1;

/** A package's NEVRA, repo id and checksum as the metadata gave them, plus where it came from. */
export interface LockedPackage extends Pick<RepoPackage, 'name' | 'epoch' | 'version' | 'release' | 'arch' | 'repo' | 'checksum'> {
  /** where it was downloaded from */
  url: string;
  /** what the signature check established (informative: --locked does not read it) */
  signature?: { verified: true; keys: { keyId: string }[] } | { verified: false; reason: string };
}

const CHECKSUM_TYPES: readonly ChecksumType[] = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'];
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function sortKey(p: LockedPackage): string[] {
  return [p.name, p.arch, String(p.epoch).padStart(10, '0'), p.version, p.release, p.repo];
}

export async function writeLockfile(path: string, packages: LockedPackage[]): Promise<void> {
  await atomicFile(path, (tmp) => writeFile(tmp, lockfileText(packages)));
}

/** The lockfile document as written (packages sorted, so the same set always gives the same text). */
export function lockfileText(packages: LockedPackage[]): string {
  const sorted = [...packages].sort((a, b) => {
    const ka = sortKey(a);
    const kb = sortKey(b);
    for (let i = 0; i < ka.length; i++) {
      const c = cmp(ka[i]!, kb[i]!);
      if (c !== 0) return c;
    }
    return 0;
  });
  const doc = {
    lockfileVersion: LOCKFILE_VERSION,
    generator: 'rootfs-assemble',
    packages: sorted.map((p) => ({
      name: p.name, epoch: p.epoch, version: p.version, release: p.release, arch: p.arch,
      repo: p.repo, url: p.url, checksum: { type: p.checksum.type, value: p.checksum.value.toLowerCase() },
      ...(p.signature ? { signature: p.signature.verified ? { verified: true, keyIds: p.signature.keys.map((k) => k.keyId) } : { verified: false, reason: p.signature.reason } } : {}),
    })),
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

function bad(path: string, why: string): RfsError {
  return new RfsError('RFS_BAD_CONFIG', `reading lockfile: ${why}`, { subject: path, hint: 'regenerate it with --lockfile' });
}

function str(o: Record<string, unknown>, k: string, path: string, i: number): string {
  const v = o[k];
  if (typeof v !== 'string' || v === '') throw bad(path, `package ${i}: "${k}" must be a non-empty string`);
  return v;
}

export async function readLockfile(path: string): Promise<LockedPackage[]> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new RfsError('RFS_BAD_CONFIG', `reading lockfile: ${err instanceof Error ? err.message : String(err)}`, { subject: path, cause: err });
  }
  if (typeof doc !== 'object' || doc === null) throw bad(path, 'not a JSON object');
  const d = doc as Record<string, unknown>;
  if (d.lockfileVersion !== LOCKFILE_VERSION) throw bad(path, `unsupported lockfileVersion ${JSON.stringify(d.lockfileVersion)} (this version reads ${LOCKFILE_VERSION})`);
  if (!Array.isArray(d.packages)) throw bad(path, '"packages" must be an array');
  return d.packages.map((raw: unknown, i): LockedPackage => {
    if (typeof raw !== 'object' || raw === null) throw bad(path, `package ${i} is not an object`);
    const o = raw as Record<string, unknown>;
    const epoch = o.epoch;
    if (typeof epoch !== 'number' || !Number.isInteger(epoch) || epoch < 0) throw bad(path, `package ${i}: "epoch" must be a non-negative integer`);
    const ck = o.checksum;
    if (typeof ck !== 'object' || ck === null) throw bad(path, `package ${i}: "checksum" missing`);
    const c = ck as Record<string, unknown>;
    const type = c.type;
    if (typeof type !== 'string' || !(CHECKSUM_TYPES as readonly string[]).includes(type)) throw bad(path, `package ${i}: unknown checksum type ${JSON.stringify(type)}`);
    const value = c.value;
    if (typeof value !== 'string' || !/^[0-9a-f]+$/i.test(value)) throw bad(path, `package ${i}: checksum value must be hex`);
    return {
      name: str(o, 'name', path, i), epoch, version: str(o, 'version', path, i), release: str(o, 'release', path, i),
      arch: str(o, 'arch', path, i), repo: str(o, 'repo', path, i), url: str(o, 'url', path, i),
      checksum: { type: type as ChecksumType, value: value.toLowerCase() },
    };
  });
}
