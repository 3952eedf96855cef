// --lockfile / --locked: every package with NEVRA, repo, URL and checksum, as sorted JSON with a
// format version, so `--locked FILE` can rebuild exactly that set without solving. Version 2 adds
// what the set was made for (distro, arch, request, repo metadata), so --locked can say when the
// invocation differs instead of blaming the mirror.
import { readFile, stat, writeFile } from 'node:fs/promises';
import { RfsError } from '../../errors/index.js';
import type { Checksum, ChecksumType, RepoPackage } from '../../types/index.js';
import { compareStrings as cmp } from '../../util/compare.js';
import { atomicFile } from './atomic.js';

export const LOCKFILE_VERSION = 2;

/** The distro ref as given on the command line and what it resolved to. */
export interface LockedDistro {
  ref: string;
  /** the definition's canonical tag, e.g. "centos:4" */
  tag: string;
  /** definition id, e.g. "centos" */
  id: string;
  release: string;
  releasever: string;
}

/** The selection options that decide the package set. */
export interface LockedRequest {
  packages: string[];
  exclude: string[];
  /** in the order given: later profiles apply over earlier ones */
  profiles: string[];
  noDefaultPackages: boolean;
  weakDeps: boolean;
  /** dnf options that change the set; absent in locks written before they existed */
  best?: boolean;
  skipBroken?: boolean;
  /** --module NAME:STREAM, sorted */
  modules?: string[];
  /** --setopt REPOID.KEY=VALUE as given, sorted (main keys are recorded as the fields they set) */
  setopt?: string[];
}

export interface LockedRepo {
  id: string;
  /** the mirror base URL the metadata came from (informative: other mirrors may serve the same) */
  baseurl: string;
  repomd: { checksum: Checksum; revision: string };
  primary: { checksum: Checksum };
}

/** What a v2 lockfile was made for. */
export interface LockContext {
  distro: LockedDistro | null;
  arch: string;
  request: LockedRequest;
  repos: LockedRepo[];
}

export interface Lockfile {
  version: 1 | 2;
  packages: LockedPackage[];
  /** absent in version 1 */
  context?: LockContext;
}

/** A package's NEVRA, repo id and checksum as the metadata gave them, plus where it came from. */
export interface LockedPackage extends Pick<RepoPackage, 'name' | 'epoch' | 'version' | 'release' | 'arch' | 'repo' | 'checksum'> {
  /** where it was downloaded from */
  url: string;
  /** what the signature check established (informative: --locked does not read it) */
  signature?: { verified: true; keys: { keyId: string }[] } | { verified: false; reason: string };
}

const CHECKSUM_TYPES: readonly ChecksumType[] = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'];

function sortKey(p: LockedPackage): string[] {
  return [p.name, p.arch, String(p.epoch).padStart(10, '0'), p.version, p.release, p.repo];
}

export async function writeLockfile(path: string, packages: LockedPackage[], context: LockContext): Promise<void> {
  await atomicFile(path, (tmp) => writeFile(tmp, lockfileText(packages, context)));
}

const sum = (c: Checksum): Checksum => ({ type: c.type, value: c.value.toLowerCase() });
const sortedUnique = (xs: string[]): string[] => [...new Set(xs)].sort(cmp);

/** The request as recorded and compared: packages and excludes are sets. */
export function normalRequest(r: LockedRequest): LockedRequest {
  return {
    packages: sortedUnique(r.packages), exclude: sortedUnique(r.exclude), profiles: [...r.profiles], noDefaultPackages: r.noDefaultPackages, weakDeps: r.weakDeps,
    ...(r.best !== undefined ? { best: r.best } : {}), skipBroken: r.skipBroken ?? false, modules: sortedUnique(r.modules ?? []), setopt: sortedUnique(r.setopt ?? []),
  };
}

