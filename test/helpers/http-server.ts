// A small static HTTP server for tests: URL prefixes map to directories; GET and HEAD,
// single byte ranges, 404s, and injectable faults. No dependencies beyond node:http.
import { createReadStream, promises as fsp } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';

export type FaultKind = 'status404' | 'status500' | 'corrupt' | 'truncate' | 'delay' | 'reset';

export interface Route {
  /** URL path prefix, starting and ending with '/', e.g. '/4.9/os/x86_64/' */
  prefix: string;
  /** directory served under that prefix */
  dir: string;
}

export interface RequestRecord {
  method: string;
  path: string;
  status: number;
  range?: string;
}

export interface FaultOptions {
  /** for 'delay': how long to hold the response (default 3000 ms) */
  delayMs?: number;
}

export interface StaticServer {
  /** base URL, ends with '/' */
  url: string;
  port: number;
  /** request paths (pathname + query) in arrival order, every method */
  requests: string[];
  /** the same requests with method, final status and Range header */
  log: RequestRecord[];
  /**
   * Makes the next `times` (default: every) requests whose path matches misbehave:
   * status404 / status500: that status with a short body;
   * corrupt: full length, but bytes in the middle of the body flipped;
   * truncate: only the first half of the file, with a Content-Length saying so (a short file);
   * delay: the normal response after `delayMs`; reset: the connection is destroyed, no response.
   */
  fault(pathRegex: RegExp, kind: FaultKind, times?: number, opts?: FaultOptions): void;
  clearFaults(): void;
  close(): Promise<void>;
}

interface Fault { re: RegExp; kind: FaultKind; left: number; delayMs: number }

/** A computed response for a path prefix (e.g. a mirrorlist endpoint). */
export interface DynamicRoute {
  prefix: string;
  handle(url: URL): { status: number; body: string; type?: string };
}

const TYPES: Record<string, string> = {
  '.xml': 'text/xml', '.gz': 'application/gzip', '.xz': 'application/x-xz', '.zst': 'application/zstd',
  '.bz2': 'application/x-bzip2', '.rpm': 'application/x-rpm', '.repo': 'text/plain', '.txt': 'text/plain',
  '.sqlite': 'application/octet-stream', '.json': 'application/json', '.asc': 'text/plain',
};

function resolveFile(routes: Route[], urlPath: string): string | null {
  let decoded: string;
  try { decoded = decodeURIComponent(urlPath); } catch { return null; }
  if (decoded.includes('\0')) return null;
  const route = routes
    .filter((r) => decoded.startsWith(r.prefix))
    .sort((a, b) => b.prefix.length - a.prefix.length)[0];
  if (!route) return null;
  const root = path.resolve(route.dir);
  const file = path.resolve(root, decoded.slice(route.prefix.length));
  return file === root || file.startsWith(root + path.sep) ? file : null;
}

/** Parses a single "bytes=a-b" range; null = serve whole file, 'bad' = 416. */
function parseRange(h: string | undefined, size: number): { start: number; end: number } | null | 'bad' {
  if (!h) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(h.trim());
  if (!m) return null; // multi-range or unknown unit: ignore, as servers may
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return 'bad';
  let start: number;
  let end: number;
  if (a === '') { const n = Number(b); if (n === 0) return 'bad'; start = Math.max(0, size - n); end = size - 1; }
  else { start = Number(a); end = b === '' ? size - 1 : Math.min(Number(b), size - 1); }
  if (start >= size || start > end) return 'bad';
  return { start, end };
}

