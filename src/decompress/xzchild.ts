// .xz through the host's `xz -dc`, one child per stream, fed and drained through pipes (why: the
// header of codecs.ts). Bounded like the in-process decoders: a pipe holds 64 KiB and stdout is
// read only as the consumer pulls, so a stalled consumer stalls xz. Stopping early (a size limit,
// an error, an abort) kills the child; a child whose parent died gets EOF or SIGPIPE and exits.
import { spawn, spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { RfsError, untrusted } from '../errors/index.js';
import { LZMA_ERRORS, LZMA_MEMLIMIT } from './codecs.js';

/** xz's messages (LC_ALL=C) as liblzma's error names, so both decoders say the same */
const XZ_MESSAGES: [RegExp, string][] = [
  [/Compressed data is corrupt/, 'LZMA_DATA_ERROR'],
  [/Unexpected end of input/, 'LZMA_BUF_ERROR'],
  [/File format not recognized/, 'LZMA_FORMAT_ERROR'],
  [/Unsupported options/, 'LZMA_OPTIONS_ERROR'],
  [/Memory usage limit reached/, 'LZMA_MEMLIMIT_ERROR'],
  [/Cannot allocate memory/, 'LZMA_MEM_ERROR'],
];

/** 5.2 is the oldest liblzma that decodes everything lzma-native's 5.2.3 does (and has -Q, --memlimit-decompress) */
const MIN_VERSION = [5, 2];

let probed: boolean | undefined;
/** Whether `xz` on PATH runs and is recent enough; asked once (about 2 ms). */
export function hostXzUsable(): boolean {
  if (probed !== undefined) return probed;
  const r = spawnSync('xz', ['--version'], { encoding: 'utf8', timeout: 5000, env: { ...process.env, LC_ALL: 'C' } });
  const m = r.status === 0 ? /liblzma (\d+)\.(\d+)/.exec(r.stdout) : null;
  probed = m !== null && (Number(m[1]) > MIN_VERSION[0]! || (Number(m[1]) === MIN_VERSION[0] && Number(m[2]) >= MIN_VERSION[1]!));
  return probed;
}

/**
 * Below this much output (the caller's limit: an rpm's declared archive size, a repomd
 * open-size) lzma-native costs less CPU: a child costs ~3.5 ms to start, lzma-native decodes
 * 256 KiB in ~12 ms and 1 MiB in ~32 ms against the child's ~13 and ~29 (bench/RESULTS-xz.md).
 */
export const XZ_CHILD_MIN_OUT = 1 << 20;

/**
 * The .xz decoder for a stream of at most maxOut bytes: RFS_XZ=native|child forces one (child
 * fails when no usable xz is on PATH); otherwise the host's xz when it is usable and the
 * stream may be large, else lzma-native.
 */
export function xzDecoder(maxOut: number, env: NodeJS.ProcessEnv = process.env): 'native' | 'child' {
  const want = env.RFS_XZ ?? '';
  if (want === 'native') return 'native';
  if (want !== '' && want !== 'child') {
    throw new RfsError('RFS_USAGE', `RFS_XZ=${untrusted(want, 40)}: expected native or child`, { hint: 'unset RFS_XZ to pick the decoder automatically' });
  }
  if (want === 'child' && !hostXzUsable()) {
    throw new RfsError('RFS_DECOMPRESS', 'RFS_XZ=child: no xz 5.2 or newer on PATH', { hint: 'install xz-utils, or unset RFS_XZ to decode with lzma-native' });
  }
  return want === 'child' || (maxOut >= XZ_CHILD_MIN_OUT && hostXzUsable()) ? 'child' : 'native';
}

const MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];

/**
 * `head`: the first input bytes (up to 6). xz checks the magic itself; what the in-process path
 * says there (XzChunkWalker: a bad header; liblzma: a cut one is truncated) is said here too.
 */
function childError(code: number | null, signal: NodeJS.Signals | null, stderr: string, head: number[]): RfsError {
  const name = XZ_MESSAGES.find(([re]) => re.test(stderr))?.[1];
  const magicOk = head.every((b, i) => b === MAGIC[i]);
  let known = name === undefined ? undefined : LZMA_ERRORS[name];
  if (name === 'LZMA_FORMAT_ERROR' && !magicOk) known = 'bad stream header (corrupt data)';
  else if (name === 'LZMA_FORMAT_ERROR' && head.length < MAGIC.length) known = LZMA_ERRORS.LZMA_BUF_ERROR;
  const why = known ?? `xz ${code === null ? `killed by ${signal ?? 'a signal'}` : `exited ${code}`}: ${untrusted(stderr.trim(), 200)}`;
  return new RfsError('RFS_DECOMPRESS', `decompressing xz: ${why}`);
}

/** ignoreCheck: as unxz's (the caller verifies a digest over the compressed bytes) */
export async function* unxzChild(src: AsyncIterable<Uint8Array>, ignoreCheck = false): AsyncGenerator<Uint8Array> {
  const args = ['-dc', '-Q', '-T1', `--memlimit-decompress=${LZMA_MEMLIMIT}`, ...(ignoreCheck ? ['--ignore-check'] : [])];
  const child = spawn('xz', args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
  let stderr = '';
  const head: number[] = [];
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => {
    stderr = (stderr + s).slice(-2000);
  });
  const exited = new Promise<RfsError | null>((resolve) => {
    child.on('error', (e) => resolve(new RfsError('RFS_DECOMPRESS', `decompressing xz: running xz: ${e.message}`, { cause: e })));
    child.on('close', (code, signal) => resolve(code === 0 ? null : childError(code, signal, stderr, head)));
  });
  // an input error (a download, a digest) is the caller's and wins; a write into a child that
  // stopped reading (EPIPE) is not an error of its own: the exit status says why
  let inputError: unknown;
  async function* fed(): AsyncGenerator<Uint8Array> {
    for await (const c of src) {
      for (let i = 0; i < c.length && head.length < MAGIC.length; i++) head.push(c[i]!);
      yield c;
    }
  }
  const input = Readable.from(fed(), { objectMode: false, highWaterMark: 1 << 16 });
  input.on('error', (e) => {
    inputError ??= e;
    child.kill('SIGKILL');
  });
  child.stdin.on('error', () => undefined);
  input.pipe(child.stdin);
  let done = false;
  try {
    for await (const c of child.stdout) {
      if (inputError !== undefined) break;
      yield c as Buffer;
    }
    const failed = await exited;
    if (inputError !== undefined) throw inputError;
    if (failed) throw failed;
    done = true;
  } finally {
    input.destroy();
    if (!done && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
