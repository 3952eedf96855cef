// A wait between retries that an abort cuts short.
import { RfsError } from '../errors/index.js';

/** Resolves after `ms`; rejects with RFS_ABORTED as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) { reject(new RfsError('RFS_ABORTED', 'aborted')); return; }
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = (): void => { clearTimeout(t); reject(new RfsError('RFS_ABORTED', 'aborted')); };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
