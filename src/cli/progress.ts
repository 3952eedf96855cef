// Renders AssembleEvents: one status line per phase redrawn in place on a terminal (within its
// width, with download total, rate and ETA), plain lines otherwise, JSON lines for machines;
// with --quiet only warnings and unverified signatures.
import { UNVERIFIED_REASON } from '../assemble/gpg.js';
import { untrusted, untrustedLines } from '../errors/index.js';
import type { AssembleEvent, EventSink, Phase } from '../types/index.js';
import { fitLine, fitStatus, formatBytes, formatBytesOf, formatEta, RateMeter } from './progress-line.js';

export type ProgressMode = 'tty' | 'plain' | 'json' | 'quiet';

export function progressMode(opts: { quiet?: boolean; json?: boolean }, stream: { isTTY?: boolean }): ProgressMode {
  if (opts.json) return 'json';
  if (opts.quiet) return 'quiet';
  return stream.isTTY ? 'tty' : 'plain';
}

const LABEL: Record<Phase, string> = {
  base: 'Reading the base image',
  metadata: 'Loading metadata',
  resolve: 'Resolving dependencies',
  download: 'Downloading and unpacking',
  unpack: 'Merging files',
  scriptlets: 'Emulating scriptlets',
  rpmdb: 'Writing rpmdb',
  write: 'Writing image',
};

/** Where progress goes: a terminal has columns and says when they change. */
export type ProgressStream = NodeJS.WritableStream & { columns?: number };

export interface RendererOptions {
  /** ms clock for throttling and the rate (tests inject one) */
  now?: () => number;
}

/** Download totals: finished transfers plus the bytes of those in flight (a retry starts again at 0). */
class DownloadTally {
  total: number | null = null;
  private network = 0;
  private cached = 0;
  private readonly inFlight = new Map<string, number>();
  start(url: string): void { this.inFlight.set(url, 0); }
  progress(url: string, bytes: number): void { this.inFlight.set(url, bytes); }
  done(url: string, bytes: number, fromCache: boolean): void {
    this.inFlight.delete(url);
    if (fromCache) this.cached += bytes; else this.network += bytes;
  }
  /** bytes that came over the network (what the rate measures) */
  get fetched(): number {
    let n = this.network;
    for (const b of this.inFlight.values()) n += b;
    return n;
  }
  get bytes(): number { return this.fetched + this.cached; }
  get fromCache(): number { return this.cached; }
}

/** all: "10.5 MiB (2.0 MiB cached) at 3.1 MiB/s", bytes: "10.5 MiB" */
function downloadSummary(d: DownloadTally, ms: number): { all: string; bytes: string } {
  const cached = d.fromCache > 0 ? ` (${formatBytes(d.fromCache)} cached)` : '';
  const rate = ms > 0 && d.fetched > 0 ? ` at ${formatBytes((d.fetched / ms) * 1000)}/s` : '';
  return { all: `${formatBytes(d.bytes)}${cached}${rate}`, bytes: formatBytes(d.bytes) };
}

