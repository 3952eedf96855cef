// Checks the fixture repos with independent tools (rpm -qp, sha1/sha256 of repodata, zstd, chroot)
// and the mirror's behaviour, including every injected fault.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_KEY, FIXTURE_KEY_NEVR, ensureFixtures, fixtureManifest, fixturePackage, fixtureRepo, fixturesAvailable, fixturesDir, startMirror, type Mirror } from './fixtures.js';

const avail = fixturesAvailable();
if (!avail.ok) console.log(`[fixtures.test] skipped: ${avail.reason}`);

const dbpath = mkdtempSync(path.join(os.tmpdir(), 'rfs-fixtures-rpmdb-'));
afterAll(() => rmSync(dbpath, { recursive: true, force: true }));

function qf(file: string, format: string): string {
  return execFileSync('rpm', ['--dbpath', dbpath, '-qp', '--nosignature', '--qf', format, file], { encoding: 'utf8' });
}
function scripts(file: string): string {
  return execFileSync('rpm', ['--dbpath', dbpath, '-qp', '--nosignature', '--scripts', file], { encoding: 'utf8' });
}
/** [path, mode, user, group, caps, rdev, flags] per file */
function files(file: string): Map<string, { mode: number; user: string; group: string; caps: string; rdev: number; flags: number; color: number }> {
  const out = qf(file, '[%{FILENAMES}\\t%{FILEMODES}\\t%{FILEUSERNAME}\\t%{FILEGROUPNAME}\\t%{FILECAPS}\\t%{FILERDEVS}\\t%{FILEFLAGS}\\t%{FILECOLORS}\\n]');
  const m = new Map<string, { mode: number; user: string; group: string; caps: string; rdev: number; flags: number; color: number }>();
  for (const line of out.trim().split('\n')) {
    const [p = '', mode = '0', user = '', group = '', caps = '', rdev = '0', flags = '0', color = '0'] = line.split('\t');
    m.set(p, { mode: Number(mode), user, group, caps: caps === '(none)' ? '' : caps, rdev: Number(rdev), flags: Number(flags), color: Number(color) });
  }
  return m;
}
function sha(algo: string, data: Uint8Array): string {
  return createHash(algo).update(data).digest('hex');
}
const S_IFMT = 0o170000;

