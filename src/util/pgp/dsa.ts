// DSA verification (FIPS 186-4 §4.7) with BigInt, from a digest computed once: node has no
// prehashed DSA verify, and hashing a large payload twice (once for the left-16 check, once in
// crypto.createVerify) halved the throughput of CentOS 4/5 header+payload signatures.

export interface DsaParams {
  p: bigint;
  q: bigint;
  g: bigint;
  y: bigint;
}

export const toBig = (b: Uint8Array): bigint => (b.length === 0 ? 0n : BigInt(`0x${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')}`));

function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  let r = 1n;
  let b = base % m;
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
  }
  return r;
}

function modInv(a: bigint, m: bigint): bigint {
  let [r0, r1] = [a % m, m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return ((s0 % m) + m) % m;
}

export function dsaVerify(k: DsaParams, digest: Uint8Array, r: bigint, s: bigint): boolean {
  const { p, q, g, y } = k;
  if (r <= 0n || r >= q || s <= 0n || s >= q) return false;
  // z = the leftmost min(N, outlen) bits of the digest
  const n = q.toString(2).length;
  let z = toBig(digest);
  if (digest.length * 8 > n) z >>= BigInt(digest.length * 8 - n);
  const w = modInv(s, q);
  const v = ((modPow(g, (z * w) % q, p) * modPow(y, (r * w) % q, p)) % p) % q;
  return v === r;
}