export function createRenderer(mode: ProgressMode, out: ProgressStream, opts: RendererOptions = {}): EventSink & { finish(): void } {
  const now = opts.now ?? Date.now;
  let current: { phase: Phase; total?: number; done: number; bytes: number } | null = null;
  let downloads = new DownloadTally();
  let meter = new RateMeter();
  let lastDraw = -Infinity;
  // the last column is left free: writing into it makes some terminals wrap at once
  const width = (): number => Math.max(1, (out.columns && out.columns > 0 ? out.columns : 80) - 1);
  const status = (): string => {
    if (!current) return '';
    const label = LABEL[current.phase];
    const count = current.total !== undefined ? `${current.done}/${current.total}` : undefined;
    if (current.phase !== 'download') {
      return fitStatus({ label, shortLabel: label, ...(count ? { count } : {}), ...(current.total ? { fraction: current.done / current.total } : {}), ...(current.bytes ? { bytes: formatBytes(current.bytes) } : {}) }, width());
    }
    const total = downloads.total;
    const done = downloads.bytes;
    const rate = meter.rate;
    const left = total !== null ? Math.max(0, total - done) : null;
    const eta = left === 0 ? 'ETA 0:00' : rate && left !== null ? `ETA ${formatEta(left / rate)}` : 'ETA --:--';
    return fitStatus({
      label, shortLabel: 'Downloading',
      ...(count ? { count } : {}),
      ...(total ? { fraction: done / total } : current.total ? { fraction: current.done / current.total } : {}),
      bytes: total !== null ? formatBytesOf(done, total) : formatBytes(done),
      rate: rate !== null ? `${formatBytes(rate)}/s` : '-- B/s',
      ...(total !== null ? { eta } : {}),
    }, width());
  };
  const draw = (force = false): void => {
    if (mode !== 'tty' || !current) return;
    const t = now();
    if (current.phase === 'download') meter.sample(t, downloads.fetched);
    if (!force && t - lastDraw < 100) return;
    lastDraw = t;
    // write, then clear what a longer earlier line left to the right
    out.write(`\r${status()}\x1b[K`);
  };
  const onResize = (): void => draw(true);
  if (mode === 'tty') out.on('resize', onResize);
  const line = (s: string): void => {
    if (mode === 'tty') out.write('\r\x1b[K');
    out.write(s + '\n');
    draw(true);
  };
  // after finish() the command is over (an error may be about to print): late events from
  // transfers still winding down must not appear after it
  let finished = false;
  let signatureLines: string[] = [];
  const sink = (e: AssembleEvent): void => {
    if (finished) return;
    if (mode === 'json') {
      out.write(JSON.stringify(e) + '\n');
      return;
    }
    switch (e.kind) {
      case 'phase:start':
        current = { phase: e.phase, done: 0, bytes: 0, ...(e.total !== undefined ? { total: e.total } : {}) };
        if (e.phase === 'download') {
          const total = downloads.total;
          downloads = new DownloadTally();
          downloads.total = total;
          meter = new RateMeter();
        }
        if (mode === 'plain') out.write(`${LABEL[e.phase]}...\n`);
        draw(true);
        break;
      case 'phase:end': {
        const secs = `${(e.ms / 1000).toFixed(1)} s`;
        const fetched = e.phase === 'download' ? downloadSummary(downloads, e.ms) : null;
        if (mode === 'tty' && current?.phase === e.phase) {
          const full = `${LABEL[e.phase]}: done in ${secs}`;
          // narrower terminals get the short forms; the totals outlive the label
          const lines = fetched ? [`${full}, downloaded ${fetched.all}`, `Downloaded ${fetched.all} in ${secs}`, `Downloaded ${fetched.bytes} in ${secs}`] : [full];
          out.write(`\r${fitLine(lines, width())}\x1b[K\n`);
        } else if (mode === 'plain' && fetched) out.write(`  downloaded ${fetched.all}\n`);
        current = null;
        break;
      }
      case 'resolve:done':
        if (e.downloadBytes !== undefined) downloads.total = e.downloadBytes;
        if (mode !== 'quiet') line(`  ${e.packages} packages${e.downloadBytes !== undefined ? `, ${formatBytes(e.downloadBytes)} to download` : ''}`);
        break;
      case 'fetch:start':
      case 'fetch:progress':
      case 'fetch:done':
        if (current?.phase === 'download') {
          if (e.kind === 'fetch:start') downloads.start(e.url);
          else if (e.kind === 'fetch:progress') downloads.progress(e.url, e.bytes);
          else downloads.done(e.url, e.bytes, e.fromCache);
        }
        draw();
        break;
      case 'package:unpacked':
        if (current) {
          current.done++;
          current.bytes += e.bytes;
        }
        draw();
        break;
      case 'repo:loaded':
        if (mode !== 'quiet') line(`  repo ${e.repo}: ${e.packages} packages${e.fromCache ? ' (cached)' : ''}`);
        break;
      case 'fetch:retry':
        // the URL holds a mirror's href (the reason is an error message, escaped already)
        if (mode !== 'quiet') line(`  retrying ${untrusted(e.url, 300)} (attempt ${e.attempt}): ${e.reason}`);
        break;
      case 'gpg:summary':
        // printed with the final lines; with --quiet only what went unverified, which never passes unmentioned
        signatureLines = [
          ...(mode === 'quiet' ? [] : e.verified).map((k) => `signatures: ${k.packages} package(s) verified with key ${k.keyId} (${untrusted(k.userId ?? 'no user id', 160)}) from ${untrusted(k.file, 200)}`),
          ...e.unverified.map((u) => `signatures: ${u.packages} package(s) from repo ${untrusted(u.repo, 80)} NOT verified: ${UNVERIFIED_REASON[u.reason]}`),
        ];
        break;
      // both quote what packages and mirrors sent (dependency names, a scriptlet's first line)
      case 'warning':
        line(`warning: ${untrustedLines(e.message, 2000)}`);
        break;
      case 'scriptlet:skipped':
        if (mode !== 'quiet') line(`  not reproduced: ${untrusted(e.nevra, 200)} %${e.scriptlet}: ${untrusted(e.firstLine, 200)} (${untrusted(e.reason, 1000)})`);
        break;
      case 'base:changes':
        if (mode !== 'quiet') for (const l of changeReport(e)) line(l);
        break;
      case 'done':
        for (const s of signatureLines) line(s);
        // --quiet: nothing on success but what went unverified (and warnings, above)
        if (mode !== 'quiet') line(`Wrote ${e.output}: ${e.packages} packages, ${formatBytes(e.bytes)} in ${(e.ms / 1000).toFixed(1)} s`);
        break;
      default:
        break;
    }
  };
  return Object.assign(sink, {
    finish: () => {
      if (!finished && mode === 'tty') {
        out.write('\r\x1b[K');
        out.removeListener('resize', onResize);
      }
      finished = true;
    },
  });
}

/** What a build on a base did to the base's packages, one line each, as dnf's transaction summary. */
function changeReport(e: Extract<AssembleEvent, { kind: 'base:changes' }>): string[] {
  const VERB = { upgrade: 'Upgraded', downgrade: 'Downgraded', reinstall: 'Reinstalled', obsolete: 'Replaced', erase: 'Removed' } as const;
  const advisory = (a: { id: string; type: string; severity?: string }): string => untrusted(`${a.id} ${a.type}${a.severity ? ` ${a.severity}` : ''}`, 200);
  const lines = e.changes.map((c) => `  ${VERB[c.kind]} ${untrusted(c.from, 200)}${c.to !== undefined ? ` -> ${untrusted(c.to, 200)}` : ''}${
    c.advisories?.length ? ` [${c.advisories.map(advisory).join(', ')}]` : ''}`);
  return [`on ${untrusted(e.source, 200)}: ${e.kept} package(s) kept${lines.length ? `, ${lines.length} changed:` : ', none changed'}`, ...lines];
}
