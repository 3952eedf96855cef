// The terminal's one redrawn status line: download totals, a smoothed rate and an ETA, laid out
// to fit the terminal's width (less informative parts go first, then it is cut; it never wraps,
// since a wrapped line cannot be redrawn in place).

/**
 * Bytes per second, smoothed exponentially over about TAU_MS so one slow chunk does not swing the
 * ETA; bias-corrected, so a slow first sample (connection setup) does not hold it down for seconds.
 */
export class RateMeter {
  private static readonly TAU_MS = 3000;
  private static readonly MIN_SAMPLE_MS = 200;
  private last: { t: number; bytes: number } | null = null;
  private sum = 0;
  private weight = 0;

  /** record the running byte count at time t (ms) */
  sample(t: number, bytes: number): void {
    if (!this.last) {
      this.last = { t, bytes };
      return;
    }
    const dt = t - this.last.t;
    if (dt < RateMeter.MIN_SAMPLE_MS) return;
    const now = ((bytes - this.last.bytes) / dt) * 1000;
    const alpha = 1 - Math.exp(-dt / RateMeter.TAU_MS);
    this.sum = this.sum * (1 - alpha) + now * alpha;
    this.weight = this.weight * (1 - alpha) + alpha;
    this.last = { t, bytes };
  }

  /** null until two samples far enough apart */
  get rate(): number | null {
    return this.weight > 0 ? this.sum / this.weight : null;
  }
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

/** "3.2/10.5 MiB": the done count in the total's unit */
export function formatBytesOf(done: number, total: number): string {
  const [num, unit] = formatBytes(total).split(' ');
  const scale = 1024 ** ['B', 'KiB', 'MiB', 'GiB'].indexOf(unit ?? 'B');
  const d = done / scale;
  return `${scale === 1 ? d : d.toFixed(1)}/${num} ${unit}`;
}

/** 0:07, 3:05, 1:02:03 */
export function formatEta(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const two = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

export interface StatusParts {
  label: string;
  shortLabel: string;
  /** e.g. 12/40 */
  count?: string;
  /** 0..1 */
  fraction?: number;
  bytes?: string;
  rate?: string;
  eta?: string;
}

const BAR_WIDTH = 20;

/** The richest layout that fits `max` columns; cut to `max` when even the barest does not. */
export function fitStatus(p: StatusParts, max: number): string {
  const bar = p.fraction !== undefined ? `[${'#'.repeat(Math.round(Math.min(1, p.fraction) * BAR_WIDTH)).padEnd(BAR_WIDTH, '.')}]` : undefined;
  const line = (...xs: (string | undefined)[]): string => xs.filter((x): x is string => x !== undefined && x !== '').join(' ');
  const facts = [p.bytes, p.rate, p.eta];
  const candidates = [
    line(p.label, bar, p.count, ...facts),
    line(p.label, p.count, ...facts),
    line(p.shortLabel, p.count, ...facts),
    line(p.count, ...facts),
    line(...facts),
    line(p.bytes, p.eta),
  ];
  return fitLine(candidates, max);
}

/** the first of `lines` (richest first) that fits, else the last one cut to the width */
export function fitLine(lines: readonly string[], max: number): string {
  for (const l of lines) if (l.length <= max) return l;
  return (lines[lines.length - 1] ?? '').slice(0, Math.max(0, max));
}
