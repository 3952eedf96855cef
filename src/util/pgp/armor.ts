// ASCII armor (RFC 4880 §6, RFC 9580 §6): base64 between BEGIN/END lines, with an optional
// CRC-24 checksum line that must match when present.
import { pgpFail, type PgpErrorOptions } from './reader.js';

export interface ArmorBlock {
  /** e.g. 'PGP PUBLIC KEY BLOCK', 'PGP SIGNATURE' */
  label: string;
  headers: Record<string, string>;
  bytes: Uint8Array;
}

const CRC24_INIT = 0xb704ce;
const CRC24_POLY = 0x1864cfb;

export function crc24(data: Uint8Array): number {
  let crc = CRC24_INIT;
  for (const byte of data) {
    crc ^= byte << 16;
    for (let i = 0; i < 8; i++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= CRC24_POLY;
    }
  }
  return crc & 0xffffff;
}

export function isArmored(data: string | Uint8Array): boolean {
  const head = typeof data === 'string' ? data.slice(0, 4096) : Buffer.from(data.subarray(0, 4096)).toString('latin1');
  return /-----BEGIN PGP [A-Z ,0-9/]+-----/.test(head);
}

/** Every armored block in the text, in order (a key file may hold several). */
export function dearmor(text: string, opts: PgpErrorOptions = {}): ArmorBlock[] {
  const lines = text.split(/\r?\n/);
  const blocks: ArmorBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const begin = /^-----BEGIN (PGP [A-Z ,0-9/]+)-----\s*$/.exec(lines[i]!.trim());
    if (!begin) continue;
    const label = begin[1]!;
    const headers: Record<string, string> = {};
    let j = i + 1;
    for (; j < lines.length && lines[j]!.trim() !== ''; j++) {
      const m = /^([\x21-\x39\x3b-\x7e]+): ?(.*)$/.exec(lines[j]!);
      if (!m) break; // no blank line after the BEGIN line: tolerate, as gpg does
      headers[m[1]!] = m[2]!;
    }
    if (j < lines.length && lines[j]!.trim() === '') j++;
    let b64 = '';
    let crc: string | null = null;
    let ended = false;
    for (; j < lines.length; j++) {
      const l = lines[j]!.trim();
      if (l === `-----END ${label}-----`) {
        ended = true;
        break;
      }
      if (l.startsWith('-----')) break;
      if (/^=[A-Za-z0-9+/]{4}$/.test(l)) crc = l.slice(1);
      else b64 += l;
    }
    if (!ended) pgpFail(`${label}`, 'armor has no matching END line', opts);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 === 1) pgpFail(label, 'armor contains characters that are not base64', opts);
    const bytes = new Uint8Array(Buffer.from(b64, 'base64'));
    if (bytes.length === 0) pgpFail(label, 'armor holds no data', opts);
    if (crc !== null) {
      const want = Buffer.from(crc, 'base64');
      const got = crc24(bytes);
      if (((want[0]! << 16) | (want[1]! << 8) | want[2]!) !== got) {
        pgpFail(label, `armor checksum mismatch (CRC-24 ${crc}, data gives ${Buffer.from([got >> 16, (got >> 8) & 0xff, got & 0xff]).toString('base64')})`, opts);
      }
    }
    blocks.push({ label, headers, bytes });
    i = j;
  }
  if (blocks.length === 0) pgpFail('armored data', 'no "-----BEGIN PGP ...-----" block', opts);
  return blocks;
}
