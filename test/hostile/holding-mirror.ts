// A vault-style mirror of the fixture repos (test/helpers/fixtures.ts MIRROR_LAYOUT) that can
// hold a response: the next request matching a pattern gets its headers and the first half of
// its body, then nothing until release(). Lets a test signal a build mid-transfer, or keep a
// build alive for as long as it needs a live concurrent run.
import { promises as fsp } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { MIRROR_LAYOUT, fixtureRepo } from '../helpers/fixtures.js';

export interface HoldingMirror {
  /** ends with '/' */
  url: string;
  /** every request path, in arrival order */
  requests: string[];
  /** Hold the next request whose path matches; resolves once one is being held. */
  hold(re: RegExp): Promise<void>;
  /** let every held response finish */
  release(): void;
  close(): Promise<void>;
}

function fileFor(urlPath: string): string | null {
  const p = decodeURIComponent(urlPath);
  for (const [prefix, repo] of Object.entries(MIRROR_LAYOUT)) {
    if (!p.startsWith(prefix)) continue;
    const root = fixtureRepo(repo);
    const file = path.resolve(root, p.slice(prefix.length));
    return file.startsWith(root + path.sep) ? file : null;
  }
  return null;
}

export async function startHoldingMirror(): Promise<HoldingMirror> {
  const requests: string[] = [];
  const holds: { re: RegExp; reached: () => void }[] = [];
  let gate: { open: Promise<void>; release: () => void } | null = null;
  const sockets = new Set<Socket>();
  const newGate = (): NonNullable<typeof gate> => {
    let release = (): void => undefined;
    const open = new Promise<void>((r) => { release = r; });
    return { open, release };
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      const p = (req.url ?? '/').split('?')[0] ?? '/';
      requests.push(p);
      const file = fileFor(p);
      const data = file ? await fsp.readFile(file).catch(() => null) : null;
      if (data === null) {
        res.writeHead(404, { 'Content-Length': 10 }).end('not found\n');
        return;
      }
      res.writeHead(200, { 'Content-Length': data.length, 'Content-Type': 'application/octet-stream' });
      const i = holds.findIndex((h) => h.re.test(p));
      if (i >= 0 && req.method !== 'HEAD') {
        const [h] = holds.splice(i, 1);
        gate ??= newGate();
        const open = gate.open;
        const half = Math.floor(data.length / 2);
        res.write(data.subarray(0, half));
        h?.reached();
        await open;
        res.end(data.subarray(half));
        return;
      }
      res.end(req.method === 'HEAD' ? undefined : data);
    })().catch(() => res.destroy());
  });
  server.on('connection', (s: Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    hold: (re) => new Promise<void>((reached) => { holds.push({ re, reached }); }),
    release() {
      gate?.release();
      gate = null;
    },
    close: () => new Promise<void>((resolve) => {
      gate?.release();
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
