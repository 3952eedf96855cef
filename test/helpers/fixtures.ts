// Access to the fixture repos built by test/fixtures/build.mjs (real rpmbuild + createrepo_c
// output, cached under test/fixtures/.cache/<key>/) and a vault-style HTTP mirror serving them.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStaticServer, type FaultKind, type FaultOptions, type RequestRecord } from './http-server.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const FIXTURES_SRC = path.resolve(HERE, '../fixtures');
/** The armored public key every fixture package is signed with (not any distribution's key). */
export const FIXTURE_KEY = path.join(FIXTURES_SRC, 'content', 'RPM-GPG-KEY-fixture');
/** Its rpm name once imported: gpg-pubkey-<short key id>-<creation time hex>. */
export const FIXTURE_KEY_NEVR = 'gpg-pubkey-8afd667f-41d5e800';
const CACHE = path.resolve(process.env.RFS_FIXTURES_CACHE ?? path.join(FIXTURES_SRC, '.cache'));

export const FIXTURE_REPOS = ['el4-os', 'el4-updates', 'el7-os', 'el7-updates', 'modern', 'dnfopts', 'arches', 'layers'] as const;
export type FixtureRepoName = (typeof FIXTURE_REPOS)[number];

/** URL path prefix (as on vault.centos.org) -> repo. */
export const MIRROR_LAYOUT: Readonly<Record<string, FixtureRepoName>> = {
  '/4.9/os/x86_64/': 'el4-os',
  '/4.9/updates/x86_64/': 'el4-updates',
  '/7.9.2009/os/x86_64/': 'el7-os',
  '/7.9.2009/updates/x86_64/': 'el7-updates',
  '/modern/x86_64/': 'modern',
  '/dnfopts/x86_64/': 'dnfopts',
  '/arches/': 'arches',
  '/layers/x86_64/': 'layers',
};

/** mirrorlist `release=` values (releasever or the full point release) -> vault path component. */
const MIRRORLIST_RELEASES: Readonly<Record<string, string>> = { '4': '4.9', '4.9': '4.9', '7': '7.9.2009', '7.9.2009': '7.9.2009' };

export interface FixturePackage {
  name: string; epoch: number; version: string; release: string; arch: string;
  /** path relative to the repo dir, as in primary.xml's location href */
  href: string;
}

function toolsMissing(): string | null {
  for (const tool of ['rpmbuild', 'rpmsign', 'createrepo_c', 'gpg', 'gpg-agent']) {
    const r = spawnSync(tool, ['--version'], { stdio: 'ignore' });
    if (r.error || r.status !== 0) return `${tool} not installed (apt-get install rpm createrepo-c gpg gpg-agent)`;
  }
  for (const bin of ['/bin/bash-static', '/bin/busybox']) {
    if (!process.env.RFS_FIXTURES_BASH_STATIC && !existsSync(bin)) return `${bin} missing (apt-get install bash-static busybox-static)`;
  }
  // the arches repo's real foreign libraries (test/fixtures/data/arches.mjs)
  for (const t of ['aarch64-linux-gnu', 'powerpc64le-linux-gnu', 's390x-linux-gnu', 'powerpc64-linux-gnu', 'i686-linux-gnu', 'arm-linux-gnueabihf']) {
    if (!existsSync(`/usr/${t}/lib/libc.so.6`)) return `/usr/${t}/lib/libc.so.6 missing (apt-get install libc6-arm64-cross libc6-ppc64el-cross libc6-s390x-cross libc6-ppc64-cross libc6-i386-cross libc6-armhf-cross)`;
  }
  return null;
}

function currentDir(): string | null {
  try {
    const key = readFileSync(path.join(CACHE, 'current'), 'utf8').trim();
    const dir = path.join(CACHE, key);
    return existsSync(path.join(dir, '.complete')) ? dir : null;
  } catch {
    return null;
  }
}

let toolsChecked: string | null | undefined;

/** Whether the fixture repos can be used: tools present and a finished build in the cache. */
export function fixturesAvailable(): { ok: boolean; reason: string } {
  if (toolsChecked === undefined) toolsChecked = toolsMissing();
  if (toolsChecked) return { ok: false, reason: `fixtures skipped: ${toolsChecked}` };
  const dir = currentDir();
  if (dir) return { ok: true, reason: `fixtures at ${dir}` };
  const errFile = path.join(CACHE, 'last-error');
  if (existsSync(errFile)) return { ok: false, reason: `fixture build failed: ${readFileSync(errFile, 'utf8').trim()}` };
  return { ok: false, reason: 'fixtures not built yet (run `npm run fixtures` or call ensureFixtures())' };
}

