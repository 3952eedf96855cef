// Hostile mirror, signatures: a server of our own on 127.0.0.1 serves the el7 fixture repo as
// shipped (signed with the fixture key), with one package unsigned (rpmsign --delsign) and with
// one package whose header signature was altered (a BAD signature), each with repodata made for
// it by createrepo_c, so only the signature is wrong. Builds go through the CLI (main()).
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, have, ROOT, rpmQuery, runCli } from '../e2e/helpers.js';
import { breakHeaderSignature } from '../helpers/spoil-signature.js';
import { ensureFixtures, FIXTURE_KEY, fixtureRepo, fixturesAvailable } from '../helpers/fixtures.js';
import { startStaticServer, type StaticServer } from '../helpers/http-server.js';
import { tempDir } from '../helpers/temp-dir.js';

const fx = fixturesAvailable();
const tools = ['createrepo_c', 'rpmsign'].filter((t) => !have(t));
const skip = !fx.ok ? fx.reason : tools.length ? `${tools.join(', ')} not installed` : '';
if (skip) console.warn(`[hostile signatures] skipped: ${skip}`);

const FIXTURE_KEY_ID = 'b9e15b888afd667f';
const CENTOS7_KEY = resolve(ROOT, 'repos/keys/RPM-GPG-KEY-CentOS-7');
const BASH = 'bash-4.2.46-34.el7.x86_64';
const SDE = '1600000000';

interface SpdxPackage { name: string; annotations?: { annotationType: string; annotator: string; annotationDate: string; comment: string }[] }
interface Spdx { creationInfo: { created: string }; packages: SpdxPackage[] }

const readSbom = (path: string): Spdx => JSON.parse(readFileSync(path, 'utf8')) as Spdx;
const readLock = (path: string): { packages: { name: string; signature?: unknown }[] } => JSON.parse(readFileSync(path, 'utf8')) as { packages: { name: string; signature?: unknown }[] };
const commentOf = (doc: Spdx, name: string): string | undefined => doc.packages.find((p) => p.name === name)?.annotations?.[0]?.comment;

/** A copy of el7-os with `bash` changed by `spoil`, and repodata of its own. */
function spoiledRepo(dir: string, spoil: (rpm: string) => void): string {
  cpSync(fixtureRepo('el7-os'), dir, { recursive: true });
  spoil(join(dir, 'Packages', `${BASH}.rpm`));
  execFileSync('createrepo_c', ['-q', dir]);
  return dir;
}

/** every src/**.ts has a dist/**.js at least as new */
function distIsCurrent(dir = join(ROOT, 'src')): boolean {
  return readdirSync(dir, { withFileTypes: true }).every((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return distIsCurrent(p);
    if (!e.name.endsWith('.ts') || e.name.endsWith('.d.ts')) return true;
    const js = join(ROOT, 'dist', relative(join(ROOT, 'src'), p)).replace(/\.ts$/, '.js');
    return existsSync(js) && statSync(js).mtimeMs >= statSync(p).mtimeMs;
  });
}

