// Writes bytes to a Node writable with backpressure: small pieces (headers, padding) are batched
// into one buffer so a tar of many small files does not become one write() per 512 bytes.
import { RfsError } from '../errors/index.js';

const BATCH = 64 * 1024;

export class ByteSink {
  private buf = new Uint8Array(BATCH);
  private used = 0;
  private failure: unknown = null;
  private readonly onError = (err: unknown): void => {
    this.failure ??= err;
  };
  /** bytes handed to the stream so far */
  bytes = 0;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly signal?: AbortSignal,
  ) {
    out.on('error', this.onError);
  }

  private check(): void {
    if (this.signal?.aborted) throw new RfsError('RFS_ABORTED', 'writing tar: aborted', { cause: this.signal.reason });
    if (this.failure !== null) {
      const f = this.failure;
      throw f instanceof RfsError ? f : new RfsError('RFS_OUTPUT', `writing tar: ${f instanceof Error ? f.message : String(f)}`, { cause: f });
    }
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.check();
    if (chunk.length === 0) return;
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
    const data = this.buf.subarray(0, this.used);
    this.buf = new Uint8Array(BATCH); // the stream may still hold `data`
    this.used = 0;
    await this.push(data);
  }

  private async push(data: Uint8Array): Promise<void> {
    this.bytes += data.length;
    if (this.out.write(data)) return this.check();
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