let pending: Promise<void> | null = null;

/** Builds the fixtures if the cache lacks them (instant when cached); safe to call repeatedly. */
export function ensureFixtures(): Promise<void> {
  pending ??= new Promise<void>((resolve, reject) => {
    execFile(process.execPath, [path.join(FIXTURES_SRC, 'build.mjs'), '--quiet'], { maxBuffer: 16 << 20 }, (err, _stdout, stderr) => {
      if (err) {
        pending = null;
        reject(new Error(`building fixtures: ${String(stderr).trim() || err.message}`));
      } else resolve();
    });
  });
  return pending;
}

/** The finished fixture tree (contains repos/, specs/, manifest.json). */
export function fixturesDir(): string {
  const dir = currentDir();
  if (!dir) throw new Error(`fixtures unavailable: ${fixturesAvailable().reason}`);
  return dir;
}

/** Absolute directory of a fixture repo (holds repodata/ and the packages). */
export function fixtureRepo(name: FixtureRepoName): string {
  const dir = path.join(fixturesDir(), 'repos', name);
  if (!existsSync(path.join(dir, 'repodata', 'repomd.xml'))) throw new Error(`fixture repo ${name} is not built (${dir})`);
  return dir;
}

/** Every package of every repo, from the build's manifest. */
export function fixtureManifest(): Record<string, FixturePackage[]> {
  return JSON.parse(readFileSync(path.join(fixturesDir(), 'manifest.json'), 'utf8')) as Record<string, FixturePackage[]>;
}

/** Absolute path of one package file, by name (and arch when a repo has several). */
export function fixturePackage(repo: FixtureRepoName, name: string, arch?: string): string {
  const all = (fixtureManifest()[repo] ?? []).filter((p) => p.name === name && (!arch || p.arch === arch));
  const [first, second] = all;
  if (!first) throw new Error(`fixture package ${name}${arch ? `.${arch}` : ''} not in ${repo}`);
  if (second && !arch) throw new Error(`fixture package ${name} is ambiguous in ${repo}: give an arch`);
  return path.join(fixtureRepo(repo), first.href);
}

export interface Mirror {
  /** ends with '/'; e.g. `${url}4.9/os/x86_64/repodata/repomd.xml` */
  url: string;
  /** request paths in arrival order */
  requests: string[];
  /** method, path, status and range of each request */
  log: RequestRecord[];
  fault(pathRegex: RegExp, kind: FaultKind, times?: number, opts?: FaultOptions): void;
  clearFaults(): void;
  /** base URL of one repo on this mirror, ends with '/' */
  repoUrl(name: FixtureRepoName): string;
  close(): Promise<void>;
}

/**
 * A vault-style mirror (see MIRROR_LAYOUT) on 127.0.0.1, port chosen by the OS; also answers
 * `/mirrorlist?release=4.9&arch=x86_64&repo=os` (release 4, 4.9, 7, 7.9.2009) with the repo's URL.
 */
export async function startMirror(): Promise<Mirror> {
  const root = path.join(fixturesDir(), 'repos');
  const routes = Object.entries(MIRROR_LAYOUT).map(([prefix, repo]) => ({ prefix, dir: path.join(root, repo) }));
  let base = '';
  // CentOS-style mirrorlist: /mirrorlist?release=4.9&arch=x86_64&repo=os -> one baseurl per line
  const mirrorlist = {
    prefix: '/mirrorlist',
    handle(u: URL) {
      const release = MIRRORLIST_RELEASES[u.searchParams.get('release') ?? ''] ?? '';
      const prefix = `/${release}/${u.searchParams.get('repo') ?? ''}/${u.searchParams.get('arch') ?? ''}/`;
      if (!release || !(prefix in MIRROR_LAYOUT)) return { status: 404, body: 'Invalid release/repo/arch combination\n' };
      return { status: 200, body: `${base}${prefix.slice(1)}\n` };
    },
  };
  const server = await startStaticServer(routes, { dynamic: [mirrorlist] });
  base = server.url;
  const prefixOf = (name: FixtureRepoName): string => {
    const hit = Object.entries(MIRROR_LAYOUT).find(([, r]) => r === name);
    if (!hit) throw new Error(`no mirror path for ${name}`);
    return hit[0];
  };
  return {
    url: server.url,
    requests: server.requests,
    log: server.log,
    fault: (re, kind, times, opts) => server.fault(re, kind, times, opts),
    clearFaults: () => server.clearFaults(),
    repoUrl: (name) => server.url + prefixOf(name).slice(1),
    close: () => server.close(),
  };
}