describe.skipIf(!!skip)('hostile mirror: package signatures', () => {
  const tmp = tempDir('rfs-hostile-sig-');
  let server: StaticServer;
  let base = '';
  beforeAll(async () => {
    await ensureFixtures();
    const unsigned = spoiledRepo(join(tmp.dir, 'unsigned'), (rpm) => execFileSync('rpmsign', ['--delsign', rpm], { stdio: 'ignore' }));
    const bad = join(tmp.dir, 'bad');
    cpSync(fixtureRepo('el7-os'), bad, { recursive: true });
    await breakHeaderSignature(join(bad, 'Packages', `${BASH}.rpm`));
    execFileSync('createrepo_c', ['-q', bad]);
    server = await startStaticServer([
      { prefix: '/good/7.9.2009/os/x86_64/', dir: fixtureRepo('el7-os') },
      { prefix: '/unsigned/7.9.2009/os/x86_64/', dir: unsigned },
      { prefix: '/bad/7.9.2009/os/x86_64/', dir: bad },
      { prefix: '/keys/', dir: resolve(FIXTURE_KEY, '..') },
    ]);
    base = server.url;
  }, 600_000);
  afterAll(async () => {
    await server?.close();
    tmp.cleanup();
  });

  /** gpg-pubkey entries in an image's rpmdb, read by Debian's rpm */
  const installedKeys = (tar: string, name: string): string[] => {
    const root = join(tmp.dir, `root-${name}`);
    mkdirSync(root);
    execFileSync('tar', ['-xf', tar, '-C', root, 'var/lib/rpm']);
    return rpmQuery(root, '/var/lib/rpm', 'bdb_ro', ['-qa', '--qf', '%{NAME}-%{VERSION}-%{RELEASE}\n']).split('\n').filter((l) => l.startsWith('gpg-pubkey'));
  };
  let n = 0;
  /** centos:7.9.2009 (gpgcheck: true, RPM-GPG-KEY-CentOS-7) from one of our trees (not -q: it hides the verified lines) */
  const build = async (tree: string, ...extra: string[]) => {
    const id = `b${++n}`;
    const out = join(tmp.dir, `${id}.tar`);
    const sbom = join(tmp.dir, `${id}.spdx.json`);
    const lock = join(tmp.dir, `${id}.lock.json`);
    const r = await runCli(['centos:7.9.2009', ...extra, '--mirror', `${base}${tree}/`, '-o', out, '--sbom', sbom, '--lockfile', lock,
      '--cache-dir', join(tmp.dir, `cache-${tree}`)], { SOURCE_DATE_EPOCH: SDE });
    return { ...r, out, sbom, lock };
  };
  const nothingWritten = (r: { out: string; sbom: string; lock: string }): void => {
    for (const f of [r.out, r.sbom, r.lock]) expect(existsSync(f), f).toBe(false);
  };

  it('the default build of a gpgcheck definition verifies every package and says so, with the key', async () => {
    const r = await build('good', '--gpgkey', FIXTURE_KEY);
    expect(r.code, r.stderr).toBe(0);
    const doc = readSbom(r.sbom);
    const pkgs = doc.packages.slice(1);
    expect(pkgs.length).toBeGreaterThan(10);
    expect(r.stderr).toContain(`signatures: ${pkgs.length} package(s) verified with key ${FIXTURE_KEY_ID} (rootfs-assemble fixture key`);
    expect(r.stderr).toMatch(/\) from RPM-GPG-KEY-fixture\n/);
    expect(r.stderr).not.toContain('NOT verified');
    for (const p of pkgs) {
      expect(p.annotations, p.name).toEqual([{
        annotationDate: doc.creationInfo.created, annotationType: 'OTHER', annotator: 'Tool: rootfs-assemble',
        comment: expect.stringMatching(new RegExp(`^rpm signature: verified with key ${FIXTURE_KEY_ID} \\(fingerprint [0-9a-f]{24}${FIXTURE_KEY_ID}, key file RPM-GPG-KEY-fixture\\)`)),
      }]);
    }
    if (have('rpm')) expect(installedKeys(r.out, 'good')).toEqual(['gpg-pubkey-8afd667f-41d5e800']);
    // the lockfile records it too, and --locked still reads it
    const lock = readLock(r.lock);
    expect(lock.packages).toHaveLength(pkgs.length);
    for (const p of lock.packages) expect(p.signature, p.name).toEqual({ verified: true, keyIds: [FIXTURE_KEY_ID] });
    const again = await build('good', '--gpgkey', FIXTURE_KEY, '--locked', r.lock);
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(again.out).equals(readFileSync(r.out))).toBe(true);
  });

  it('an unsigned package fails the default build (exit 5) naming it and the trusted key ids; nothing written', async () => {
    const r = await build('unsigned', '--gpgkey', FIXTURE_KEY);
    expect(r.code, r.stderr).toBe(5);
    expect(r.stderr).toContain('RFS_RPM_SIGNATURE');
    expect(r.stderr).toContain(`${BASH} from repo base`);
    expect(r.stderr).toContain('the package is not signed');
    expect(r.stderr).toMatch(new RegExp(`trusted key ids: [0-9a-f, ]*${FIXTURE_KEY_ID}`));
    nothingWritten(r);
  });

  it('--nogpgcheck installs the unsigned package; summary and SBOM name it unverified, the rest verified (key at hand)', async () => {
    const r = await build('unsigned', '--nogpgcheck', '--gpgkey', FIXTURE_KEY);
    expect(r.code, r.stderr).toBe(0);
    const doc = readSbom(r.sbom);
    const total = doc.packages.length - 1;
    expect(r.stderr).toContain(`signatures: ${total - 1} package(s) verified with key ${FIXTURE_KEY_ID}`);
    expect(r.stderr).toContain('signatures: 1 package(s) from repo base NOT verified: --nogpgcheck\n');
    // they are the summary: the last lines, with the one naming the image
    const last = r.stderr.trimEnd().split('\n').slice(-3);
    expect(last[0]).toMatch(/^signatures: \d+ package\(s\) verified with key /);
    expect(last[1]).toMatch(/^signatures: 1 package\(s\) from repo base NOT verified/);
    expect(last[2]).toMatch(/^Wrote /);
    expect(commentOf(doc, 'bash')).toBe('rpm signature: NOT verified (--nogpgcheck)');
    expect(commentOf(doc, 'coreutils')).toMatch(/^rpm signature: verified with key /);
    // no gpgcheck, no key import (dnf imports keys only when checking)
    if (have('rpm')) expect(installedKeys(r.out, 'nogpg')).toEqual([]);
    const lock = readLock(r.lock);
    expect(lock.packages.find((p) => p.name === 'bash')?.signature).toEqual({ verified: false, reason: 'nogpgcheck' });
    expect(lock.packages.find((p) => p.name === 'coreutils')?.signature).toEqual({ verified: true, keyIds: [FIXTURE_KEY_ID] });
  });

  it('a BAD signature fails by default, and with --nogpgcheck too when the key is at hand', async () => {
    for (const extra of [[], ['--nogpgcheck']]) {
      const r = await build('bad', ...extra, '--gpgkey', FIXTURE_KEY);
      expect(r.code, `${extra.join(' ')}: ${r.stderr}`).toBe(5);
      expect(r.stderr).toContain('RFS_RPM_SIGNATURE');
      expect(r.stderr).toContain(`${BASH} from repo base`);
      expect(r.stderr).toMatch(new RegExp(`RSAHEADER RSA/SHA256 signature from key ${FIXTURE_KEY_ID} .* is BAD`));
      nothingWritten(r);
    }
  });

  it('--nogpgcheck without the key cannot tell a BAD signature: it builds and says the package is unverified', async () => {
    const r = await build('bad', '--nogpgcheck');
    expect(r.code, r.stderr).toBe(0);
    const doc = readSbom(r.sbom);
    expect(r.stderr).toContain(`signatures: ${doc.packages.length - 1} package(s) from repo base NOT verified: --nogpgcheck\n`);
    expect(commentOf(doc, 'bash')).toBe('rpm signature: NOT verified (--nogpgcheck)');
  });

  it('packages signed by a key the repo does not trust fail, naming the signing key and the trusted one', async () => {
    const r = await runCli(['--repofrompath', `el7,${base}good/7.9.2009/os/x86_64/`, '--gpgkey', CENTOS7_KEY, '--rpmdb', 'bdb-hash-v9', 'bash',
      '-o', join(tmp.dir, 'wrong.tar'), '--cache-dir', join(tmp.dir, 'cache-good'), '-q']);
    expect(r.code, r.stderr).toBe(5);
    expect(r.stderr).toContain(`signed with key ${FIXTURE_KEY_ID}, which is not among the known keys`);
    expect(r.stderr).toContain('trusted key ids: 24c6a8a7f4a80eb5');
    expect(r.stderr).toContain('RPM-GPG-KEY-CentOS-7');
    expect(existsSync(join(tmp.dir, 'wrong.tar'))).toBe(false);
  });

  it('--repofrompath without a key builds, reported unverified; with --gpgkey it is checked; --gpgcheck changes nothing', async () => {
    const common = ['--repofrompath', `el7,${base}unsigned/7.9.2009/os/x86_64/`, '--rpmdb', 'bdb-hash-v9', 'bash', 'coreutils', '--cache-dir', join(tmp.dir, 'cache-rfp'), '-q'];
    for (const alias of [[], ['--gpgcheck']]) {
      const sbom = join(tmp.dir, `rfp${alias.length}.spdx.json`);
      const r = await runCli([...common, ...alias, '-o', join(tmp.dir, `rfp${alias.length}.tar`), '--sbom', sbom], { SOURCE_DATE_EPOCH: SDE });
      expect(r.code, r.stderr).toBe(0);
      const doc = readSbom(sbom);
      expect(r.stderr).toContain(`signatures: ${doc.packages.length - 1} package(s) from repo el7 NOT verified: no key given for the --repofrompath repo (--gpgkey)\n`);
      expect(commentOf(doc, 'bash')).toBe('rpm signature: NOT verified (no key given for the --repofrompath repo (--gpgkey))');
    }
    const keyed = await runCli([...common, '--gpgkey', FIXTURE_KEY, '-o', join(tmp.dir, 'rfp-key.tar')]);
    expect(keyed.code, keyed.stderr).toBe(5);
    expect(keyed.stderr).toContain(`${BASH} from repo el7`);
    const good = join(tmp.dir, 'rfp-good.spdx.json');
    const ok = await runCli(['--repofrompath', `el7,${base}good/7.9.2009/os/x86_64/`, '--rpmdb', 'bdb-hash-v9', 'bash', '--gpgkey', FIXTURE_KEY,
      '-o', join(tmp.dir, 'rfp-good.tar'), '--sbom', good, '--cache-dir', join(tmp.dir, 'cache-good')]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toContain(`signatures: ${readSbom(good).packages.length - 1} package(s) verified with key ${FIXTURE_KEY_ID}`);
  });

  it('--repo-file repos follow their gpgcheck and gpgkey lines', async () => {
    const repo = (name: string, lines: string[]): string => {
      const f = join(tmp.dir, `${name}.repo`);
      writeFileSync(f, [`[${name}]`, `name=${name}`, `baseurl=${base}unsigned/7.9.2009/os/x86_64/`, 'enabled=1', ...lines, ''].join('\n'));
      return f;
    };
    // ('build': main() takes a leading option for a command unless some argument has a ':')
    const run = (file: string, sbom?: string) => runCli(['build', '--repo-file', file, '--rpmdb', 'bdb-hash-v9', 'bash', 'coreutils', '-o', join(tmp.dir, 'rf.tar'),
      ...(sbom ? ['--sbom', sbom] : []), '--cache-dir', join(tmp.dir, 'cache-rf'), '-q']);
    const checked = await run(repo('checked', ['gpgcheck=1', `gpgkey=file://${FIXTURE_KEY}`]));
    expect(checked.code, checked.stderr).toBe(5);
    expect(checked.stderr).toContain(`${BASH} from repo checked`);
    const sbom = join(tmp.dir, 'off.spdx.json');
    const off = await run(repo('off', ['gpgcheck=0', `gpgkey=file://${FIXTURE_KEY}`]), sbom);
    expect(off.code, off.stderr).toBe(0);
    // gpgcheck off: nothing required, but the key at hand still verifies what it signed
    expect(off.stderr).toContain('signatures: 1 package(s) from repo off NOT verified: gpgcheck is off for the repo\n');
    expect(commentOf(readSbom(sbom), 'bash')).toBe('rpm signature: NOT verified (gpgcheck is off for the repo)');
    expect(commentOf(readSbom(sbom), 'coreutils')).toMatch(/^rpm signature: verified with key /);
    // gpgcheck=0 needs no key: one that cannot be read is no error
    const absent = await run(repo('absent', ['gpgcheck=0', `gpgkey=file://${join(tmp.dir, 'no-such-key')}`]));
    expect(absent.code, absent.stderr).toBe(0);
    expect(absent.stderr).toMatch(/^signatures: \d+ package\(s\) from repo absent NOT verified: gpgcheck is off for the repo$/m);
  });

  it('a key is never fetched over plain http, from --gpgkey or a .repo file', async () => {
    const url = `${base}keys/RPM-GPG-KEY-fixture`;
    const before = server.requests.length;
    const r = await build('good', '--gpgkey', url);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('RFS_BAD_CONFIG');
    expect(r.stderr).toContain('refusing to fetch a trusted key over anything but https');
    nothingWritten(r);
    const f = join(tmp.dir, 'http-key.repo');
    writeFileSync(f, ['[httpkey]', 'name=x', `baseurl=${base}good/7.9.2009/os/x86_64/`, 'gpgcheck=1', `gpgkey=${url}`, ''].join('\n'));
    const viaRepo = await runCli(['build', '--repo-file', f, '--rpmdb', 'bdb-hash-v9', 'bash', '-o', join(tmp.dir, 'hk.tar'), '--cache-dir', join(tmp.dir, 'cache-good'), '-q']);
    expect(viaRepo.code, viaRepo.stderr).toBe(2);
    expect(server.requests.slice(before).filter((p) => p.startsWith('/keys/'))).toEqual([]);
  });

  it('the installed CLI prints the same summary (node bin/rootfs-assemble.js, when dist is built from this source)', async () => {
    if (!distIsCurrent()) return console.warn('[hostile signatures] skipped the bin run: dist/ is older than src/ (npx tsc -p tsconfig.json)');
    const out = join(tmp.dir, 'bin.tar');
    const child = spawn(process.execPath, [BIN, 'centos:7.9.2009', '--nogpgcheck', '--mirror', `${base}unsigned/`, '-o', out, '--cache-dir', join(tmp.dir, 'cache-unsigned'), '-q'],
      { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code, err).toBe(0);
    expect(err).toMatch(/^signatures: \d+ package\(s\) from repo base NOT verified: --nogpgcheck$/m);
  });
});
