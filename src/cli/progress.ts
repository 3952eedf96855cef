// Renders AssembleEvents: one updating status line per phase on a terminal, plain lines
// otherwise, JSON lines for machines; with --quiet only warnings and unverified signatures.
import { UNVERIFIED_REASON } from '../assemble/gpg.js';
import { untrusted } from '../errors/index.js';
import type { AssembleEvent, EventSink, Phase } from '../types/index.js';

export type ProgressMode = 'tty' | 'plain' | 'json' | 'quiet';

export function progressMode(opts: { quiet?: boolean; json?: boolean }, stream: { isTTY?: boolean }): ProgressMode {
  if (opts.json) return 'json';
  if (opts.quiet) return 'quiet';
  return stream.isTTY ? 'tty' : 'plain';
}

const LABEL: Record<Phase, string> = {
  metadata: 'Loading metadata',
  resolve: 'Resolving dependencies',
  download: 'Downloading and unpacking',
  unpack: 'Merging files',
  scriptlets: 'Emulating scriptlets',
  rpmdb: 'Writing rpmdb',
  write: 'Writing image',
};

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

export function createRenderer(mode: ProgressMode, out: NodeJS.WritableStream): EventSink & { finish(): void } {
  let current: { phase: Phase; total?: number; done: number; bytes: number } | null = null;
  let lastDraw = 0;
  const draw = (force = false): void => {
    if (mode !== 'tty' || !current) return;
    const now = Date.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    const count = current.total !== undefined ? ` ${current.done}/${current.total}` : '';
    const width = 24;
    const bar = current.total ? `[${'#'.repeat(Math.round((current.done / current.total) * width)).padEnd(width, '.')}]` : '';
    const bytes = current.bytes ? ` ${formatBytes(current.bytes)}` : '';
    out.write(`\r\x1b[K${LABEL[current.phase]} ${bar}${count}${bytes}`);
  };
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
        if (mode === 'plain') out.write(`${LABEL[e.phase]}...\n`);
        draw(true);
        break;
      case 'phase:end':
        if (mode === 'tty' && current?.phase === e.phase) {
          out.write(`\r\x1b[K${LABEL[e.phase]}: done in ${(e.ms / 1000).toFixed(1)} s\n`);
        }
        current = null;
        break;
      case 'package:unpacked':
        if (current) {
          current.done++;
          current.bytes += e.bytes;
        }
        draw();
        break;
      case 'fetch:progress':
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
      case 'warning':
        line(`warning: ${e.message}`);
        break;
      case 'scriptlet:skipped':
        if (mode !== 'quiet') line(`  not reproduced: ${e.nevra} %${e.scriptlet}: ${e.firstLine} (${e.reason})`);
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
      if (!finished && mode === 'tty') out.write('\r\x1b[K');
      finished = true;
    },
  });
}
