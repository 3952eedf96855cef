// ByteReader: exact reads across chunk borders, peeks, skips and the rest of the stream.
import { describe, expect, it } from 'vitest';
import { ByteReader, concat } from '../../src/util/bytes.js';

const data = Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff);
function* split(sizes: number[]): Generator<Uint8Array> {
  let o = 0;
  for (let i = 0; o < data.length; i++) {
    const n = sizes[i % sizes.length]!;
    yield data.subarray(o, o + n);
    o += n;
  }
}

describe('ByteReader', () => {
  it.each([[[1]], [[7, 0, 300]], [[1000]], [[3, 997]]])('reads the same bytes from chunks %j', async (sizes) => {
    const r = new ByteReader(split(sizes));
    expect(await r.peek(5)).toEqual(data.subarray(0, 5));
    const a = await r.read(110);
    expect(await r.skip(90)).toBe(90);
    const b = await r.readSome(50);
    expect(r.position).toBe(200 + b.length);
    const rest: Uint8Array[] = [];
    for await (const c of r.rest()) rest.push(c);
    expect(concat([a, data.subarray(110, 200), b, ...rest])).toEqual(data);
    expect(await r.read(4)).toEqual(new Uint8Array(0));
  });

  it('returns short reads only at the end', async () => {
    const r = new ByteReader(split([600]));
    expect((await r.read(900)).length).toBe(900);
    expect((await r.read(900)).length).toBe(100);
    expect(await r.skip(5)).toBe(0);
  });
});
