// A hostile mirror for network faults: serves a directory, except that requests matching a
// script get the scripted misbehaviour (resets, short bodies, stalls, drips, huge lengths,
// redirects). Raw node:http: nothing here is smarter than a bad server would be.
import { promises as fsp } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';

export type Act =
  /** the file at the request's path, or at `path` */
  | { kind: 'file'; path?: string }
  | { kind: 'status'; status: number }
  | { kind: 'text'; body: string }
  /** the connection is destroyed before any response */
  | { kind: 'reset' }
  /** the file's Content-Length, half of its bytes, then the connection closes */
  | { kind: 'short' }
  /** never answers */
  | { kind: 'stall-headers' }
  /** headers and the first 100 bytes, then nothing */
  | { kind: 'stall-body' }
  /** a Content-Length of 10^15 and a few bytes, then nothing */
  | { kind: 'huge' }
  /** the file one byte every `everyMs` */
  | { kind: 'drip'; everyMs: number }
  | { kind: 'redirect'; to: string; status?: number }
  /** wait, then act */
  | { kind: 'delay'; ms: number; then: Act };

export interface Hit { path: string; at: number; act: Act['kind'] }

export interface HostileServer {
  url: string;
  hits: Hit[];
  /** requests matching `re`: the n-th gets acts[n], the last act repeats */
  script(re: RegExp, acts: Act[]): void;
  reset(): void;
  /** sockets the client closed while the server still held them open (aborted transfers) */
  clientCloses: number;
  hitsOf(re: RegExp): Hit[];
  /** when each scripted status response was sent, by path (the moment a failure left the server) */
  statusSent: { path: string; at: number }[];
  close(): Promise<void>;
}

export async function startHostileServer(root: string): Promise<HostileServer> {
  let scripts: { re: RegExp; acts: Act[]; n: number }[] = [];
  const hits: Hit[] = [];
  const statusSent: { path: string; at: number }[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const state = { clientCloses: 0 };
  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => { timers.delete(t); fn(); }, ms);
    timers.add(t);
  };

  const fileOf = async (p: string): Promise<Buffer | null> => {
    const file = path.resolve(root, decodeURIComponent(p).replace(/^\/+/, ''));
    if (!file.startsWith(path.resolve(root) + path.sep)) return null;
    return fsp.readFile(file).catch(() => null);
  };

  const act = async (a: Act, req: http.IncomingMessage, res: http.ServerResponse, p: string): Promise<void> => {
    const data = await fileOf(a.kind === 'file' && a.path ? a.path : p);
    const notFound = (): void => { res.writeHead(404, { 'Content-Length': 10 }); res.end('not found\n'); };
    // the client hanging up on a response the server has not finished is an abort
    res.on('close', () => { if (!res.writableFinished) state.clientCloses++; });
    switch (a.kind) {
      case 'file':
        if (!data) return notFound();
        res.writeHead(200, { 'Content-Length': data.length });
        res.end(data);
        return;
      case 'text':
        res.writeHead(200, { 'Content-Length': Buffer.byteLength(a.body) });
        res.end(a.body);
        return;
      case 'status':
        res.writeHead(a.status, { 'Content-Length': 6 });
        res.end('nope!\n');
        statusSent.push({ path: p, at: Date.now() });
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'short':
        if (!data) return notFound();
        res.writeHead(200, { 'Content-Length': data.length });
        res.write(data.subarray(0, data.length >> 1), () => later(20, () => req.socket.destroy()));
        return;
      case 'stall-headers':
        return;
      case 'stall-body':
        if (!data) return notFound();
        res.writeHead(200, { 'Content-Length': data.length });
        res.write(data.subarray(0, 100));
        return;
      case 'huge':
        res.writeHead(200, { 'Content-Length': '1000000000000000' });
        res.write('0123456789');
        return;
      case 'drip': {
        if (!data) return notFound();
        res.writeHead(200, { 'Content-Length': data.length });
        let i = 0;
        const drip = (): void => {
          if (res.destroyed || i >= data.length) { res.end(); return; }
          res.write(data.subarray(i, i + 1));
          i++;
          later(a.everyMs, drip);
        };
        drip();
        return;
      }
      case 'redirect':
        res.writeHead(a.status ?? 302, { Location: a.to, 'Content-Length': 0 });
        res.end();
        return;
      case 'delay':
        later(a.ms, () => { if (!res.destroyed) void act(a.then, req, res, p); });
        return;
    }
  };

  const server = http.createServer((req, res) => {
    const p = (req.url ?? '/').split('?')[0] ?? '/';
    const s = scripts.find((x) => x.re.test(p));
    const a: Act = s ? (s.acts[Math.min(s.n++, s.acts.length - 1)] ?? { kind: 'file' }) : { kind: 'file' };
    hits.push({ path: p, at: Date.now(), act: a.kind });
    act(a, req, res, p).catch(() => res.destroy());
  });
  server.on('connection', (s: Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    hits,
    statusSent,
    get clientCloses() { return state.clientCloses; },
    script(re, acts) { scripts.push({ re, acts, n: 0 }); },
    reset() { scripts = []; hits.length = 0; statusSent.length = 0; state.clientCloses = 0; },
    hitsOf: (re) => hits.filter((h) => re.test(h.path)),
    close: () => new Promise<void>((resolve) => {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
