// src/fetch/undici.ts loads a part of undici by file path: the files must be there, a request must
// reach the server as undici's own request() sends it, and a build's GET must not load the rest.
import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Agent, request as undiciRequest } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../src/fetch/index.js';
import { request } from '../../src/fetch/undici.js';

let server: Server;
let base = '';
const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(req.url?.startsWith('/missing') ? 404 : 200, { 'content-type': 'text/plain', 'x-echo': req.url ?? '' });
      res.end(`hello ${req.method} ${req.url}`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('undici, the parts a build loads', () => {
  it('sends what undici\'s request() sends: method, path with query, headers, body; answers status, headers, body', async () => {
    const agent = await createDispatcher(2, 5000);
    const cases: [string, 'GET' | 'PUT', string | undefined][] = [
      ['/repodata/repomd.xml?x=1&y=%2F', 'GET', undefined],
      ['/missing/a%20b.rpm', 'GET', undefined],
      ['/v2/up/blobs/uploads/1?digest=sha256:ab', 'PUT', 'payload'],
    ];
    for (const [path, method, body] of cases) {
      const opts = { method, headers: { 'user-agent': 'rootfs-assemble', 'x-test': path }, ...(body ? { body } : {}) };
      seen.length = 0;
      const ours = await request(`${base}${path}#frag`, { dispatcher: agent, ...opts });
      const theirs = await undiciRequest(`${base}${path}#frag`, { dispatcher: agent, ...opts });
      expect([ours.statusCode, ours.headers['x-echo'], await ours.body.text()]).toEqual([theirs.statusCode, theirs.headers['x-echo'], await theirs.body.text()]);
      expect(seen).toHaveLength(2);
      const [a, b] = seen;
      expect({ ...a, headers: { ...a!.headers, connection: '' } }).toEqual({ ...b, headers: { ...b!.headers, connection: '' } });
      expect(a!.url).toBe(path);
    }
    await agent.close();
  });

  it('works on a dispatcher made by the whole package (tests inject their own Agent)', async () => {
    const agent = new Agent();
    const res = await request(`${base}/injected`, { dispatcher: agent, method: 'GET' });
    expect(await res.body.text()).toBe('hello GET /injected');
    await agent.close();
  });

  it('a GET through the fetch layer loads only those files of undici (not its fetch, websocket, mock or cache code)', async () => {
    // run on the built dist/ in a fresh process, as the CLI does (async: this process is the server)
    const dist = resolve(import.meta.dirname, '../../dist/fetch/index.js');
    const script = `
      import { createRequire } from 'node:module';
      const { createDispatcher, open, DEFAULT_DEADLINES } = await import(${JSON.stringify(dist)});
      const o = await open(${JSON.stringify(`${base}/probe`)}, { dispatcher: () => createDispatcher(1, 5000), deadlines: DEFAULT_DEADLINES });
      let text = ''; for await (const c of o.body) text += Buffer.from(c).toString();
      const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('/undici/'));
      console.log(JSON.stringify({ text, loaded }));
      process.exit(0);`;
    const r = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: join(import.meta.dirname, '../..') });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { text: string; loaded: string[] };
    expect(out.text).toBe('hello GET /probe');
    expect(out.loaded.some((f) => f.endsWith('/lib/dispatcher/env-http-proxy-agent.js'))).toBe(true);
    expect(out.loaded.filter((f) => /\/undici\/(index\.js|lib\/(web|mock|cache|interceptor)\/)/.test(f))).toEqual([]);
    expect(out.loaded.length).toBeLessThan(50);
  });
});
