// --from a foreign base (issue #14): a root `dnf --installroot` made from the fixture repos, in
// the rpmdb flavours the host's rpm writes, given as a directory and as a rootfs tar, and bases
// this tool made with BDB hash v9 and ndb. On each, `--from BASE new-tool app-2.0 svc` must give
// the package set and the `rpm -V` cleanliness dnf gives installing the same request into a copy
// of the base, and keep the base's rpmdb flavour where the base had it.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getPackagesNdb } from '@snyk/rpm-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_KEY, fixtureManifest, fixturesAvailable, fixturesDir } from '../helpers/fixtures.js';
import { withoutIndexWarnings } from '../helpers/host-rpm.js';
import { dnfInRoot, have, isRoot, runCli, useFixtureMirror } from './helpers.js';

const avail = fixturesAvailable();
const hostOk = isRoot && have('dnf') && have('getcap');
if (!avail.ok) console.warn(`[e2e from-foreign] skipped: ${avail.reason}`);
else if (!hostOk) console.warn('[e2e from-foreign] skipped: needs root, dnf and getcap (dnf --installroot makes the foreign base)');
const SDE = { SOURCE_DATE_EPOCH: '1700000000' };
const BASE_PKGS = ['bash', 'coreutils-single', 'setup', 'filesystem', 'rpm', 'shadow-utils', 'fedora-release', 'old-tool-1.0-1', 'app-1.0'];
const ADDED = ['new-tool', 'app-2.0', 'svc'];
// Fedora's place; the fixture rpm package ships /var/lib/rpm as a symlink to it, so dnf must
// create the db here (a directory at /var/lib/rpm would meet that symlink and fail the install)
const DB = '/usr/lib/sysimage/rpm';
type Flavour = 'sqlite' | 'ndb' | 'bdb-hash-v9';
const BACKEND: Record<Flavour, string> = { sqlite: 'sqlite', ndb: 'ndb', 'bdb-hash-v9': 'bdb_ro' };

/** Debian builds rpm without ndb: asked for it, rpm warns and keeps a dummy db, writing nothing */
function hostWritesNdb(): boolean {
  const d = mkdtempSync(join(tmpdir(), 'rfs-ndbprobe-'));
  try {
    spawnSync('rpm', ['--dbpath', d, '--define', '_db_backend ndb', '--initdb'], { stdio: 'ignore' });
    return existsSync(join(d, 'Packages.db'));
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
}
const NDB_HOST = hostOk && hostWritesNdb();

const extract = (tar: string, dir: string): string => {
  mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['-xf', tar, '-C', dir, '--numeric-owner', '--xattrs', '--xattrs-include=security.capability']);
  return dir;
};
/** cp -a: owners, modes, mtimes and capability xattrs as they are */
const copyTree = (from: string, to: string): void => void execFileSync('cp', ['-a', from, to]);
const rpmArgs = (root: string, flavour: Flavour): string[] => ['--root', root, '--dbpath', DB, '--define', `_db_backend ${BACKEND[flavour]}`];
const rpmRun = (args: string[]) => spawnSync('rpm', args, { encoding: 'utf8', env: { ...process.env, HOME: '/nonexistent' }, maxBuffer: 1 << 26 });
const hostReads = (flavour: Flavour): boolean => flavour !== 'ndb' || NDB_HOST;

/** name-version-release.arch of every package but gpg-pubkeys (dnf's --nogpgcheck imports none) */
async function packageSet(root: string, flavour: Flavour): Promise<string[]> {
  let all: string[];
  if (hostReads(flavour)) {
    const r = rpmRun([...rpmArgs(root, flavour), '-qa', '--qf', '%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\n']);
    expect(r.status, r.stderr).toBe(0);
    all = r.stdout.trim().split('\n');
  } else {
    // an independent ndb reader where the host's rpm has none
    const got = await getPackagesNdb(readFileSync(join(root, DB, 'Packages.db')));
    expect(got.error).toBeUndefined();
    all = got.response.map((p) => `${p.name}-${p.version}-${p.release}.${p.arch ?? ''}`);
  }
  return all.filter((n) => !n.startsWith('gpg-pubkey-')).sort();
}