/** The lockfile document as written (everything sorted, so the same set always gives the same text). */
export function lockfileText(packages: LockedPackage[], context: LockContext): string {
  const sorted = [...packages].sort((a, b) => {
    const ka = sortKey(a);
    const kb = sortKey(b);
    for (let i = 0; i < ka.length; i++) {
      const c = cmp(ka[i]!, kb[i]!);
      if (c !== 0) return c;
    }
    return 0;
  });
  const d = context.distro;
  const doc = {
    lockfileVersion: LOCKFILE_VERSION,
    generator: 'rootfs-assemble',
    distro: d ? { ref: d.ref, tag: d.tag, id: d.id, release: d.release, releasever: d.releasever } : null,
    arch: context.arch,
    request: normalRequest(context.request),
    repos: [...context.repos].sort((a, b) => cmp(a.id, b.id)).map((r) => ({
      id: r.id, baseurl: r.baseurl, repomd: { checksum: sum(r.repomd.checksum), revision: r.repomd.revision }, primary: { checksum: sum(r.primary.checksum) },
    })),
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

function isChecksum(v: unknown): v is Checksum {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  return typeof c.type === 'string' && (CHECKSUM_TYPES as readonly string[]).includes(c.type) && typeof c.value === 'string' && /^[0-9a-f]+$/i.test(c.value);
}

const obj = (v: unknown): Record<string, unknown> | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : undefined);
const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

function readContext(d: Record<string, unknown>, path: string): LockContext {
  let distro: LockedDistro | null = null;
  if (d.distro !== null) {
    const o = obj(d.distro);
    const f = (k: string): string => {
      const v = o?.[k];
      if (typeof v !== 'string' || v === '') throw bad(path, `"distro.${k}" must be a non-empty string`);
      return v;
    };
    if (!o) throw bad(path, '"distro" must be an object or null');
    distro = { ref: f('ref'), tag: f('tag'), id: f('id'), release: f('release'), releasever: f('releasever') };
  }
  if (typeof d.arch !== 'string' || d.arch === '') throw bad(path, '"arch" must be a non-empty string');
  const r = obj(d.request);
  if (!r || !strings(r.packages) || !strings(r.exclude) || !strings(r.profiles) || typeof r.noDefaultPackages !== 'boolean' || typeof r.weakDeps !== 'boolean') {
    throw bad(path, '"request" must hold packages, exclude, profiles (string arrays), noDefaultPackages and weakDeps (booleans)');
  }
  if (!Array.isArray(d.repos)) throw bad(path, '"repos" must be an array');
  const repos = d.repos.map((raw: unknown, i): LockedRepo => {
    const o = obj(raw);
    const md = obj(o?.repomd);
    const prim = obj(o?.primary);
    if (!o || typeof o.id !== 'string' || typeof o.baseurl !== 'string' || !md || !isChecksum(md.checksum) || typeof md.revision !== 'string' || !prim || !isChecksum(prim.checksum)) {
      throw bad(path, `repo ${i}: needs id, baseurl, repomd {checksum, revision} and primary {checksum}`);
    }
    return { id: o.id, baseurl: o.baseurl, repomd: { checksum: sum(md.checksum), revision: md.revision }, primary: { checksum: sum(prim.checksum) } };
  });
  return {
    distro, arch: d.arch, repos,
    request: {
      packages: r.packages, exclude: r.exclude, profiles: r.profiles, noDefaultPackages: r.noDefaultPackages, weakDeps: r.weakDeps,
      ...(typeof r.best === 'boolean' ? { best: r.best } : {}), ...(typeof r.skipBroken === 'boolean' ? { skipBroken: r.skipBroken } : {}),
      ...(strings(r.modules) ? { modules: r.modules } : {}), ...(strings(r.setopt) ? { setopt: r.setopt } : {}),
    },
  };
}

/** A lock of 50,000 packages is ~25 MB; anything far past that is not a lockfile we wrote. */
const MAX_LOCKFILE_BYTES = 256 * 1024 * 1024;

/** Read a version 1 or 2 lockfile. */
export async function readLockfile(path: string): Promise<Lockfile> {
  let doc: unknown;
  try {
    const { size } = await stat(path);
    if (size > MAX_LOCKFILE_BYTES) throw new Error(`${size} bytes, more than any lockfile holds (${MAX_LOCKFILE_BYTES})`);
    doc = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new RfsError('RFS_BAD_CONFIG', `reading lockfile: ${err instanceof Error ? err.message : String(err)}`, { subject: path, cause: err });
  }
  if (typeof doc !== 'object' || doc === null) throw bad(path, 'not a JSON object');
  const d = doc as Record<string, unknown>;
  const version = d.lockfileVersion;
  if (version !== 1 && version !== 2) throw bad(path, `unsupported lockfileVersion ${JSON.stringify(version)} (this version reads 1 and 2)`);
  if (!Array.isArray(d.packages)) throw bad(path, '"packages" must be an array');
  const packages = d.packages.map((raw: unknown, i): LockedPackage => {
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
  return version === 2 ? { version, packages, context: readContext(d, path) } : { version, packages };
}
