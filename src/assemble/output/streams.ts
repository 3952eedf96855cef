// Stream plumbing for outputs: a byte/sha256 meter, a non-closing forwarder for stdout, and
// running writeTar into a chain of transforms so either side's failure stops the other.
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { Transform, Writable } from 'node:stream';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { TransformCallback } from 'node:stream';
import { RfsError } from '../../errors/index.js';
import { writeTar } from '../../tar/index.js';
import type { TarEntry } from '../../tar/index.js';

export class Meter extends Transform {
  bytes = 0;
  private readonly hash: Hash | null;
  constructor(hashing = true) {
    super();
    this.hash = hashing ? createHash('sha256') : null;
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash?.update(chunk);
    cb(null, chunk);
  }
  /** 'sha256:<hex>' once the stream has ended (a meter made with hashing = false has none) */
  digest(): string {
    if (!this.hash) throw new RfsError('RFS_INTERNAL', 'reading an output digest: this meter does not hash');
    return `sha256:${this.hash.copy().digest('hex')}`;
  }
}

/** Writes into `target` with backpressure but never ends or destroys it (stdout stays usable). */
export function forwardTo(target: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb): void {
      if (target.write(chunk)) return cb();
      const onDrain = (): void => { target.removeListener('error', onError); cb(); };
      const onError = (err: Error): void => { target.removeListener('drain', onDrain); cb(err); };
      target.once('drain', onDrain);
      target.once('error', onError);
    },
  });
}

/**
 * writeTar -> stages... -> dest. Resolves (to the tar's size) when dest has finished; rejects with
 * the first error. `recycle` (writeTar's) is only honoured without stages: dest must be a file.
 */
export async function tarThrough(
  entries: AsyncIterable<TarEntry> | Iterable<TarEntry>,
  stages: Duplex[],
  dest: Writable,
  signal?: AbortSignal,
  opts: { recycle?: boolean } = {},
): Promise<number> {
  const head = stages[0] ?? dest;
  // A stream destroyed with a write in flight (abort, a failing stage) still emits that write's
  // error (ERR_STREAM_DESTROYED) after everyone stopped listening: without a listener of our
  // own that is an uncaught exception. Kept, and reported if nothing else failed.
  let late: unknown = null;
  const keepLate = (err: unknown): void => { late ??= err; };
  for (const s of [...stages, dest]) s.on('error', keepLate);
  const flow = stages.length > 0 ? pipeline([...stages, dest] as [Duplex, ...Duplex[], Writable]) : null;
  const recycle = stages.length === 0 && (opts.recycle ?? false);
  const writing = writeTar(entries, head, { ...(signal ? { signal } : {}), recycle }).catch((err: unknown) => {
    // inside a pipeline the error travels to every stage; a lone stream has no listener left
    if (flow !== null) head.destroy(err instanceof Error ? err : new Error(String(err)));
    else head.destroy();
    throw err;
  });
  // allSettled: wait until the file stream has closed before anyone removes the temp file.
  const [w, f] = await Promise.allSettled([writing, flow ?? Promise.resolve()]);
  // A pipeline can reject before a destroyed fs.WriteStream has finished opening: the file would
  // then appear after the caller removed it. Wait for 'close' (after open and close of the fd).
  if (!dest.closed) {
    if (!dest.destroyed && (w.status === 'rejected' || f.status === 'rejected')) dest.destroy();
    await new Promise<void>((resolve) => dest.once('close', () => resolve()));
  }
  if (w.status === 'rejected') throw w.reason;
  const failed: unknown = f.status === 'rejected' ? f.reason : late;
  if (failed !== null) {
    throw failed instanceof RfsError ? failed : new RfsError('RFS_OUTPUT', `writing output: ${failed instanceof Error ? failed.message : String(failed)}`, { cause: failed });
  }
  return w.value;
}

/**
 * Entries whose body chunks stay valid after the next chunk is asked for: copies them when the
 * producer reuses its buffers (WriteOutputOptions.transientBodies) and the consumer keeps chunks.
 */
export async function* stableBodies(entries: AsyncIterable<TarEntry>): AsyncGenerator<TarEntry> {
  for await (const e of entries) {
    const body = e.body;
    if (body === undefined) { yield e; continue; }
    // set in place: a spread copy got a V8 hidden class per entry (old-generation garbage)
    e.body = () => {
      const src = body();
      if (src instanceof Uint8Array) return src;
      return (async function* () {
        for await (const c of src) yield new Uint8Array(c); // a copy
      })();
    };
    yield e;
  }
}
