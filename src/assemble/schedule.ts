// The order of the download+unpack phase. Transfers (`jobs` at once) run ahead of decoding
// (`slots` at once): a finished download waits for a slot, never a slot for a transfer, so the
// decoders stay busy (and, on a busy machine, runnable: each is its own process or piece of
// work). Largest first: the longest decodes start early instead of ending the phase alone.
import pLimit from 'p-limit';

export interface PhaseLimits {
  /** transfers at once */
  jobs: number;
  /** decodes at once */
  slots: number;
}

/**
 * fetch(item) then decode(item, fetched) for every item; the results by item index, so nothing
 * downstream depends on timing. After the first failure nothing new starts (what runs finishes
 * on its own) and the returned promise rejects with that failure.
 */
export async function fetchThenDecode<T, F, R>(
  items: readonly T[],
  sizeOf: (item: T) => number,
  limits: PhaseLimits,
  fetch: (item: T, index: number) => Promise<F>,
  decode: (item: T, fetched: F, index: number) => Promise<R>,
): Promise<R[]> {
  const transfers = pLimit(Math.max(1, limits.jobs));
  const decodes = pLimit(Math.max(1, limits.slots));
  const order = items.map((item, index) => ({ item, index, size: sizeOf(item) })).sort((a, b) => b.size - a.size || a.index - b.index);
  const results = new Array<R>(items.length);
  let failure: { error: unknown } | undefined;
  // the failure is recorded before the limiter starts the next queued task
  const guarded = async <V>(fn: () => Promise<V>): Promise<V> => {
    if (failure) throw failure.error;
    try {
      return await fn();
    } catch (error) {
      failure ??= { error };
      throw failure.error;
    }
  };
  await Promise.all(order.map(async ({ item, index }) => {
    const fetched = await transfers(() => guarded(() => fetch(item, index)));
    results[index] = await decodes(() => guarded(() => decode(item, fetched, index)));
  }));
  return results;
}