/**
 * `rpm -Va`'s lines. Where the host rpm cannot open the db (ndb on Debian), `rpm -Vp` of the
 * fixture package files of the set checks the same files against the same headers.
 */
function verify(root: string, flavour: Flavour, set: readonly string[]): string[] {
  let r: ReturnType<typeof rpmRun>;
  if (hostReads(flavour)) r = rpmRun([...rpmArgs(root, flavour), '-Va']);
  else {
    const files = new Map<string, string>();
    for (const [repo, pkgs] of Object.entries(fixtureManifest())) {
      for (const p of pkgs) files.set(`${p.name}-${p.version}-${p.release}.${p.arch}`, join(fixturesDir(), 'repos', repo, p.href));
    }
    // --root applies to -p paths too: the package files go inside the root for the check
    const dir = join(root, '.rfs-verify');
    mkdirSync(join(dir, 'db'), { recursive: true });
    const inRoot = set.map((n, i) => {
      const src = files.get(n);
      if (!src) throw new Error(`${n}: no fixture package file`);
      cpSync(src, join(dir, `${i}.rpm`));
      return `/.rfs-verify/${i}.rpm`;
    });
    r = rpmRun(['--root', root, '--dbpath', '/.rfs-verify/db', '-Vp', '--nodeps', '--noscripts', ...inRoot]);
    rmSync(dir, { recursive: true, force: true });
  }
  const stderr = withoutIndexWarnings(r.stderr).split('\n').filter((l) => l !== '' && !/Header V4 RSA\/SHA256 Signature, key ID \w+: NOKEY/.test(l));
  expect(stderr).toEqual([]);
  expect(r.status === 0 || r.status === 1, r.stderr).toBe(true);
  return r.stdout.split('\n').filter((l) => l !== '').sort();
}

/** The rpmdb files left in the db directory are the base's flavour's and no other's. */
function expectFlavour(root: string, flavour: Flavour): void {
  const db = join(root, DB);
  expect(existsSync(join(db, 'rpmdb.sqlite'))).toBe(flavour === 'sqlite');
  expect(existsSync(join(db, 'Packages.db'))).toBe(flavour === 'ndb');
  expect(existsSync(join(db, 'Packages'))).toBe(flavour === 'bdb-hash-v9');
  // hash metadata version at offset 16: 9 as libdb 5.3 writes it
  if (flavour === 'bdb-hash-v9') expect(readFileSync(join(db, 'Packages')).readUInt32LE(16)).toBe(9);
}

interface Case {
  name: string;
  flavour: Flavour;
  /** the --from argument */
  from: string;
  /** the base as a directory, copied for dnf */
  root: string;
  /** dnf cannot install into this flavour here: the reference is dnf's install into this case's base */
  refOf?: string;
}

