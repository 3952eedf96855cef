// ustar header blocks and PAX extended records, byte-exact and deterministic.
// Own encoder rather than tar-stream's: tar-stream builds PAX records as UTF-8 strings (binary
// xattr values such as security.capability bytes >= 0x80 would be mangled), names the real entry
// "PaxHeader", and refuses a body on pax-header entries.

export const BLOCK = 512;

export const TYPEFLAG = {
  file: 0x30, // '0'
  hardlink: 0x31, // '1'
  symlink: 0x32, // '2'
  char: 0x33, // '3'
  block: 0x34, // '4'
  dir: 0x35, // '5'
  fifo: 0x36, // '6'
  pax: 0x78, // 'x'
} as const;

export interface UstarFields {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: number;
  linkname: string;
  uname: string;
  gname: string;
  devMajor: number;
  devMinor: number;
}

const enc = new TextEncoder();

/** max value of an octal field of `width` bytes (width-1 digits + NUL) */
function octalMax(width: number): number {
  return 8 ** (width - 1) - 1;
}

function writeOctal(block: Uint8Array, off: number, width: number, value: number): void {
  const digits = value.toString(8).padStart(width - 1, '0');
  block.set(enc.encode(digits), off);
  block[off + width - 1] = 0;
}

/** GNU base-256 for sizes beyond 8 GiB (fields are 12 bytes). */
function writeBase256(block: Uint8Array, off: number, width: number, value: number): void {
  let v = value;
  for (let i = width - 1; i > 0; i--) {
    block[off + i] = v % 256;
    v = Math.floor(v / 256);
  }
  block[off] = 0x80;
}

function writeString(block: Uint8Array, off: number, width: number, s: string): void {
  const b = enc.encode(s);
  block.set(b.subarray(0, width), off);
}

/** True when `s` is plain ASCII and at most `max` bytes: storable in a ustar field as is. */
export function fitsField(s: string, max: number): boolean {
  return s.length <= max && /^[\x01-\x7f]*$/.test(s);
}

/** Split a path into ustar prefix (<=155) and name (<=100) at a '/', or null when impossible. */
export function splitUstarPath(path: string): { prefix: string; name: string } | null {
  if (!fitsField(path, 256)) return null;
  if (path.length <= 100) return { prefix: '', name: path };
  // The first '/' whose right side fits gives the longest name; later ones only grow the prefix.
  for (let i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) {
    const name = path.slice(i + 1);
    if (name.length > 100) continue;
    const prefix = path.slice(0, i);
    return name.length > 0 && prefix.length <= 155 ? { prefix, name } : null;
  }
  return null;
}

/** Encode one 512-byte ustar header (POSIX "ustar\0" "00"). Fields must already fit. */
export function encodeUstar(f: UstarFields): Uint8Array {
  const block = new Uint8Array(BLOCK);
  const split = splitUstarPath(f.name) ?? { prefix: '', name: f.name.slice(0, 100) };
  writeString(block, 0, 100, split.name);
  writeOctal(block, 100, 8, f.mode & 0o7777);
  writeOctal(block, 108, 8, Math.min(f.uid, octalMax(8)));
  writeOctal(block, 116, 8, Math.min(f.gid, octalMax(8)));
  if (f.size <= octalMax(12)) writeOctal(block, 124, 12, f.size);
  else writeBase256(block, 124, 12, f.size);
  writeOctal(block, 136, 12, Math.min(Math.max(f.mtime, 0), octalMax(12)));
  block.fill(0x20, 148, 156); // checksum computed with spaces
  block[156] = f.typeflag;
  writeString(block, 157, 100, f.linkname);
  block.set(enc.encode('ustar\x0000'), 257);
  writeString(block, 265, 32, f.uname);
  writeString(block, 297, 32, f.gname);
  writeOctal(block, 329, 8, f.devMajor);
  writeOctal(block, 337, 8, f.devMinor);
  writeString(block, 345, 155, split.prefix);
  let sum = 0;
  for (const b of block) sum += b;
  writeOctal(block, 148, 7, sum); // 6 digits + NUL, then the space left by fill()
  return block;
}

/** One PAX record "<len> <key>=<value>\n"; len counts its own digits. Values are raw bytes. */
export function paxRecord(key: string, value: Uint8Array | string): Uint8Array {
  const k = enc.encode(key);
  const v = typeof value === 'string' ? enc.encode(value) : value;
  const rest = 1 + k.length + 1 + v.length + 1; // ' ' key '=' value '\n'
  let len = rest + String(rest).length;
  if (String(len).length !== String(rest).length) len = rest + String(len).length;
  const out = new Uint8Array(len);
  let o = 0;
  const head = enc.encode(`${len} `);
  out.set(head, o);
  o += head.length;
  out.set(k, o);
  o += k.length;
  out[o++] = 0x3d; // '='
  out.set(v, o);
  o += v.length;
  out[o] = 0x0a;
  return out;
}

/** zero bytes needed after `size` bytes of data to reach a block boundary */
export function padding(size: number): number {
  const r = size % BLOCK;
  return r === 0 ? 0 : BLOCK - r;
}

export const OCTAL_MAX_ID = octalMax(8);
export const OCTAL_MAX_TIME = octalMax(12);
