// Decoding of one tar header block and of pax records, for the reader (read.ts). Input is
// hostile: every field is bounded and checked, never trusted to be NUL-terminated or octal.
import { RfsError, untrusted } from '../errors/index.js';
import { BLOCK } from './header.js';
import type { UstarFields } from './header.js';

/** A header's fields as decoded; the type flag kept as its character. */
export type RawHeader = Omit<UstarFields, 'typeflag'> & { typeflag: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function bad(subject: string | undefined, what: string): RfsError {
  return new RfsError('RFS_BAD_ARCHIVE', `reading tar: ${what}`, {
    subject, hint: 'the archive is corrupt, cut short or hostile; recreate it (tar, skopeo copy, podman save)',
  });
}

/** Bytes as UTF-8 text; anything else cannot be stored back in the image's own tar. */
export function text(b: Uint8Array, what: string, subject?: string): string {
  try {
    return utf8.decode(b);
  } catch {
    throw bad(subject, `${what} is not valid UTF-8`);
  }
}

function field(block: Uint8Array, off: number, width: number): Uint8Array {
  const f = block.subarray(off, off + width);
  const nul = f.indexOf(0);
  return nul < 0 ? f : f.subarray(0, nul);
}

/** Octal (spaces/NUL around it) or GNU base-256 (first byte 0x80; 0xff is negative). */
function num(block: Uint8Array, off: number, width: number, what: string, subject?: string): number {
  const first = block[off]!;
  if (first & 0x80) {
    if (first === 0xff) throw bad(subject, `negative ${what}`);
    let v = first & 0x7f;
    for (let i = 1; i < width; i++) {
      v = v * 256 + block[off + i]!;
      if (!Number.isSafeInteger(v)) throw bad(subject, `${what} out of range`);
    }
    return v;
  }
  const s = String.fromCharCode(...field(block, off, width)).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw bad(subject, `${what} field "${untrusted(s, 20)}" is not octal`);
  const v = parseInt(s, 8);
  if (!Number.isSafeInteger(v)) throw bad(subject, `${what} out of range`);
  return v;
}

/** True for the all-zero block that ends an archive. */
export function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

function checksumOk(block: Uint8Array, stored: number): boolean {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  // old writers summed signed chars; GNU tar accepts either
  return stored === unsigned || stored === signed;
}

export function parseHeader(block: Uint8Array, subject?: string): RawHeader {
  if (!checksumOk(block, num(block, 148, 8, 'checksum', subject))) throw bad(subject, 'header checksum mismatch');
  const magic = String.fromCharCode(...block.subarray(257, 263));
  // POSIX ustar has a prefix field; old GNU ("ustar  ") keeps atime/ctime there
  const prefix = magic === 'ustar\0' ? field(block, 345, 155) : new Uint8Array(0);
  const name = field(block, 0, 100);
  const path = prefix.length > 0 ? text(new Uint8Array([...prefix, 0x2f, ...name]), 'name', subject) : text(name, 'name', subject);
  return {
    name: path,
    mode: num(block, 100, 8, 'mode', subject) & 0o7777,
    uid: num(block, 108, 8, 'uid', subject),
    gid: num(block, 116, 8, 'gid', subject),
    size: num(block, 124, 12, 'size', subject),
    mtime: num(block, 136, 12, 'mtime', subject),
    typeflag: String.fromCharCode(block[156]!),
    linkname: text(field(block, 157, 100), 'link name', subject),
    uname: text(field(block, 265, 32), 'user name', subject),
    gname: text(field(block, 297, 32), 'group name', subject),
    devMajor: num(block, 329, 8, 'device major', subject),
    devMinor: num(block, 337, 8, 'device minor', subject),
  };
}

/** Pax records "<len> <key>=<value>\n" into key -> raw value bytes (later records win). */
export function parsePax(data: Uint8Array, into: Map<string, Uint8Array>, subject?: string): void {
  let off = 0;
  while (off < data.length) {
    if (data[off] === 0) break; // some writers pad the record block with NULs
    const sp = data.indexOf(0x20, off);
    if (sp < 0 || sp - off > 12) throw bad(subject, 'pax record without a length');
    const lenText = String.fromCharCode(...data.subarray(off, sp));
    if (!/^[1-9][0-9]*$/.test(lenText)) throw bad(subject, `pax record length "${untrusted(lenText, 20)}"`);
    const end = off + Number(lenText);
    if (end > data.length || end <= sp + 1 || data[end - 1] !== 0x0a) throw bad(subject, 'pax record overruns its header');
    const rec = data.subarray(sp + 1, end - 1);
    const eq = rec.indexOf(0x3d);
    if (eq <= 0) throw bad(subject, 'pax record without a key');
    into.set(text(rec.subarray(0, eq), 'pax key', subject), rec.subarray(eq + 1));
    off = end;
  }
}

/** A pax decimal value (mtime may have a fraction: whole seconds are kept). */
export function paxNumber(v: Uint8Array, key: string, subject?: string): number {
  const s = String.fromCharCode(...v);
  const m = /^(-?[0-9]+)(\.[0-9]*)?$/.exec(s);
  const n = m ? Number(m[1]) : NaN;
  if (!Number.isSafeInteger(n) || (n < 0 && key !== 'mtime')) throw bad(subject, `pax ${key} "${untrusted(s, 30)}"`);
  return n;
}
