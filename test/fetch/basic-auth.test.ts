// user:pass@ in a mirror URL (dnf's baseurl form) is sent as HTTP basic auth, to that origin only:
// a redirect to another origin goes without it.
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher, DEFAULT_DEADLINES, open, withBasicAuth } from '../../src/fetch/index.js';

interface Seen { url: string | undefined; auth: string | undefined }

function serve(onReq: (req: IncomingMessage) => { status: number; location?: string }): Promise<{ server: Server; base: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url, auth: req.headers.authorization });
    const r = onReq(req);
    res.writeHead(r.status, r.location ? { location: r.location } : {});
    res.end(r.status === 200 ? 'ok' : '');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, seen, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

async function get(url: string): Promise<string> {
  const o = await open(url, { dispatcher: () => createDispatcher(2, 5000), deadlines: { ...DEFAULT_DEADLINES } });
  let text = '';
  for await (const c of o.body) text += Buffer.from(c).toString();
  return text;
}

describe('basic auth from the mirror URL', () => {
  let mirror: Awaited<ReturnType<typeof serve>>;
  let cdn: Awaited<ReturnType<typeof serve>>;
  const AUTH = `Basic ${Buffer.from('us er:p@ss').toString('base64')}`;
  beforeAll(async () => {
    cdn = await serve(() => ({ status: 200 }));
    mirror = await serve((req) => {
      if (req.headers.authorization !== AUTH) return { status: 401 };
      if (req.url === '/same') return { status: 302, location: '/repomd.xml' };
      if (req.url === '/away') return { status: 302, location: `${cdn.base}/repomd.xml` };
      return { status: 200 };
    });
  });
  afterAll(() => { mirror.server.close(); cdn.server.close(); });

  it('withBasicAuth takes the credentials out of the URL, percent-decoded', () => {
    expect(withBasicAuth('https://us%20er:p%40ss@m.example/x')).toEqual({ url: 'https://m.example/x', headers: { authorization: AUTH } });
    expect(withBasicAuth('https://m.example/x')).toEqual({ url: 'https://m.example/x', headers: {} });
  });

  it('sends them to the mirror and along a same-origin redirect, never to another origin', async () => {
    const withCreds = mirror.base.replace('http://', 'http://us%20er:p%40ss@');
    expect(await get(`${withCreds}/repomd.xml`)).toBe('ok');
    expect(await get(`${withCreds}/same`)).toBe('ok');
    expect(await get(`${withCreds}/away`)).toBe('ok');
    expect(mirror.seen.map((s) => [s.url, s.auth === AUTH])).toEqual([['/repomd.xml', true], ['/same', true], ['/repomd.xml', true], ['/away', true]]);
    expect(cdn.seen).toEqual([{ url: '/repomd.xml', auth: undefined }]);
  });

  it('without them the mirror refuses (HTTP 401)', async () => {
    await expect(get(`${mirror.base}/repomd.xml`)).rejects.toThrow(/HTTP 401/);
  });
});