describe.skipIf(!avail.ok || !hostOk)('--from a foreign base: dnf --installroot and other rpmdb flavours', () => {
  const env = useFixtureMirror('rfs-foreign-');
  const out = (name: string): string => join(env.dir, name);
  const repos = (): string[] => ['--repofrompath', `modern,${env.mirror.repoUrl('modern')}`, '--repofrompath', `layers,${env.mirror.repoUrl('layers')}`];
  const ours = async (args: string[]): Promise<void> => {
    const r = await runCli([...repos(), '--gpgkey', FIXTURE_KEY, '--cache-dir', out('cache'), '-q', ...args], SDE);
    if (r.code !== 0) throw new Error(`build ${args.join(' ')}: ${r.stderr}`);
  };
  const dnf = async (root: string, flavour: Flavour, args: string[]): Promise<void> => {
    // Fedora's dbpath, in the flavour asked for
    const r = await dnfInRoot(root, args, { cache: out(`dnf-cache-${flavour}`), macros: `%_dbpath ${DB}\n%_db_backend ${BACKEND[flavour]}\n` });
    if (r.code !== 0) throw new Error(`dnf ${args.join(' ')} into ${root}: ${r.stderr}`);
  };
  const cases: Case[] = [];

  beforeAll(async () => {
    await dnf(out('dnf-sqlite'), 'sqlite', ['install', ...BASE_PKGS]);
    execFileSync('tar', ['-C', out('dnf-sqlite'), '--numeric-owner', '--xattrs', '--xattrs-include=security.capability', '-cf', out('dnf-sqlite.tar'), '.']);
    // a base with no /var/lib/rpm at all: the rpmdb is found at /usr/lib/sysimage/rpm
    copyTree(out('dnf-sqlite'), out('dnf-nolink'));
    rmSync(out('dnf-nolink/var/lib/rpm'));
    cases.push({ name: 'dnf sqlite, a directory', flavour: 'sqlite', from: out('dnf-sqlite'), root: out('dnf-sqlite') });
    cases.push({ name: 'dnf sqlite, a rootfs tar', flavour: 'sqlite', from: out('dnf-sqlite.tar'), root: out('dnf-sqlite') });
    cases.push({ name: 'dnf sqlite, no /var/lib/rpm', flavour: 'sqlite', from: out('dnf-nolink'), root: out('dnf-nolink') });
    if (NDB_HOST) {
      await dnf(out('dnf-ndb'), 'ndb', ['install', ...BASE_PKGS]);
      cases.push({ name: 'dnf ndb, a directory', flavour: 'ndb', from: out('dnf-ndb'), root: out('dnf-ndb') });
    } else console.warn('[e2e from-foreign] the host rpm writes no ndb: the ndb base is this tool\'s');
    for (const flavour of ['bdb-hash-v9', 'ndb'] as const) {
      await ours(['--rpmdb', flavour, ...BASE_PKGS, '-o', out(`ours-${flavour}.tar`)]);
      // the host's rpm writes neither: dnf's reference install goes into the dnf-made base
      cases.push({ name: `this tool's ${flavour}`, flavour, from: out(`ours-${flavour}.tar`), root: extract(out(`ours-${flavour}.tar`), out(`ours-${flavour}`)), refOf: out('dnf-sqlite') });
    }
  }, 600_000);

  const refs = new Map<string, string>();
  /** dnf installing the same request into a copy of the base */
  const reference = async (c: Case): Promise<string> => {
    const base = c.refOf ?? c.root;
    const have = refs.get(base);
    if (have) return have;
    const root = `${base}-dnf`;
    copyTree(base, root);
    await dnf(root, c.refOf ? 'sqlite' : c.flavour, ['install', ...ADDED]);
    refs.set(base, root);
    return root;
  };

  it('gives the set and the rpm -V cleanliness dnf gives, in the base\'s rpmdb flavour', async () => {
    expect(cases.length).toBeGreaterThanOrEqual(5);
    for (const c of cases) {
      const slug = c.name.replace(/\W+/g, '-');
      await ours(['--from', c.from, ...ADDED, '-o', out(`${slug}.tar`)]);
      const root = extract(out(`${slug}.tar`), out(slug));
      const ref = await reference(c);
      const refFlavour: Flavour = c.refOf ? 'sqlite' : c.flavour;
      const set = await packageSet(root, c.flavour);
      expect(set, c.name).toEqual(await packageSet(ref, refFlavour));
      expect(set.some((n) => n.startsWith('svc-1.0-1.'))).toBe(true);
      expectFlavour(root, c.flavour);
      // /var/lib/rpm stays what the base had: Fedora's symlink, or nothing
      const link = join(root, 'var/lib/rpm');
      if (existsSync(join(c.root, 'var/lib/rpm'))) expect(lstatSync(link).isSymbolicLink() && readlinkSync(link)).toBe('../../usr/lib/sysimage/rpm');
      else expect(existsSync(link)).toBe(false);
      // The fixtures' useradd/groupadd are stand-ins that do nothing, so under dnf svc's %pre adds
      // no account; our emulation adds it as the real shadow-utils would, which changes
      // the two %config files: those two lines, and only they, are ours alone.
      expect(readFileSync(join(root, 'etc/passwd'), 'utf8')).toMatch(/^svc:x:\d+:\d+:svc daemon:/m);
      const accounts = /^S\.5\.{6} {2}c \/etc\/(passwd|group)$/;
      const mine = verify(root, c.flavour, set);
      expect(mine.filter((l) => accounts.test(l)), c.name).toHaveLength(2);
      expect(mine.filter((l) => !accounts.test(l)), c.name).toEqual(verify(ref, refFlavour, set));
    }
  }, 600_000);
});
