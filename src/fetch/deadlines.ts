// How long a transfer may take to connect, go quiet or crawl before the attempt is abandoned.
import { RfsError } from '../errors/index.js';

export interface Deadlines {
  /** TCP (and TLS) connection (built-in dispatcher only) */
  connectMs: number;
  /** no response headers, or no body byte, for this long */
  idleMs: number;
  /** fewer than lowSpeedBytes arriving in any lowSpeedWindowMs window fails the attempt (0: off) */
  lowSpeedBytes: number;
  lowSpeedWindowMs: number;
  /** redirect hops followed per request */
  maxRedirects: number;
}

/**
 * Lenient enough for vault.centos.org over a slow link (10 KiB in 30 s is 340 B/s), strict
 * enough that a mirror dripping a byte a second fails within 30 s instead of never (a crawl is
 * not retried on the same URL, so that is also the whole wait with one mirror).
 */
export const DEFAULT_DEADLINES: Readonly<Deadlines> = {
  connectMs: 15_000, idleMs: 30_000, lowSpeedBytes: 10 * 1024, lowSpeedWindowMs: 30_000, maxRedirects: 10,
};

/**
 * RFS_FETCH_DEADLINES="connect=15,idle=30,speed=10240/30,redirects=10" (seconds; any subset):
 * for operators on unusual links, and for tests that prove the CLI applies the deadlines.
 */
export function deadlinesFromEnv(value: string | undefined): Partial<Deadlines> {
  if (value === undefined || value.trim() === '') return {};
  const out: Partial<Deadlines> = {};
  const bad = (part: string): RfsError => new RfsError('RFS_BAD_CONFIG', `reading RFS_FETCH_DEADLINES: cannot use '${part}'`, {
    hint: 'expected e.g. connect=15,idle=30,speed=10240/30,redirects=10 (seconds; speed is bytes/seconds)',
  });
  const secs = (v: string, part: string): number => {
    if (!/^\d+(\.\d+)?$/.test(v)) throw bad(part);
    return Math.round(Number(v) * 1000);
  };
  for (const part of value.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [key, v = ''] = part.split('=', 2).map((x) => x.trim());
    if (key === 'connect') out.connectMs = secs(v, part);
    else if (key === 'idle') out.idleMs = secs(v, part);
    else if (key === 'speed') {
      const m = /^(\d+)\/(\d+(?:\.\d+)?)$/.exec(v);
      if (!m) throw bad(part);
      out.lowSpeedBytes = Number(m[1]);
      out.lowSpeedWindowMs = secs(m[2] ?? '', part);
    } else if (key === 'redirects' && /^\d+$/.test(v)) out.maxRedirects = Number(v);
    else throw bad(part);
  }
  if ((out.connectMs ?? 1) <= 0 || (out.idleMs ?? 1) <= 0) throw bad(value);
  return out;
}
