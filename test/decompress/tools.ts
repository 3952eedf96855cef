import type { Codec } from '../../src/decompress/index.js';

/** Each codec as the reference tool writes it (rpmbuild's and createrepo's settings where they matter). */
export const TOOLS: [Codec, string, string[]][] = [
  ['gzip', 'gzip', ['-c']],
  ['bzip2', 'bzip2', ['-c']],
  ['xz', 'xz', ['-c', '-C', 'sha256']],
  ['lzma', 'xz', ['-c', '--format=lzma']],
  ['zstd', 'zstd', ['-c', '-q', '-19']],
];
