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
  /**
   * The whole transfer of a file with a declared size must end within totalMs + size / totalRate
   * seconds, one without within totalNoSizeMs: the low-speed floor alone lets a server just above
   * it hold a download for hours (0: off)
   */
  totalMs: number;
  /** bytes per second */
  totalRate: number;
  totalNoSizeMs: number;
}

/**
 * Lenient enough for vault.centos.org over a slow link (10 KiB in 30 s is 340 B/s), strict
 * enough that a mirror dripping a byte a second fails within 30 s instead of never (a crawl is
 * not retried on the same URL, so that is also the whole wait with one mirror).
 */
export const DEFAULT_DEADLINES: Readonly<Deadlines> = {
  connectMs: 15_000, idleMs: 30_000, lowSpeedBytes: 10 * 1024, lowSpeedWindowMs: 30_000, maxRedirects: 10,
  // 5 min plus 4 KiB/s (32 kbit/s): a 100 MB package may take 2 h; repomd.xml, mirror lists and
  // records without a size get 30 min
  totalMs: 300_000, totalRate: 4096, totalNoSizeMs: 1_800_000,
};

/** How long one transfer of `size` bytes (undefined: not declared) may take in all; Infinity when off. */
export function totalDeadlineMs(d: Deadlines, size: number | undefined): number {
  if (d.totalMs <= 0) return Infinity;
  if (size === undefined) return d.totalNoSizeMs > 0 ? d.totalNoSizeMs : Infinity;
  return d.totalRate > 0 ? d.totalMs + Math.ceil((size * 1000) / d.totalRate) : Infinity;
}

/**
 * RFS_FETCH_DEADLINES="connect=15,idle=30,speed=10240/30,redirects=10,total=300,total-rate=4096,total-nosize=1800"
 * (seconds, bytes per second; any subset; total=0 turns the total deadline off):
 * for operators on unusual links, and for tests that prove the CLI applies the deadlines.
 */
export function deadlinesFromEnv(value: string | undefined): Partial<Deadlines> {
  if (value === undefined || value.trim() === '') return {};
  const out: Partial<Deadlines> = {};
  const bad = (part: string): RfsError => new RfsError('RFS_BAD_CONFIG', `reading RFS_FETCH_DEADLINES: cannot use '${part}'`, {
    hint: 'expected e.g. connect=15,idle=30,speed=10240/30,redirects=10,total=300,total-rate=4096,total-nosize=1800 (seconds; speed is bytes/seconds, total-rate bytes per second)',
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
    else if (key === 'total') out.totalMs = secs(v, part);
    else if (key === 'total-rate' && /^\d+$/.test(v) && Number(v) > 0) out.totalRate = Number(v);
    else if (key === 'total-nosize') out.totalNoSizeMs = secs(v, part);
    else throw bad(part);
  }
  if ((out.connectMs ?? 1) <= 0 || (out.idleMs ?? 1) <= 0) throw bad(value);
  return out;
}
