// Bounds-checked big-endian reads over one OpenPGP packet body; every overrun is a clear RfsError.
import { RfsError, type ErrorCode } from '../../errors/index.js';

export interface PgpErrorOptions {
  /** error code for malformed input (default RFS_RPM_SIGNATURE) */
  code?: ErrorCode;
  /** the key file, package or URL named in errors */
  subject?: string;
}

export function pgpFail(what: string, reason: string, opts: PgpErrorOptions = {}): never {
  throw new RfsError(opts.code ?? 'RFS_RPM_SIGNATURE', `reading ${what}: ${reason}`, { subject: opts.subject });
}

export class PgpReader {
  pos = 0;
  constructor(
    readonly buf: Uint8Array,
    private readonly what: string,
    private readonly opts: PgpErrorOptions = {},
  ) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.buf.length) pgpFail(this.what, `truncated (needs ${n} bytes at offset ${this.pos} of ${this.buf.length})`, this.opts);
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u16(): number {
    this.need(2);
    const v = (this.buf[this.pos]! << 8) | this.buf[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** multiprecision integer: 2-byte bit count, then the big-endian magnitude */
  mpi(): Uint8Array {
    const bits = this.u16();
    return this.bytes((bits + 7) >> 3);
  }

  rest(): Uint8Array {
    return this.bytes(this.remaining);
  }

  fail(reason: string): never {
    pgpFail(this.what, reason, this.opts);
  }
}

export const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

export function be32(n: number): Uint8Array {
  return Uint8Array.of((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}
