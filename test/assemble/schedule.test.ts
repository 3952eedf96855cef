// The download+unpack order: transfers are not held back by decoding, decodes start largest
// first, results come back by index, and nothing new starts after a failure.
import { describe, expect, it } from 'vitest';
import { fetchThenDecode } from '../../src/assemble/schedule.js';

/** A promise with its resolve, to release work at a chosen moment. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const wait = new Promise<void>((r) => { open = r; });
  return { wait, open };
}
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('fetchThenDecode', () => {
  it('finishes every transfer while the only decode slot is still busy', async () => {
    const sizes = [10, 20, 30, 40, 50];
    const fetched: number[] = [];
    const release = gate();
    let decoding = 0;
    let most = 0;
    const run = fetchThenDecode(sizes, (s) => s, { jobs: 2, slots: 1 },
      async (s) => { fetched.push(s); return s * 2; },
      async (s, f, i) => {
        decoding++;
        most = Math.max(most, decoding);
        await release.wait;
        decoding--;
        return `${i}:${s}:${f}`;
      });
    for (let k = 0; k < 10; k++) await tick();
    expect(fetched.sort((a, b) => a - b)).toEqual(sizes);
    release.open();
    // by index, whatever order they ran in
    expect(await run).toEqual(['0:10:20', '1:20:40', '2:30:60', '3:40:80', '4:50:100']);
    expect(most).toBe(1);
  });

  it('transfers and decodes the largest first, ties in index order', async () => {
    const sizes = [5, 90, 5, 40, 70];
    const fetchOrder: number[] = [];
    const decodeOrder: number[] = [];
    await fetchThenDecode(sizes, (s) => s, { jobs: 1, slots: 1 },
      async (_s, i) => { fetchOrder.push(i); },
      async (_s, _f, i) => { decodeOrder.push(i); });
    expect(fetchOrder).toEqual([1, 4, 3, 0, 2]);
    expect(decodeOrder).toEqual([1, 4, 3, 0, 2]);
  });

  it('keeps at most `jobs` transfers in flight', async () => {
    let inFlight = 0;
    let most = 0;
    await fetchThenDecode(Array.from({ length: 12 }, (_, i) => i), () => 1, { jobs: 3, slots: 2 },
      async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        await tick();
        inFlight--;
      },
      async () => undefined);
    expect(most).toBe(3);
  });

  it('starts nothing new after the first failure and rejects with it', async () => {
    const started: number[] = [];
    const boom = new Error('bad package');
    const run = fetchThenDecode([1, 2, 3, 4, 5, 6], (s) => s, { jobs: 1, slots: 1 },
      async (s) => {
        started.push(s);
        if (s === 5) throw boom;
      },
      async () => undefined);
    await expect(run).rejects.toBe(boom);
    for (let k = 0; k < 5; k++) await tick();
    // 6 went first (largest), then 5 failed; 4..1 never started
    expect(started).toEqual([6, 5]);
  });
});
