// Writes bytes to a Node writable with backpressure: small pieces (headers, padding) are batched
// into one buffer so a tar of many small files does not become one write() per 512 bytes.
// With `recycle`, every byte is copied into batch buffers that come back for reuse once the
// stream calls back their write: a 1 GB image then allocates a few MB instead of 1 GB of buffers
// (each 64 MB of new buffers costs a full garbage collection; bench/RESULTS-big.md).
import { RfsError } from '../errors/index.js';

const BATCH = 64 * 1024;
const RECYCLED_BATCH = 256 * 1024;

export class ByteSink {
  private buf: Uint8Array;
  private used = 0;
  private readonly size: number;
  private readonly free: Uint8Array[] = [];
  private failure: unknown = null;
  private readonly onError = (err: unknown): void => {
    this.failure ??= err;
  };
  /** bytes handed to the stream so far */
  bytes = 0;

  /**
   * recycle: only for a destination that is done with a chunk when it calls back its write (an
   * fs.WriteStream; not a pass-through transform, which hands the same buffer on)
   */
  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly signal?: AbortSignal,
    private readonly recycle = false,
  ) {
    this.size = recycle ? RECYCLED_BATCH : BATCH;
    this.buf = new Uint8Array(this.size);
    out.on('error', this.onError);
  }

  private check(): void {
    if (this.signal?.aborted) throw new RfsError('RFS_ABORTED', 'writing tar: aborted', { cause: this.signal.reason });
    if (this.failure !== null) {
      const f = this.failure;
      throw f instanceof RfsError ? f : new RfsError('RFS_OUTPUT', `writing tar: ${f instanceof Error ? f.message : String(f)}`, { cause: f });
    }
  }

  /** Resolves once `chunk` is copied or handed over; with recycle the caller may then reuse it. */
  async write(chunk: Uint8Array): Promise<void> {
    this.check();
    if (chunk.length === 0) return;
    if (this.recycle) {
      for (let at = 0; at < chunk.length; ) {
        const n = Math.min(chunk.length - at, this.size - this.used);
        this.buf.set(chunk.subarray(at, at + n), this.used);
        this.used += n;
        at += n;
        if (this.used === this.size) await this.flush();
      }
      return;
    }
    if (this.used + chunk.length <= BATCH) {
      this.buf.set(chunk, this.used);
      this.used += chunk.length;
      if (this.used === BATCH) await this.flush();
      return;
    }
    await this.flush();
    if (chunk.length < BATCH) {
      this.buf.set(chunk, 0);
      this.used = chunk.length;
      return;
    }
    await this.push(chunk);
  }

  async flush(): Promise<void> {
    if (this.used === 0) return;
    const full = this.buf;
    const data = full.subarray(0, this.used);
    // the stream may still hold `data`: a recycled buffer comes back when its write is done
    this.buf = (this.recycle ? this.free.pop() : undefined) ?? new Uint8Array(this.size);
    this.used = 0;
    await this.push(data, this.recycle ? (err) => { if (!err) this.free.push(full); } : undefined);
  }

  private async push(data: Uint8Array, done?: (err?: Error | null) => void): Promise<void> {
    this.bytes += data.length;
    if (done ? this.out.write(data, done) : this.out.write(data)) return this.check();
    await this.waitFor('drain');
  }

  async end(): Promise<void> {
    this.check();
    const done = this.waitFor('finish');
    this.out.end();
    await done;
  }

  /** resolve on `event`, reject on stream error/close or abort */
  private waitFor(event: 'drain' | 'finish'): Promise<void> {
    const out = this.out;
    const signal = this.signal;
    return new Promise<void>((resolve, reject) => {
      const cleanup = (): void => {
        out.removeListener(event, onEvent);
        out.removeListener('error', onFail);
        out.removeListener('close', onClose);
        signal?.removeEventListener('abort', onAbort);
      };
      const onEvent = (): void => {
        cleanup();
        resolve();
      };
      const onFail = (err: unknown): void => {
        cleanup();
        reject(new RfsError('RFS_OUTPUT', `writing tar: ${err instanceof Error ? err.message : String(err)}`, { cause: err }));
      };
      const onClose = (): void => onFail(this.failure ?? new Error('output stream closed early'));
      const onAbort = (): void => {
        cleanup();
        reject(new RfsError('RFS_ABORTED', 'writing tar: aborted', { cause: signal?.reason }));
      };
      if (this.failure !== null) return onFail(this.failure);
      if (signal?.aborted) return onAbort();
      out.once(event, onEvent);
      out.once('error', onFail);
      out.once('close', onClose);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  dispose(): void {
    this.out.removeListener('error', this.onError);
  }
}