describe.skipIf(!avail.ok)('fixture repos', () => {
  beforeAll(async () => { await ensureFixtures(); });

  it('is cached: a second ensureFixtures keeps the same finished tree', async () => {
    const dir = fixturesDir();
    const stamp = statSync(path.join(dir, '.complete')).mtimeMs;
    await ensureFixtures();
    expect(fixturesDir()).toBe(dir);
    expect(statSync(path.join(dir, '.complete')).mtimeMs).toBe(stamp);
  });

  it('el4-os holds the CentOS 4 default container set and its closure', () => {
    const names = new Set((fixtureManifest()['el4-os'] ?? []).map((p) => p.name));
    for (const n of ['basesystem', 'bash', 'centos-release', 'coreutils', 'yum', 'rpm', 'shadow-utils', 'passwd', 'findutils', 'tar', 'gzip', 'vim-minimal', 'iputils', 'setup', 'filesystem', 'glibc', 'python']) {
      expect(names.has(n), n).toBe(true);
    }
  });

  it('el4-os packages are CentOS 4 style: gzip payload, MD5 file digests, real content', () => {
    const bash = fixturePackage('el4-os', 'bash');
    expect(qf(bash, '%{PAYLOADCOMPRESSOR} %{NAME}-%{VERSION}-%{RELEASE}.%{ARCH} %{BUILDHOST} %{BUILDTIME}')).toBe('gzip bash-3.0-21.el4.x86_64 fixtures.rootfs-assemble.test 1299110400');
    const digests = qf(bash, '[%{FILEDIGESTS}\\n]').split('\n').filter((d) => d.length > 0);
    expect(digests.length).toBeGreaterThan(0);
    for (const d of digests) expect(d).toMatch(/^[0-9a-f]{32}$/);
    expect(qf(bash, '%{FILEDIGESTALGO}')).toMatch(/^(\(none\)|1)$/);
    const f = files(bash);
    expect(f.get('/bin/sh')?.mode! & S_IFMT).toBe(0o120000);
    expect(qf(bash, '[%{PROVIDES}\\n]')).not.toContain('bash(x86-64)');
  });

  it('el4-os covers setuid, capabilities, devices, fifo, %pre users, ghosts and languages', () => {
    const ip = files(fixturePackage('el4-os', 'iputils'));
    expect(ip.get('/bin/ping')?.mode! & 0o7777).toBe(0o4755);
    expect(ip.get('/sbin/arping')?.caps).toBe('cap_net_raw=ep');
    const dev = files(fixturePackage('el4-os', 'dev'));
    expect(dev.get('/dev/null')?.mode! & S_IFMT).toBe(0o020000);
    expect(dev.get('/dev/null')?.rdev).toBe(0x0103);
    expect(dev.get('/dev/sda')?.mode! & S_IFMT).toBe(0o060000);
    expect(dev.get('/dev/sda')?.group).toBe('disk');
    expect(dev.get('/dev/initctl')?.mode! & S_IFMT).toBe(0o010000);
    const nscd = fixturePackage('el4-os', 'nscd');
    expect(scripts(nscd)).toContain('/usr/sbin/useradd -r -u 28 -g nscd -d / -s /sbin/nologin -c "NSCD Daemon" nscd 2>/dev/null || :');
    const nf = files(nscd);
    expect(nf.get('/var/db/nscd')?.user).toBe('nscd');
    expect(nf.get('/var/db/nscd/passwd')!.flags & 64).toBe(64); // RPMFILE_GHOST
    const rpmf = files(fixturePackage('el4-os', 'rpm'));
    expect(rpmf.get('/var/lib/rpm/Packages')!.flags & 64).toBe(64);
    expect(rpmf.get('/var/lib/rpm')?.user).toBe('rpm');
    const setup = files(fixturePackage('el4-os', 'setup'));
    expect(setup.get('/etc/shadow')?.mode! & 0o7777).toBe(0o400);
    expect(setup.get('/etc/passwd')!.flags & (1 | 16)).toBe(1 | 16); // %config(noreplace)
    const langs = qf(fixturePackage('el4-os', 'coreutils'), '[%{FILELANGS}\\n]').split('\n');
    expect(langs).toContain('fr');
    expect(langs).toContain('de');
    const gz = qf(fixturePackage('el4-os', 'gzip'), '[%{FILENAMES} %{FILEINODES} %{FILESIZES}\\n]').trim().split('\n');
    const inode = (p: string) => gz.find((l) => l.startsWith(`${p} `))?.split(' ');
    expect(inode('/bin/gzip')?.[1]).toBe(inode('/bin/zcat')?.[1]);
    expect(inode('/bin/gzip')?.[1]).toBe(inode('/bin/gunzip')?.[1]);
    expect(Number(inode('/bin/gzip')?.[2])).toBeGreaterThan(0);
    expect(qf(fixturePackage('el4-os', 'shadow-utils'), '%{EPOCH}')).toBe('2');
    expect(scripts(fixturePackage('el4-os', 'authconfig'))).toContain("sed -i -e 's/^");
  });

  it('el4-os repodata is yum 2.4 style: checksum type "sha", consistent with the files', () => {
    const repo = fixtureRepo('el4-os');
    const repomd = readFileSync(path.join(repo, 'repodata', 'repomd.xml'), 'utf8');
    expect(repomd).not.toContain('type="sha1"');
    const blocks = [...repomd.matchAll(/<data type="(\w+)">([\s\S]*?)<\/data>/g)];
    expect(blocks.map((b) => b[1]).sort()).toEqual(['filelists', 'other', 'primary']);
    for (const b of blocks) {
      const body = b[2] ?? '';
      const href = /<location href="([^"]+)"/.exec(body)?.[1] ?? '';
      const data = readFileSync(path.join(repo, href));
      expect(/<checksum type="sha">([0-9a-f]+)</.exec(body)?.[1]).toBe(sha('sha1', data));
      expect(/<open-checksum type="sha">([0-9a-f]+)</.exec(body)?.[1]).toBe(sha('sha1', zlib.gunzipSync(data)));
    }
    const primary = zlib.gunzipSync(readFileSync(path.join(repo, 'repodata', 'primary.xml.gz'))).toString('utf8');
    expect(primary).toContain('<checksum type="sha" pkgid="YES">');
    const m = /<checksum type="sha" pkgid="YES">([0-9a-f]+)<\/checksum>[\s\S]*?<location href="([^"]+)"/.exec(primary);
    expect(m?.[1]).toBe(sha('sha1', readFileSync(path.join(repo, m?.[2] ?? ''))));
    // the file dependency is visible only in filelists
    expect(primary).toContain('<rpm:entry name="/usr/libexec/openssh/ssh-keysign"/>');
    expect(primary).not.toContain('<file>/usr/libexec/openssh/ssh-keysign</file>');
    const filelists = zlib.gunzipSync(readFileSync(path.join(repo, 'repodata', 'filelists.xml.gz'))).toString('utf8');
    expect(filelists).toContain('<file>/usr/libexec/openssh/ssh-keysign</file>');
  });

  it('every package is signed with the fixture key (V3 header+payload too on el4/el7)', () => {
    execFileSync('rpmkeys', ['--dbpath', dbpath, '--import', FIXTURE_KEY]);
    expect(execFileSync('rpm', ['--dbpath', dbpath, '-q', 'gpg-pubkey'], { encoding: 'utf8' }).trim()).toBe(FIXTURE_KEY_NEVR);
    const el4 = fixturePackage('el4-os', 'bash');
    expect(execFileSync('rpmkeys', ['--dbpath', dbpath, '-K', el4], { encoding: 'utf8' })).toMatch(/digests signatures OK/);
    expect(qf(el4, '%{SIGPGP:pgpsig}')).toMatch(/^RSA\/SHA1, .*Key ID b9e15b888afd667f$/);
    expect(qf(fixturePackage('el7-os', 'bash', 'x86_64'), '%{SIGPGP:pgpsig}')).toMatch(/^RSA\/SHA256/);
    const modern = fixturePackage('modern', 'bash');
    expect(qf(modern, '%{RSAHEADER:pgpsig}|%{SIGPGP:pgpsig}')).toMatch(/^RSA\/SHA256, .*\|\(none\)$/);
    expect(execFileSync('rpmkeys', ['--dbpath', dbpath, '-K', modern], { encoding: 'utf8' })).toMatch(/digests signatures OK/);
  });

  it('el4-updates carries newer builds', () => {
    expect(qf(fixturePackage('el4-updates', 'bash'), '%{VERSION}-%{RELEASE}')).toBe('3.0-27.el4');
  });

  it('el7-os is CentOS 7 style: xz, SHA-256 digests, <lua>, systemd presets, fakesystemd', () => {
    const bash = fixturePackage('el7-os', 'bash', 'x86_64');
    expect(qf(bash, '%{PAYLOADCOMPRESSOR} %{FILEDIGESTALGO}')).toBe('xz 8');
    expect(scripts(bash)).toContain('postinstall scriptlet (using <lua>)');
    expect(files(fixturePackage('el7-os', 'iputils')).get('/usr/bin/ping')?.caps).toBe('cap_net_admin,cap_net_raw=ep');
    expect(scripts(fixturePackage('el7-os', 'openssh-server'))).toContain('systemctl preset sshd.service');
    expect(files(fixturePackage('el7-os', 'centos-release')).has('/usr/lib/systemd/system-preset/90-default.preset')).toBe(true);
    expect(qf(fixturePackage('el7-os', 'fakesystemd'), '[%{CONFLICTS}\\n]')).toContain('systemd');
    const rd = readdirSync(path.join(fixtureRepo('el7-os'), 'repodata'));
    expect(rd.some((f) => f.endsWith('primary.sqlite.bz2'))).toBe(true);
    expect(readFileSync(path.join(fixtureRepo('el7-os'), 'repodata', 'repomd.xml'), 'utf8')).toContain('<checksum type="sha256">');
  });

  it('modern is Fedora style: zstd, rich and weak deps, multilib colours, kernels, sysusers', () => {
    const x64 = fixturePackage('modern', 'glibc', 'x86_64');
    const i686 = fixturePackage('modern', 'glibc', 'i686');
    expect(qf(x64, '%{PAYLOADCOMPRESSOR} %{FILEDIGESTALGO}')).toBe('zstd 8');
    expect(files(x64).get('/usr/sbin/ldconfig')?.color).toBe(2);
    expect(files(i686).get('/usr/sbin/ldconfig')?.color).toBe(1);
    expect(qf(x64, '[%{REQUIRES}\\n]')).toContain('(glibc-gconv-extra(x86-64) = 2.38-16.fc39 if redhat-rpm-config)');
    expect(qf(x64, '[%{RECOMMENDS}\\n]')).toContain('(glibc-langpack-en or glibc-minimal-langpack)');
    expect(qf(fixturePackage('modern', 'glibc-langpack-en'), '[%{SUPPLEMENTS}\\n]')).toContain('(glibc and (langpacks-en or langpacks-en_GB))');
    expect(qf(fixturePackage('modern', 'bash-completion'), '[%{ENHANCES}\\n]')).toContain('bash');
    const kernels = (fixtureManifest()['modern'] ?? []).filter((p) => p.name === 'kernel').map((p) => p.version).sort();
    expect(kernels).toEqual(['6.5.6', '6.7.4']);
    expect(scripts(fixturePackage('modern', 'chrony'))).toContain("useradd -r -g 'chrony' -d '/var/lib/chrony'");
    expect(scripts(fixturePackage('modern', 'nmap-ncat'))).toContain('update-alternatives --install /usr/bin/nc nc /usr/bin/ncat 10');
    expect(qf(fixturePackage('modern', 'procps-ng'), '[%{OBSOLETENEVRS}\\n]')).toContain('procps < 3.2.9-1');
    const repomd = readFileSync(path.join(fixtureRepo('modern'), 'repodata', 'repomd.xml'), 'utf8');
    const href = /<data type="primary">[\s\S]*?<location href="([^"]+)"/.exec(repomd)?.[1] ?? '';
    expect(href).toMatch(/primary\.xml\.zst$/);
    const xml = execFileSync('zstd', ['-dc', path.join(fixtureRepo('modern'), href)], { encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(xml).toContain('<name>polkit-pkla-compat</name>');
  });

  it.skipIf(process.getuid?.() !== 0 || spawnSync('chroot', ['--version']).status !== 0)('an el4 image of bash + coreutils chroots and runs', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'rfs-fixtures-root-'));
    try {
      for (const name of ['filesystem', 'setup', 'bash', 'coreutils']) {
        execFileSync('sh', ['-c', `rpm2cpio "$1" | cpio -idm --quiet`, 'sh', fixturePackage('el4-os', name)], { cwd: root });
      }
      expect(execFileSync('chroot', [root, '/bin/sh', '-c', 'echo ok; ls /etc/passwd'], { encoding: 'utf8' })).toBe('ok\n/etc/passwd\n');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

function rawGet(url: string, rawPath: string): Promise<number> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: rawPath, method: 'GET' }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('error', reject);
    req.end();
  });
}

