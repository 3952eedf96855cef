// The registry client against a scripted https registry (Node's https with a CA made by openssl,
// given as --cert-dir): what a hostile or broken registry answers must not move credentials or
// data where they do not belong, and must end in an RfsError that says why.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RfsError } from '../../src/errors/index.js';
import { RegistryClient, type RegistryClientOptions } from '../../src/assemble/output/registry/client.js';
import { pushLayout } from '../../src/assemble/output/registry/push.js';
import { parseImageReference } from '../../src/assemble/output/registry/reference.js';
import { OCI_CONFIG, OCI_LAYER, OCI_MANIFEST, sha256Digest } from '../../src/assemble/output/oci-spec.js';
import { makeCerts } from '../helpers/registry.js';
import { tempDir } from '../helpers/temp-dir.js';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
if (!hasOpenssl) console.warn('[registry client] skipped: openssl not installed (needed for a test certificate)');

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => void;
interface Seen { method: string; url: string; authorization: string | undefined }

/** A server that records every request and answers with the current handler. */
function serve(make: (h: http.RequestListener) => http.Server): { server: http.Server; seen: Seen[]; handle: (h: Handler) => void; port: () => number } {
  const seen: Seen[] = [];
  let handler: Handler = (_q, res) => res.writeHead(404).end();
  const server = make((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization });
      handler(req, res, Buffer.concat(chunks));
    });
  });
  return { server, seen, handle: (h) => { handler = h; }, port: () => (server.address() as AddressInfo).port };
}

const listen = (s: http.Server): Promise<void> => new Promise((r) => s.listen(0, '127.0.0.1', () => r()));
const closeAll = (s: http.Server): Promise<void> => new Promise((r) => { s.closeAllConnections(); s.close(() => r()); });

async function rejection(p: Promise<unknown>): Promise<RfsError> {
  try { await p; } catch (e) { if (e instanceof RfsError) return e; throw e; }
  throw new Error('expected a rejection');
}

