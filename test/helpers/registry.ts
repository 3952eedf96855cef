// A real registry for tests: Debian's docker-registry (distribution 2.x) on 127.0.0.1, plain
// http, or TLS with a CA made here (openssl) and optionally htpasswd (bcrypt, apache2-utils) or
// token auth (a bearer token server in this process signing RS256 JWTs the registry checks
// against our certificate). Its access log tells which requests reached it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSign, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface RegistryRequest { method: string; uri: string; status: number }

export interface TestRegistry {
  /** 127.0.0.1:PORT */
  host: string;
  /** a folder holding only the CA certificate (for --cert-dir of this tool, skopeo and podman) */
  certDir?: string;
  /** with clientCerts: the CA plus a client certificate the registry accepts (client.cert, client.key) */
  clientCertDir?: string;
  /** requests the registry answered so far, from its access log */
  requests(): RegistryRequest[];
  /** token requests the token server saw (token auth only): their scope parameters */
  tokenScopes: string[][];
  close(): Promise<void>;
}

export interface RegistryOptions {
  tls?: boolean;
  /** htpasswd (basic) or token (bearer) auth with this user; needs tls */
  auth?: { kind: 'htpasswd' | 'token'; user: string; password: string };
  /** TLS that requires a client certificate signed by our CA */
  clientCerts?: boolean;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

/** CA + a server certificate for 127.0.0.1 signed by it; returns the CA-only folder. */
export function makeCerts(dir: string): string {
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=rfs test CA', '-days', '2'], dir);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'], dir);
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext'], dir);
  // the token signer: a self-signed certificate the registry trusts as its rootcertbundle
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'token.key', '-out', 'token.pem', '-subj', '/CN=rfs token signer', '-days', '2'], dir);
  const certDir = join(dir, 'certs');
  mkdirSync(certDir);
  writeFileSync(join(certDir, 'ca.crt'), readFileSync(join(dir, 'ca.pem')));
  return certDir;
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

/** A distribution token server: Basic credentials in, an RS256 JWT granting what was asked out; https with the registry's certificate (an https registry's realm must be). */
function startTokenServer(dir: string, auth: { user: string; password: string }, scopes: string[][]): Promise<{ server: http.Server; url: string }> {
  const key = readFileSync(join(dir, 'token.key'), 'utf8');
  const der = Buffer.from(readFileSync(join(dir, 'token.pem'), 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const server = https.createServer({ key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) }, (req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const asked = u.searchParams.getAll('scope');
    scopes.push(asked);
    const want = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`;
    if (req.headers.authorization !== want) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] }));
      return;
    }
    const now = Math.floor(Date.now() / 1000);
    const access = asked.map((s) => {
      const [type, ...rest] = s.split(':');
      const actions = rest.pop() ?? '';
      return { type, name: rest.join(':'), actions: actions.split(',') };
    });
    const head = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', x5c: [der.toString('base64')] }));
    const body = b64url(JSON.stringify({ iss: 'rfs-test', sub: auth.user, aud: 'rfs-registry', exp: now + 600, nbf: now - 60, iat: now, jti: randomUUID(), access }));
    const sig = createSign('RSA-SHA256').update(`${head}.${body}`).sign(key);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: `${head}.${body}.${b64url(sig)}`, expires_in: 600 }));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/token` })));
}

export async function startRegistry(dir: string, opts: RegistryOptions = {}): Promise<TestRegistry> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const certDir = opts.tls || opts.clientCerts ? makeCerts(dir) : undefined;
  let clientCertDir: string | undefined;
  if (opts.clientCerts) {
    writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=rfs client'], dir);
    openssl(['x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.pem', '-days', '2', '-extfile', 'client.ext'], dir);
    clientCertDir = join(dir, 'client-certs');
    mkdirSync(clientCertDir);
    writeFileSync(join(clientCertDir, 'ca.crt'), readFileSync(join(dir, 'ca.pem')));
    writeFileSync(join(clientCertDir, 'client.cert'), readFileSync(join(dir, 'client.pem')));
    writeFileSync(join(clientCertDir, 'client.key'), readFileSync(join(dir, 'client.key')));
  }
  const tokenScopes: string[][] = [];
  let token: { server: http.Server; url: string } | undefined;
  const lines = [
    'version: 0.1',
    'log: {level: info, formatter: text}',
    `storage: {filesystem: {rootdirectory: ${join(dir, 'data')}}, delete: {enabled: true}}`,
    'http:',
    `  addr: ${host}`,
    ...(certDir ? ['  tls:', `    certificate: ${join(dir, 'server.pem')}`, `    key: ${join(dir, 'server.key')}`] : []),
    ...(opts.clientCerts ? ['    clientcas:', `      - ${join(dir, 'ca.pem')}`] : []),
  ];
  if (opts.auth?.kind === 'htpasswd') {
    const h = spawnSync('htpasswd', ['-Bbn', opts.auth.user, opts.auth.password], { encoding: 'utf8' });
    if (h.status !== 0) throw new Error(`htpasswd: ${h.stderr}`);
    writeFileSync(join(dir, 'htpasswd'), h.stdout);
    lines.push('auth:', '  htpasswd:', '    realm: rfs-test', `    path: ${join(dir, 'htpasswd')}`);
  } else if (opts.auth?.kind === 'token') {
    token = await startTokenServer(dir, opts.auth, tokenScopes);
    lines.push('auth:', '  token:', `    realm: ${token.url}`, '    service: rfs-registry', '    issuer: rfs-test', `    rootcertbundle: ${join(dir, 'token.pem')}`);
  }
  writeFileSync(join(dir, 'config.yml'), `${lines.join('\n')}\n`);
  const child: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.on('data', (c: Buffer) => { log += c.toString(); });
  child.stderr?.on('data', (c: Buffer) => { log += c.toString(); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // ready when /v2/ answers (200, or 401 with auth)
  for (let i = 0; ; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (up) break;
    if (i > 100 || child.exitCode !== null) throw new Error(`docker-registry did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host,
    ...(certDir ? { certDir } : {}),
    ...(clientCertDir ? { clientCertDir } : {}),
    tokenScopes,
    requests: () => [...log.matchAll(/^\S+ - \S* \[[^\]]+\] "(\S+) (\S+) HTTP\/[\d.]+" (\d+) /gm)].map((m) => ({ method: m[1]!, uri: m[2]!, status: Number(m[3]) })),
    close: async () => {
      if (child.exitCode === null) { child.kill('SIGTERM'); await exited; }
      if (token) await new Promise((r) => token?.server.close(r));
    },
  };
}

export function registryAvailable(): { ok: boolean; reason: string } {
  for (const cmd of ['docker-registry', 'skopeo', 'openssl', 'htpasswd']) {
    if (spawnSync('sh', ['-c', `command -v ${cmd}`]).status !== 0) return { ok: false, reason: `${cmd} is not installed (apt-get install docker-registry skopeo openssl apache2-utils)` };
  }
  return { ok: true, reason: '' };
}
