// A file's bytes from `start`, in chunks of at most 1 MiB, each a buffer of its own (callers keep
// them). fs.createReadStream allocates its whole highWaterMark for every read and copies a short
// read into a buffer of the right size: 1 MiB allocated and a copy for each open of a 40 KB package,
// opened four times in a build (signature, headers, payload, digests). Here a read asks for what
// is left of the file, up to the chunk size.
import { open } from 'node:fs/promises';

const CHUNK = 1 << 20;

export async function* fileChunks(path: string, start = 0): AsyncGenerator<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const st = await fh.stat();
    // a regular file up to its size at open (cache files are renamed into place whole; one cut
    // short since ends early and the reader's own checks see a truncated package); a pipe or a
    // device until it ends, read where it stands
    const size = st.isFile() ? st.size : Infinity;
    let pos = start;
    while (pos < size) {
      const want = Math.min(CHUNK, size - pos);
      const buf = Buffer.allocUnsafe(want);
      const { bytesRead } = await fh.read(buf, 0, want, st.isFile() ? pos : null);
      if (bytesRead === 0) return;
      pos += bytesRead;
      yield bytesRead === want ? buf : buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}
