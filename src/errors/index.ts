// Layer 1: one error base with stable codes, the offending input, and a hint.
// Messages follow "<verb>ing <thing>: <reason>"; programs branch on `code`, people read `hint`.

export type ErrorCode =
  // usage and input
  | 'RFS_USAGE'
  | 'RFS_UNKNOWN_DISTRO'
  | 'RFS_BAD_CONFIG'
  // network and cache
  | 'RFS_FETCH_FAILED'
  | 'RFS_HTTP_STATUS'
  | 'RFS_CHECKSUM_MISMATCH'
  | 'RFS_SIZE_LIMIT'
  | 'RFS_NO_MIRROR'
  | 'RFS_REGISTRY'
  // metadata
  | 'RFS_METADATA_MALFORMED'
  | 'RFS_METADATA_TRUNCATED'
  // packages
  | 'RFS_RPM_BAD_LEAD'
  | 'RFS_RPM_BAD_HEADER'
  | 'RFS_RPM_TRUNCATED'
  | 'RFS_RPM_DIGEST_MISMATCH'
  | 'RFS_RPM_SIGNATURE'
  | 'RFS_DECOMPRESS'
  | 'RFS_CPIO_MALFORMED'
  | 'RFS_UNSAFE_PATH'
  // a tar, image layout or image archive (a --from base) that is malformed
  | 'RFS_BAD_ARCHIVE'
  // solving and assembly
  | 'RFS_UNSOLVABLE'
  | 'RFS_FILE_CONFLICT'
  | 'RFS_SCRIPTLET_UNHANDLED'
  | 'RFS_USERNS_UNAVAILABLE'
  | 'RFS_SCRIPTLET_EXEC'
  | 'RFS_RPMDB'
  | 'RFS_OUTPUT'
  | 'RFS_DISK_FULL'
  | 'RFS_ABORTED'
  | 'RFS_INTERNAL';

/** Exit codes, documented in the README. */
export const EXIT_CODES: Record<ErrorCode, number> = {
  RFS_USAGE: 2,
  RFS_UNKNOWN_DISTRO: 2,
  RFS_BAD_CONFIG: 2,
  RFS_FETCH_FAILED: 3,
  RFS_HTTP_STATUS: 3,
  RFS_NO_MIRROR: 3,
  RFS_REGISTRY: 3,
  RFS_CHECKSUM_MISMATCH: 4,
  RFS_SIZE_LIMIT: 4,
  RFS_METADATA_MALFORMED: 4,
  RFS_METADATA_TRUNCATED: 4,
  RFS_RPM_BAD_LEAD: 5,
  RFS_RPM_BAD_HEADER: 5,
  RFS_RPM_TRUNCATED: 5,
  RFS_RPM_DIGEST_MISMATCH: 5,
  RFS_RPM_SIGNATURE: 5,
  RFS_DECOMPRESS: 5,
  RFS_CPIO_MALFORMED: 5,
  RFS_UNSAFE_PATH: 5,
  RFS_BAD_ARCHIVE: 5,
  RFS_UNSOLVABLE: 6,
  RFS_FILE_CONFLICT: 7,
  RFS_SCRIPTLET_UNHANDLED: 7,
  RFS_USERNS_UNAVAILABLE: 7,
  RFS_SCRIPTLET_EXEC: 7,
  RFS_RPMDB: 8,
  RFS_OUTPUT: 9,
  RFS_DISK_FULL: 9,
  RFS_ABORTED: 130,
  RFS_INTERNAL: 70,
};

export interface RfsErrorOptions {
  /** the offending URL, path or package (NEVRA) */
  subject?: string;
  hint?: string;
  cause?: unknown;
  /** structured details for programs (e.g. solver problems) */
  details?: unknown;
}

const BRAND = Symbol.for('rootfs-assemble.error');

export class RfsError extends Error {
  readonly code: ErrorCode;
  readonly subject: string | undefined;
  readonly hint: string | undefined;
  readonly details: unknown;
  readonly [BRAND] = true;

  constructor(code: ErrorCode, message: string, opts: RfsErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'RfsError';
    this.code = code;
    this.subject = opts.subject === undefined ? undefined : redactUrl(opts.subject);
    this.hint = opts.hint;
    this.details = opts.details;
  }

  get exitCode(): number {
    return EXIT_CODES[this.code];
  }

  // instanceof works across two loaded copies of the library.
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

export function isRfsError(value: unknown): value is RfsError {
  return value instanceof RfsError;
}

/**
 * A string that came from a mirror or a package (a name, checksum, href, path), made safe to put
 * in a message: control, bidi and zero-width characters escaped (\xNN / \u{NNNN}), and cut to
 * `max` characters with the length said, so a hostile 100 KB value is never echoed whole.
 */
export function untrusted(s: string, max = 120): string {
  const cut = s.length > max ? s.slice(0, max) : s;
  // eslint-disable-next-line no-control-regex
  const esc = cut.replace(/[\x00-\x1f\x7f-\x9f\\\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|[\ud800-\udfff]/gu, (c) => {
    if (c === '\\') return '\\\\';
    const cp = c.codePointAt(0) ?? 0;
    return cp < 0x100 ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u{${cp.toString(16)}}`;
  });
  return s.length > max ? `${esc}… (${s.length} chars)` : esc;
}

/** untrusted() per line, at most 200 lines: for messages that quote what mirrors and packages sent. */
export function untrustedLines(s: string, max: number): string {
  return s.split('\n').slice(0, 200).map((l) => untrusted(l, max)).join('\n');
}

/** Remove credentials from a URL before it goes into a message. */
export function redactUrl(s: string): string {
  return s.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/i, '$1***@');
}

/** Wrap any thrown value into an RfsError, keeping RfsErrors as they are. */
export function toRfsError(err: unknown, fallback: ErrorCode = 'RFS_INTERNAL'): RfsError {
  if (err instanceof RfsError) return err;
  if (err instanceof Error && err.name === 'AbortError') {
    return new RfsError('RFS_ABORTED', 'aborted', { cause: err });
  }
  const errno = (err as { code?: unknown } | null)?.code;
  if (errno === 'ENOSPC' || errno === 'EDQUOT') {
    // a full disk is never a bug of ours, wherever the write was (spool, output, cache)
    const path = (err as { path?: unknown }).path;
    return new RfsError('RFS_DISK_FULL', `writing${typeof path === 'string' ? ` ${path}` : ''}: ${errno === 'EDQUOT' ? 'disk quota exceeded' : 'no space left on device'}`, {
      cause: err, ...(typeof path === 'string' ? { subject: path } : {}), hint: 'free space there, or point --cache-dir (cache and build work files) or -o at a disk with room',
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new RfsError(fallback, message, { cause: err });
}