describe.skipIf(!hasOpenssl)('registry client against a scripted registry', () => {
  const tmp = tempDir('rfs-registry-client-');
  const USER = 'alice';
  const PASS = 's3cret';
  const BASIC = `Basic ${Buffer.from(`${USER}:${PASS}`).toString('base64')}`;
  let certDir: string;
  let authFile: string;
  let layout: string;
  let tls: { key: Buffer; cert: Buffer };
  const servers: http.Server[] = [];
  let reg: ReturnType<typeof serve>;

  const httpsServer = (): ReturnType<typeof serve> => serve((h) => https.createServer(tls, h));
  const host = (): string => `127.0.0.1:${reg.port()}`;
  const opts = (extra: Partial<RegistryClientOptions> = {}): RegistryClientOptions => ({ certDir, authFile, env: {}, retries: 0, backoffMs: 1, ...extra });
  const client = (extra: Partial<RegistryClientOptions> = {}): RegistryClient => new RegistryClient(parseImageReference(`${host()}/team/app:1`), opts(extra));

  beforeAll(async () => {
    const dir = tmp.dir;
    certDir = makeCerts(dir);
    tls = { key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) };
    reg = httpsServer();
    servers.push(reg.server);
    await listen(reg.server);
    authFile = join(dir, 'auth.json');
    writeFileSync(authFile, JSON.stringify({ auths: { [host()]: { auth: Buffer.from(`${USER}:${PASS}`).toString('base64') } } }));
    // an OCI layout of one image: config, one layer, the manifest
    layout = join(dir, 'layout');
    mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
    const blob = (b: Uint8Array, mediaType: string): { mediaType: string; digest: string; size: number } => {
      const digest = sha256Digest(b);
      writeFileSync(join(layout, 'blobs', 'sha256', digest.slice(7)), b);
      return { mediaType, digest, size: b.length };
    };
    const config = blob(Buffer.from('{"architecture":"amd64","os":"linux"}'), OCI_CONFIG);
    const layer = blob(Buffer.from('layer bytes'), OCI_LAYER);
    const manifest = blob(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [layer] })), OCI_MANIFEST);
    writeFileSync(join(layout, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [manifest] }));
  });
  afterAll(async () => {
    await Promise.all(servers.map(closeAll));
    tmp.cleanup();
  });
  beforeEach(() => { reg.seen.length = 0; });

  /** a registry wanting basic auth whose upload session is at `location` */
  const uploadingTo = (location: string): void => reg.handle((req, res) => {
    if (req.headers.authorization !== BASIC) { res.writeHead(401, { 'www-authenticate': 'Basic realm="test"' }).end(); return; }
    if (req.method === 'HEAD') { res.writeHead(404).end(); return; }
    if (req.method === 'POST') { res.writeHead(202, { location }).end(); return; }
    if (req.method === 'PUT' && req.url?.includes('/manifests/')) { res.writeHead(201).end(); return; }
    res.writeHead(200).end();
  });

  describe('upload Location', () => {
    it('an https registry cannot send the upload to plain http: refused before any byte goes there', async () => {
      const plain = serve((h) => http.createServer(h));
      servers.push(plain.server);
      await listen(plain.server);
      uploadingTo(`http://127.0.0.1:${plain.port()}/upload`);
      const e = await rejection(pushLayout(layout, parseImageReference(`${host()}/team/app:1`), opts()));
      expect(e.code).toBe('RFS_REGISTRY');
      expect(e.message).toMatch(/upload Location from https to http refused/);
      expect(plain.seen).toEqual([]);
    });

    it.each(['ftp://127.0.0.1/upload', 'file:///etc/passwd', 'http://[bad'])('a Location %s is refused as such', async (location) => {
      uploadingTo(location);
      const e = await rejection(pushLayout(layout, parseImageReference(`${host()}/team/app:1`), opts()));
      expect(e.code).toBe('RFS_REGISTRY');
      expect(e.message).toMatch(/upload Location to (a (ftp|file): URL refused|an invalid URL)/);
    });

    it('a Location on another origin (a storage service) gets the bytes but never the credentials', async () => {
      const storage = httpsServer();
      servers.push(storage.server);
      await listen(storage.server);
      storage.handle((_q, res) => res.writeHead(201).end());
      uploadingTo(`https://127.0.0.1:${storage.port()}/upload?session=1`);
      const r = await pushLayout(layout, parseImageReference(`${host()}/team/app:1`), opts());
      expect(r.blobs.uploaded).toBe(2);
      expect(storage.seen.map((s) => s.method)).toEqual(['PUT', 'PUT']);
      expect(storage.seen.every((s) => s.authorization === undefined)).toBe(true);
      // only the first ping goes without credentials (a request of the test before may still arrive late)
      expect(reg.seen.filter((s) => s.authorization !== BASIC)).toEqual([{ method: 'GET', url: '/v2/', authorization: undefined }]);
    });
  });

  describe('bearer token realm', () => {
    /** a registry wanting a bearer token from `realm`; it takes any token */
    const bearer = (realm: string): void => reg.handle((req, res) => {
      if (req.url?.startsWith('/token')) { res.writeHead(200, { 'content-type': 'application/json' }).end('{"token":"tok"}'); return; }
      if (req.headers.authorization !== 'Bearer tok') { res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm}",service="test"` }).end(); return; }
      res.writeHead(200).end();
    });

    it('an http realm for an https registry is refused: the credentials would go in clear', async () => {
      const plain = serve((h) => http.createServer(h));
      servers.push(plain.server);
      await listen(plain.server);
      bearer(`http://127.0.0.1:${plain.port()}/token`);
      const c = client();
      try {
        const e = await rejection(c.ping().then(() => c.send('GET', '/v2/team/app/tags/list', { scopes: ['repository:team/app:pull'], ok: [200] })));
        expect(e).toMatchObject({ code: 'RFS_REGISTRY', subject: host() });
        expect(e.message).toMatch(/token realm http:\/\/127\.0\.0\.1:\d+\/token is plain http/);
        expect(e.hint).toMatch(/--tls-verify=false/);
        expect(plain.seen).toEqual([]);
      } finally { await c.close(); }
      // --tls-verify=false accepts it, as the user asked
      plain.handle((_q, res) => res.writeHead(200).end('{"token":"tok"}'));
      const lax = client({ tlsVerify: false });
      try {
        await lax.ping();
        expect((await lax.send('GET', '/v2/team/app/tags/list', { scopes: ['repository:team/app:pull'], ok: [200] })).status).toBe(200);
        expect(plain.seen).toHaveLength(1);
        expect(plain.seen[0]?.authorization).toBe(BASIC);
      } finally { await lax.close(); }
    });

    it.each([['::not a url', /is not a URL/], ['file:///etc/passwd', /is a file: URL/], ['javascript:alert(1)', /is a javascript: URL/]])('a realm %s is an RfsError naming the registry', async (realm, why) => {
      bearer(realm);
      const c = client();
      try {
        const e = await rejection(c.ping());
        expect(e).toMatchObject({ code: 'RFS_REGISTRY', subject: host() });
        expect(e.message).toMatch(why);
        expect(e.hint).toBeTruthy();
      } finally { await c.close(); }
    });

    it('an https realm on the registry works, and a WWW-Authenticate over 8 KiB is refused unparsed', async () => {
      bearer(`https://${host()}/token`);
      const c = client();
      try {
        await c.ping();
        expect((await c.send('GET', '/v2/team/app/tags/list', { scopes: ['repository:team/app:pull'], ok: [200] })).status).toBe(200);
      } finally { await c.close(); }
      reg.handle((_q, res) => res.writeHead(401, { 'www-authenticate': `Bearer realm="https://${host()}/token",scope="${'a'.repeat(9000)}"` }).end());
      const big = client();
      try {
        expect((await rejection(big.ping())).message).toMatch(/WWW-Authenticate header longer than 8192 bytes/);
      } finally { await big.close(); }
    });
  });

  describe('response bodies over 1 MiB', () => {
    it('a token answer is an error, never parsed from its first MiB', async () => {
      // '{"token":"tok"}' then 2 MiB of spaces: its cut start would parse as a whole token answer
      reg.handle((req, res) => {
        if (req.url?.startsWith('/token')) { res.writeHead(200).end(`{"token":"tok"}${' '.repeat(2 << 20)}`); return; }
        if (req.headers.authorization !== 'Bearer tok') { res.writeHead(401, { 'www-authenticate': `Bearer realm="https://${host()}/token"` }).end(); return; }
        res.writeHead(200).end();
      });
      const c = client();
      try {
        await c.ping();
        const e = await rejection(c.send('GET', '/v2/team/app/tags/list', { scopes: ['repository:team/app:pull'], ok: [200] }));
        expect(e.code).toBe('RFS_REGISTRY');
        expect(e.message).toMatch(/the token server's answer is larger than 1048576 bytes/);
      } finally { await c.close(); }
    });

    it('an error body is shown cut, and says so', async () => {
      reg.handle((req, res) => {
        if (req.url === '/v2/') { res.writeHead(200).end(); return; }
        res.writeHead(400).end(`{"errors":[{"code":"DENIED","message":"${'x'.repeat(2 << 20)}"}]}`);
      });
      const c = client();
      try {
        await c.ping();
        const e = await rejection(c.send('GET', '/v2/team/app/tags/list', { scopes: [], ok: [200] }));
        expect(e.message).toMatch(/HTTP 400 .*…\(truncated\)$/);
        expect(e.message.length).toBeLessThan(1000);
      } finally { await c.close(); }
    });
  });
});
