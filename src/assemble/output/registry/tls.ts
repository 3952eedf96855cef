// TLS as skopeo sets it up: --cert-dir DIR (else /etc/containers/certs.d/HOST[:PORT] and
// /etc/docker/certs.d/HOST[:PORT]) holds CA certificates (*.crt, added to the system's) and a
// client certificate (*.cert) with its key (*.key, same base name). --tls-verify=false accepts any
// server certificate and lets the registry be plain http.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { RfsError } from '../../../errors/index.js';
import type { TlsOptions } from '../../../fetch/index.js';

export function tlsSettings(host: string, tlsVerify: boolean, certDir: string | undefined): TlsOptions {
  const dirs = certDir !== undefined ? [certDir] : ['/etc/containers/certs.d', '/etc/docker/certs.d'].map((d) => join(d, host)).filter((d) => existsSync(d));
  const out: TlsOptions = { rejectUnauthorized: tlsVerify };
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (cause) {
      throw new RfsError('RFS_BAD_CONFIG', `reading the certificate folder ${dir}: ${cause instanceof Error ? cause.message : String(cause)}`, { subject: dir, cause, hint: '--cert-dir names a folder of *.crt CA files and a *.cert/*.key client pair' });
    }
    const cas = names.filter((n) => n.endsWith('.crt')).map((n) => readFileSync(join(dir, n), 'utf8'));
    if (cas.length > 0) out.ca = [...(out.ca ?? rootCertificates), ...cas];
    for (const c of names.filter((n) => n.endsWith('.cert'))) {
      const key = `${c.slice(0, -'.cert'.length)}.key`;
      if (!names.includes(key)) {
        throw new RfsError('RFS_BAD_CONFIG', `reading the client certificate ${join(dir, c)}: no ${key} beside it`, { subject: join(dir, c), hint: 'a client certificate NAME.cert needs its key as NAME.key in the same folder' });
      }
      if (out.cert === undefined) {
        out.cert = readFileSync(join(dir, c), 'utf8');
        out.key = readFileSync(join(dir, key), 'utf8');
      }
    }
  }
  return out;
}
