// Just enough OpenPGP (RFC 4880) to import a public key the way rpm does: dearmor, walk packets,
// key id (v4: low 64 bits of the SHA-1 fingerprint; v3: low 64 bits of the RSA modulus),
// creation time, first user id.
import { createHash } from 'node:crypto';
import { RfsError } from '../errors/index.js';

export interface PgpPubkey {
  /** the dearmored key block (what rpm base64-encodes into PUBKEYS) */
  packets: Uint8Array;
  version: number;
  keyId: Uint8Array;
  created: number;
  userId: string | null;
  subkeys: { version: number; keyId: Uint8Array; created: number }[];
}

interface Packet {
  tag: number;
  body: Uint8Array;
}

function fail(reason: string): never {
  throw new RfsError('RFS_RPMDB', `importing public key: ${reason}`);
}

export function dearmor(text: string): Uint8Array {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((l) => l.startsWith('-----BEGIN PGP PUBLIC KEY BLOCK-----'));
  if (start < 0) fail('no "BEGIN PGP PUBLIC KEY BLOCK" armor');
  let i = start + 1;
  while (i < lines.length && lines[i]!.trim() !== '') i++; // armor headers (Version: ...)
  let b64 = '';
  for (i++; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (l.startsWith('-----END') || l.startsWith('=')) break;
    b64 += l;
  }
  const bytes = new Uint8Array(Buffer.from(b64, 'base64'));
  if (bytes.length === 0) fail('empty key block');
  return bytes;
}

function packets(buf: Uint8Array): Packet[] {
  const out: Packet[] = [];
  let p = 0;
  while (p < buf.length) {
    const h = buf[p++]!;
    if ((h & 0x80) === 0) fail('bad packet header');
    let tag: number;
    let len: number;
    if (h & 0x40) {
      tag = h & 0x3f;
      const o = buf[p++]!;
      if (o < 192) len = o;
      else if (o < 224) len = ((o - 192) << 8) + buf[p++]! + 192;
      else if (o === 255) {
        len = ((buf[p]! << 24) | (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!) >>> 0;
        p += 4;
      } else fail('partial-length packets are not used in key blocks');
    } else {
      tag = (h >> 2) & 0x0f;
      const lt = h & 3;
      if (lt === 0) len = buf[p++]!;
      else if (lt === 1) {
        len = (buf[p]! << 8) | buf[p + 1]!;
        p += 2;
      } else if (lt === 2) {
        len = ((buf[p]! << 24) | (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!) >>> 0;
        p += 4;
      } else len = buf.length - p;
    }
    if (p + len > buf.length) fail('truncated packet');
    out.push({ tag, body: buf.subarray(p, p + len) });
    p += len;
  }
  return out;
}

function keyIdOf(body: Uint8Array): { version: number; keyId: Uint8Array; created: number } {
  const version = body[0]!;
  const created = ((body[1]! << 24) | (body[2]! << 16) | (body[3]! << 8) | body[4]!) >>> 0;
  if (version === 4) {
    const pre = Uint8Array.of(0x99, (body.length >> 8) & 0xff, body.length & 0xff);
    const fp = createHash('sha1').update(pre).update(body).digest();
    return { version, keyId: new Uint8Array(fp.subarray(12, 20)), created };
  }
  if (version === 3 || version === 2) {
    // v3: time(4) validity(2) algo(1) then MPI n: key id = low 64 bits of n
    const bits = (body[8]! << 8) | body[9]!;
    const n = body.subarray(10, 10 + Math.ceil(bits / 8));
    return { version, keyId: new Uint8Array(n.subarray(n.length - 8)), created };
  }
  fail(`unsupported key version ${version}`);
}

const be32 = (b: Uint8Array, o: number): number => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;

/** creation time of a certification signature (types 0x10–0x13), or null */
function certTime(body: Uint8Array): number | null {
  if (body[0] === 3) return body[2]! >= 0x10 && body[2]! <= 0x13 ? be32(body, 3) : null;
  if (body[0] !== 4 || body[1]! < 0x10 || body[1]! > 0x13) return null;
  const end = 6 + ((body[4]! << 8) | body[5]!);
  for (let p = 6; p < end; ) {
    let len = body[p++]!;
    if (len >= 192 && len < 255) len = ((len - 192) << 8) + body[p++]! + 192;
    else if (len === 255) {
      len = be32(body, p);
      p += 4;
    }
    if ((body[p]! & 0x7f) === 2 && len >= 5) return be32(body, p + 1);
    p += len;
  }
  return null;
}

export function parsePubkey(bytes: Uint8Array): PgpPubkey {
  const pk = packets(bytes);
  const primary = pk.find((x) => x.tag === 6);
  if (!primary) fail('no public key packet');
  const uid = pk.find((x) => x.tag === 13);
  const base = keyIdOf(primary.body);
  // rpm's parser takes the key's time from the first self-certification when it has one
  const firstSub = pk.findIndex((x) => x.tag === 14);
  for (const x of firstSub < 0 ? pk : pk.slice(0, firstSub)) {
    const t = x.tag === 2 ? certTime(x.body) : null;
    if (t !== null) {
      base.created = t;
      break;
    }
  }
  const subkeys = pk.filter((x) => x.tag === 14).map((x) => keyIdOf(x.body));
  return { packets: bytes, ...base, userId: uid ? Buffer.from(uid.body).toString('utf8') : null, subkeys };
}

/** Pubkeys index keys (rpm <= 4.8): the key id of each base64 PUBKEYS entry */
export function pubkeyKeyIds(base64Keys: readonly string[]): (Uint8Array | null)[] {
  return base64Keys.map((b) => {
    try {
      return parsePubkey(new Uint8Array(Buffer.from(b, 'base64'))).keyId;
    } catch {
      return null;
    }
  });
}