export async function startStaticServer(routes: Route[], opts: { host?: string; dynamic?: DynamicRoute[] } = {}): Promise<StaticServer> {
  for (const r of routes) {
    if (!r.prefix.startsWith('/') || !r.prefix.endsWith('/')) throw new Error(`route prefix must start and end with '/': ${r.prefix}`);
  }
  const host = opts.host ?? '127.0.0.1';
  const requests: string[] = [];
  const log: RequestRecord[] = [];
  let faults: Fault[] = [];
  const sockets = new Set<Socket>();

  const takeFault = (p: string): Fault | undefined => {
    const f = faults.find((x) => x.left > 0 && x.re.test(p));
    if (f) f.left--;
    return f;
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      const method = req.method ?? 'GET';
      const rawPath = (req.url ?? '/').split('#')[0] ?? '/';
      const pathname = rawPath.split('?')[0] ?? '/';
      const range = typeof req.headers.range === 'string' ? req.headers.range : undefined;
      requests.push(rawPath);
      const rec: RequestRecord = { method, path: rawPath, status: 0, ...(range ? { range } : {}) };
      log.push(rec);
      const send = (status: number, body: string) => {
        rec.status = status;
        res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body) });
        res.end(method === 'HEAD' ? undefined : body);
      };
      if (method !== 'GET' && method !== 'HEAD') return send(405, 'method not allowed\n');
      const fault = takeFault(pathname);
      if (fault?.kind === 'reset') { rec.status = -1; req.socket.destroy(); return; }
      if (fault?.kind === 'status404') return send(404, 'not found (injected)\n');
      if (fault?.kind === 'status500') return send(500, 'internal error (injected)\n');
      if (fault?.kind === 'delay') {
        await new Promise<void>((r) => { const t = setTimeout(r, fault.delayMs); res.on('close', () => { clearTimeout(t); r(); }); });
        if (res.destroyed) { rec.status = -1; return; }
      }
      const dyn = opts.dynamic?.find((d) => pathname.startsWith(d.prefix));
      if (dyn) {
        const out = dyn.handle(new URL(rawPath, `http://${host}`));
        rec.status = out.status;
        res.writeHead(out.status, { 'Content-Type': out.type ?? 'text/plain', 'Content-Length': Buffer.byteLength(out.body) });
        res.end(method === 'HEAD' ? undefined : out.body);
        return;
      }
      const file = resolveFile(routes, pathname);
      const st = file ? await fsp.stat(file).catch(() => null) : null;
      if (!file || !st || !st.isFile()) return send(404, 'not found\n');
      const headers: Record<string, string | number> = {
        'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
        'Accept-Ranges': 'bytes',
        'Last-Modified': st.mtime.toUTCString(),
      };
      if (fault?.kind === 'corrupt' || fault?.kind === 'truncate') {
        let data = await fsp.readFile(file);
        if (fault.kind === 'truncate') data = data.subarray(0, Math.floor(data.length / 2));
        else {
          data = Buffer.from(data);
          const mid = Math.floor(data.length / 2);
          for (let i = mid; i < Math.min(data.length, mid + 16); i++) data[i] = (data[i] ?? 0) ^ 0xff;
        }
        rec.status = 200;
        res.writeHead(200, { ...headers, 'Content-Length': data.length });
        res.end(method === 'HEAD' ? undefined : data);
        return;
      }
      const r = parseRange(range, st.size);
      if (r === 'bad') {
        rec.status = 416;
        res.writeHead(416, { 'Content-Range': `bytes */${st.size}`, 'Content-Length': 0 });
        res.end();
        return;
      }
      const start = r?.start ?? 0;
      const end = r?.end ?? st.size - 1;
      rec.status = r ? 206 : 200;
      res.writeHead(rec.status, {
        ...headers,
        'Content-Length': st.size === 0 ? 0 : end - start + 1,
        ...(r ? { 'Content-Range': `bytes ${start}-${end}/${st.size}` } : {}),
      });
      if (method === 'HEAD' || st.size === 0) { res.end(); return; }
      const stream = createReadStream(file, { start, end });
      stream.on('error', () => res.destroy());
      stream.pipe(res);
    })().catch(() => { res.destroy(); });
  });
  server.on('connection', (s: Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => { server.off('error', reject); resolve(); });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}/`,
    port,
    requests,
    log,
    fault(re, kind, times = Number.POSITIVE_INFINITY, o = {}) {
      faults.push({ re, kind, left: times, delayMs: o.delayMs ?? 3000 });
    },
    clearFaults() { faults = []; },
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
