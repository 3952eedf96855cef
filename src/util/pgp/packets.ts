// OpenPGP packet framing (RFC 4880 §4.2 / RFC 9580 §4.2): old and new headers, partial body lengths.
import { pgpFail, type PgpErrorOptions } from './reader.js';
import { concat } from '../bytes.js';

export const PACKET = {
  SIGNATURE: 2,
  PUBLIC_KEY: 6,
  MARKER: 10,
  TRUST: 12,
  USER_ID: 13,
  PUBLIC_SUBKEY: 14,
  USER_ATTRIBUTE: 17,
  PADDING: 21,
} as const;

export interface PgpPacket {
  tag: number;
  body: Uint8Array;
  /** offset of the packet header in the input */
  offset: number;
  /** offset just past the packet */
  end: number;
}

export function readPackets(buf: Uint8Array, opts: PgpErrorOptions = {}): PgpPacket[] {
  const out: PgpPacket[] = [];
  const fail = (reason: string): never => pgpFail('OpenPGP packets', reason, opts);
  let p = 0;
  const byte = (): number => {
    if (p >= buf.length) fail(`truncated packet header at offset ${p}`);
    return buf[p++]!;
  };
  const take = (n: number): Uint8Array => {
    if (p + n > buf.length) fail(`truncated packet: ${n} body bytes announced at offset ${p}, ${buf.length - p} present`);
    const b = buf.subarray(p, p + n);
    p += n;
    return b;
  };
  const u32 = (): number => ((byte() << 24) | (byte() << 16) | (byte() << 8) | byte()) >>> 0;
  while (p < buf.length) {
    const offset = p;
    const h = byte();
    if ((h & 0x80) === 0) fail(`not a packet header (0x${h.toString(16).padStart(2, '0')}) at offset ${offset}`);
    let tag: number;
    let body: Uint8Array;
    if (h & 0x40) {
      tag = h & 0x3f;
      const parts: Uint8Array[] = [];
      for (;;) {
        const o = byte();
        if (o < 192) {
          parts.push(take(o));
          break;
        }
        if (o < 224) {
          parts.push(take(((o - 192) << 8) + byte() + 192));
          break;
        }
        if (o === 255) {
          parts.push(take(u32()));
          break;
        }
        parts.push(take(1 << (o & 0x1f))); // partial body length: more parts follow
      }
      body = parts.length === 1 ? parts[0]! : concat(parts);
    } else {
      tag = (h >> 2) & 0x0f;
      const lt = h & 3;
      const len = lt === 0 ? byte() : lt === 1 ? (byte() << 8) | byte() : lt === 2 ? u32() : buf.length - p;
      body = take(len);
    }
    out.push({ tag, body, offset, end: p });
  }
  return out;
}

/** Binary packets from armored text or raw bytes (armored bytes are recognised too). */
export function packetBytes(input: string | Uint8Array, armorBlocks: (text: string) => Uint8Array[]): Uint8Array[] {
  if (typeof input === 'string') return armorBlocks(input);
  const head = Buffer.from(input.subarray(0, 64)).toString('latin1');
  if (/^\s*-----BEGIN PGP/.test(head)) return armorBlocks(Buffer.from(input).toString('utf8'));
  return [input];
}
