// HTTP(S)_PROXY / NO_PROXY from the environment reach undici's EnvHttpProxyAgent.
import { createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fetcher } from '../../src/fetch/index.js';
import { startStaticServer, type StaticServer } from '../helpers/http-server.js';

describe('proxies from the environment', () => {
  let server: StaticServer;
  let proxy: http.Server;
  let proxyUrl: string;
  const seen: string[] = [];
  const saved = { HTTP_PROXY: process.env.HTTP_PROXY, http_proxy: process.env.http_proxy, NO_PROXY: process.env.NO_PROXY, no_proxy: process.env.no_proxy };
  const body = Buffer.from('payload through the proxy');
  let root = '';
  let n = 0;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'rfs-proxy-'));
    mkdirSync(join(root, 'd'));
    writeFileSync(join(root, 'd', 'f.bin'), body);
    server = await startStaticServer([{ prefix: '/', dir: root }]);
    // A forward proxy: absolute-URI GETs and CONNECT tunnels.
    proxy = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      const up = http.request(req.url ?? '', { method: req.method, headers: req.headers }, (r) => { res.writeHead(r.statusCode ?? 502, r.headers); r.pipe(res); });
      up.on('error', () => res.destroy());
      req.pipe(up);
    });
    proxy.on('connect', (req, sock: net.Socket, head: Buffer) => {
      seen.push(`CONNECT ${req.url}`);
      const [host, port] = (req.url ?? '').split(':');
      const up = net.connect(Number(port), host ?? '127.0.0.1', () => {
        sock.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        up.write(head);
        up.pipe(sock); sock.pipe(up);
      });
      up.on('error', () => sock.destroy());
      sock.on('error', () => up.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
    proxy.closeAllConnections();
    await new Promise<void>((r) => proxy.close(() => r()));
    await server.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('goes through HTTP_PROXY, and around it for NO_PROXY hosts', async () => {
    const sum = { type: 'sha256' as const, value: createHash('sha256').update(body).digest('hex') };
    process.env.HTTP_PROXY = proxyUrl; delete process.env.http_proxy;
    delete process.env.NO_PROXY; delete process.env.no_proxy;
    const via = new Fetcher({ cacheDir: join(root, `cache-${n++}`), retries: 0 });
    try {
      const r = await via.fetchFile([server.url], 'd/f.bin', sum);
      expect(r.fromCache).toBe(false);
      expect(seen.some((s) => s.includes(`127.0.0.1:${server.port}`))).toBe(true);
    } finally { await via.close(); }
    seen.length = 0;
    process.env.NO_PROXY = '127.0.0.1';
    const direct = new Fetcher({ cacheDir: join(root, `cache-${n++}`), retries: 0 });
    try {
      expect(Buffer.from(await direct.fetchBytes(`${server.url}d/f.bin`))).toEqual(body);
      expect(seen).toEqual([]);
    } finally { await direct.close(); }
  });
});
