// A TarEntry body read from (part of) a file with positional reads on one FileHandle: about 1.5x
// faster than fs.createReadStream per file for trees of many small files (bench/output.mjs).
import { open } from 'node:fs/promises';

const CHUNK = 1 << 20;

/** `length` bytes of `path` from `start`; yields fewer if the file is shorter (writeTar then fails). */
export function fileBody(path: string, start = 0, length?: number): () => AsyncIterable<Uint8Array> {
  return async function* () {
    const fh = await open(path, 'r');
    try {
      const end = length === undefined ? (await fh.stat()).size : start + length;
      for (let pos = start; pos < end; ) {
        const want = Math.min(CHUNK, end - pos);
        // fresh buffer each time: the consumer's stream may still hold the previous one
        const buf = Buffer.allocUnsafe(want);
        const { bytesRead } = await fh.read(buf, 0, want, pos);
        if (bytesRead === 0) return;
        pos += bytesRead;
        yield buf.subarray(0, bytesRead);
      }
    } finally {
      await fh.close();
    }
  };
}
