// Shared helpers for the OpenPGP tests: real data location, external tools, rpm -Kv and gpg --verify.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readPublicKeys, type PgpPublicKey } from '../../src/util/pgp/index.js';
import { tempDir as scratchDir } from '../helpers/temp-dir.js';
import { sharedPath } from '../helpers/realdata.js';

export const REALDATA = sharedPath('realdata');
export const RPMS = join(REALDATA, 'rpms');
export const HAVE_REALDATA = existsSync(RPMS);
export const DATA = join(__dirname, 'data');
/** the CentOS release keys the project ships with its distro definitions */
export const CENTOS_KEYS = resolve(__dirname, '../../repos/keys');

export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).status === 0;
}
export const HAVE_RPM = hasTool('rpm');
export const HAVE_GPG = hasTool('gpg');
export const HAVE_RPMSIGN = HAVE_GPG && hasTool('rpmsign') && hasTool('rpmbuild');

export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, maxBuffer: 64 << 20 });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

export function keysFrom(...files: string[]): PgpPublicKey[] {
  return files.flatMap((f) => readPublicKeys(readFileSync(f, 'utf8'), { subject: f }));
}

export function centosKey(n: number): string {
  const own = join(CENTOS_KEYS, `RPM-GPG-KEY-CentOS-${n}`);
  return existsSync(own) ? own : join(REALDATA, 'keys', `RPM-GPG-KEY-CentOS-${n}`);
}

export const tempDir = (prefix: string): ReturnType<typeof scratchDir> => scratchDir(`rfs-pgp-${prefix}-`);

export interface RpmKLine {
  covers: 'header' | 'header+payload';
  keyId: string; // low 32 bits, as rpm prints
  status: 'ok' | 'nokey' | 'bad';
}

/** `rpm -Kv` signature lines: "Header V4 RSA/SHA256 Signature, key ID 1964c5fc: OK" */
export function rpmK(dbpath: string, file: string): RpmKLine[] {
  const r = run('rpm', ['--dbpath', dbpath, '-Kv', file]);
  const out: RpmKLine[] = [];
  for (const m of r.stdout.matchAll(/^\s+(Header )?V\d \S+ Signature, key ID ([0-9a-f]+): (OK|NOKEY|BAD)/gm)) {
    out.push({ covers: m[1] ? 'header' : 'header+payload', keyId: m[2]!, status: m[3]!.toLowerCase() as RpmKLine['status'] });
  }
  return out;
}

export function rpmImport(dbpath: string, keyFile: string): boolean {
  return run('rpm', ['--dbpath', dbpath, '--import', keyFile]).status === 0;
}

/** gpg's verdict on a detached signature: GOODSIG/EXPKEYSIG count as good */
export function gpgVerify(home: string, sig: string, data: string): 'good' | 'bad' | 'error' {
  const r = run('gpg', ['--batch', '--status-fd', '1', '--verify', sig, data], { ...process.env, GNUPGHOME: home });
  if (/^\[GNUPG:\] (GOODSIG|EXPKEYSIG) /m.test(r.stdout)) return 'good';
  if (/^\[GNUPG:\] BADSIG /m.test(r.stdout)) return 'bad';
  return 'error';
}

export function listRpms(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.rpm')).sort().map((f) => join(dir, f)) : [];
}
