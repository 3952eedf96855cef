// The download phase decodes ~1 GB of payload per GB of image into short-lived buffers (zstd's
// 128 KiB outputs, file reads) on a JS heap of ~15 MB. Node 20's V8 counts external memory
// allocated since the last mark-compact against the old generation's limit, so a 1 GB image
// cost ~70 mark-compacts there (user CPU ~20 % of the build). A fixed heap growing factor of 5
// for that phase only: ~11 mark-compacts, +30-40 MB peak RSS (bench/RESULTS-big.md). The flag
// is read at each limit computation, so it can be set and reset while running; 0 is V8's default
// (a dynamic factor). --initial-old-space-size does the same, but only on the command line.
// From the download's end to the write, 1.5: the merge promotes each package's decoded file records
// (garbage after it), and the limit the download's factor left (5x the live heap; only a
// mark-compact sets a new one, so one is run there) let them pile up to ~120 MB at 100k files.
// One as the rpmdb starts frees the merge's and the scriptlets' garbage (~50 MB at 100k files)
// before sql.js takes its ~60 MB; one as the write starts frees sql.js's wasm memory.
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { AssembleEvent } from '../types/index.js';

const DOWNLOAD_GROWING_PERCENT = 400;
const MERGE_GROWING_PERCENT = 50;
// below it (a small image: ~15 MB) the garbage is no memory question and V8's default stays
const TUNED_HEAP = 32 * 1048576;
const usedHeap = (): number => v8.getHeapStatistics().used_heap_size;

let set = false;
function growingPercent(p: number): void {
  v8.setFlagsFromString(`--heap-growing-percent=${p}`);
  set = p !== 0;
}

let gc: (() => void) | undefined;
function markCompact(): void {
  if (!gc) {
    v8.setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}

/** Sees every assemble event: the heap's growth per phase (bench/RESULTS-manyfiles.md). */
export function tuneGc(e: AssembleEvent, heap: () => number = usedHeap): void {
  if (e.kind === 'phase:start' && e.phase === 'download') growingPercent(DOWNLOAD_GROWING_PERCENT);
  else if (e.kind === 'phase:end' && e.phase === 'download') {
    const big = heap() >= TUNED_HEAP;
    growingPercent(big ? MERGE_GROWING_PERCENT : 0);
    if (big) markCompact();
  } else if (e.kind === 'phase:start' && e.phase === 'rpmdb' && set) {
    markCompact();
  } else if (e.kind === 'phase:start' && e.phase === 'write' && set) {
    growingPercent(0);
    markCompact();
  }
}

/** Back to V8's default, after a build that ended (or failed) inside the phase. */
export function resetGc(): void {
  if (set) growingPercent(0);
}

