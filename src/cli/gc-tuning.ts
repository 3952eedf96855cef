// The download phase decodes ~1 GB of payload per GB of image into short-lived buffers (zstd's
// 128 KiB outputs, file reads) on a JS heap of ~15 MB. Node 20's V8 counts external memory
// allocated since the last mark-compact against the old generation's limit, so a 1 GB image
// cost ~70 mark-compacts there (user CPU ~20 % of the build). A fixed heap growing factor of 5
// for that phase only: ~11 mark-compacts, +30-40 MB peak RSS (bench/RESULTS-big.md). The flag
// is read at each limit computation, so it can be set and reset while running; 0 is V8's default
// (a dynamic factor). --initial-old-space-size does the same, but only on the command line.
import v8 from 'node:v8';
import type { AssembleEvent } from '../types/index.js';

const DOWNLOAD_GROWING_PERCENT = 400;

let set = false;
function growingPercent(p: number): void {
  v8.setFlagsFromString(`--heap-growing-percent=${p}`);
  set = p !== 0;
}

/** Sees every assemble event: widens the heap's growth while packages are downloaded and decoded. */
export function tuneGc(e: AssembleEvent): void {
  if (e.kind === 'phase:start' && e.phase === 'download') growingPercent(DOWNLOAD_GROWING_PERCENT);
  else if (e.kind === 'phase:end' && e.phase === 'download') growingPercent(0);
}

/** Back to V8's default, after a build that ended (or failed) inside the phase. */
export function resetGc(): void {
  if (set) growingPercent(0);
}