describe.skipIf(!avail.ok)('fixture mirror', () => {
  let mirror: Mirror;
  const rel = '4.9/os/x86_64/repodata/repomd.xml';
  let expected: Buffer;
  beforeAll(async () => {
    await ensureFixtures();
    mirror = await startMirror();
    expected = readFileSync(path.join(fixtureRepo('el4-os'), 'repodata', 'repomd.xml'));
  });
  afterAll(async () => { await mirror?.close(); });

  it('serves the vault layout on 127.0.0.1 with GET, HEAD, ranges and 404s', async () => {
    expect(mirror.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const r = await fetch(mirror.url + rel);
    expect(r.status).toBe(200);
    expect(Buffer.from(await r.arrayBuffer()).equals(expected)).toBe(true);
    const h = await fetch(mirror.url + rel, { method: 'HEAD' });
    expect(h.headers.get('content-length')).toBe(String(expected.length));
    const part = await fetch(mirror.url + rel, { headers: { Range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 10-19/${expected.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(expected.subarray(10, 20))).toBe(true);
    expect((await fetch(mirror.url + rel, { headers: { Range: `bytes=${expected.length}-` } })).status).toBe(416);
    expect((await fetch(mirror.url + '4.9/os/x86_64/repodata/nope.xml')).status).toBe(404);
    expect(await rawGet(mirror.url, '/4.9/os/x86_64/../../../../etc/passwd')).toBe(404);
    expect((await fetch(mirror.repoUrl('modern') + 'repodata/repomd.xml')).status).toBe(200);
    const pkg = (fixtureManifest()['el7-os'] ?? []).find((p) => p.name === 'bash');
    expect((await fetch(mirror.repoUrl('el7-os') + (pkg?.href ?? ''))).status).toBe(200);
    expect(mirror.requests).toContain('/' + rel);
    const ml = await fetch(`${mirror.url}mirrorlist?release=4&arch=x86_64&repo=updates`);
    expect(await ml.text()).toBe(`${mirror.url}4.9/updates/x86_64/\n`);
    expect((await fetch(`${mirror.url}mirrorlist?release=5&arch=x86_64&repo=os`)).status).toBe(404);
  });

  it('injects status, corrupt, truncate, delay and reset faults, limited by times', async () => {
    mirror.fault(/repomd\.xml$/, 'status404', 1);
    expect((await fetch(mirror.url + rel)).status).toBe(404);
    expect((await fetch(mirror.url + rel)).status).toBe(200);

    mirror.fault(/repomd\.xml$/, 'status500', 2);
    expect((await fetch(mirror.url + rel)).status).toBe(500);
    expect((await fetch(mirror.url + rel)).status).toBe(500);
    expect((await fetch(mirror.url + rel)).status).toBe(200);

    mirror.fault(/repomd\.xml$/, 'corrupt', 1);
    const bad = Buffer.from(await (await fetch(mirror.url + rel)).arrayBuffer());
    expect(bad.length).toBe(expected.length);
    expect(bad.equals(expected)).toBe(false);

    mirror.fault(/repomd\.xml$/, 'truncate', 1);
    const short = Buffer.from(await (await fetch(mirror.url + rel)).arrayBuffer());
    expect(short.equals(expected.subarray(0, Math.floor(expected.length / 2)))).toBe(true);

    mirror.fault(/repomd\.xml$/, 'reset', 1);
    await expect(fetch(mirror.url + rel)).rejects.toThrow();

    mirror.fault(/repomd\.xml$/, 'delay', 1, { delayMs: 5000 });
    await expect(fetch(mirror.url + rel, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    expect((await fetch(mirror.url + rel)).status).toBe(200);

    mirror.fault(/\.rpm$/, 'status404');
    mirror.clearFaults();
    const pkg = (fixtureManifest()['el4-os'] ?? []).find((p) => p.name === 'setup');
    expect((await fetch(mirror.repoUrl('el4-os') + (pkg?.href ?? ''))).status).toBe(200);
    expect(mirror.log.filter((l) => l.status === 500)).toHaveLength(2);
  });
});
