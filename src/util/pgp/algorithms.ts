// Algorithm numbers (RFC 4880 §9, RFC 9580 §9) and what node:crypto calls them.

export const PUBKEY_ALGO: Record<number, string> = {
  1: 'RSA',
  2: 'RSA', // encrypt-only, historical
  3: 'RSA', // sign-only, historical
  16: 'ElGamal',
  17: 'DSA',
  18: 'ECDH',
  19: 'ECDSA',
  20: 'ElGamal',
  22: 'EdDSA',
  25: 'X25519',
  26: 'X448',
  27: 'Ed25519',
  28: 'Ed448',
  30: 'ML-DSA-65+Ed25519',
  31: 'ML-DSA-87+Ed448',
};

/** hash algorithm id -> [OpenPGP name, node:crypto name, DigestInfo prefix for RSA] */
export const HASH_ALGO: Record<number, readonly [string, string, string]> = {
  1: ['MD5', 'md5', '3020300c06082a864886f70d020505000410'],
  2: ['SHA1', 'sha1', '3021300906052b0e03021a05000414'],
  3: ['RIPEMD160', 'ripemd160', '3021300906052b2403020105000414'],
  8: ['SHA256', 'sha256', '3031300d060960864801650304020105000420'],
  9: ['SHA384', 'sha384', '3041300d060960864801650304020205000430'],
  10: ['SHA512', 'sha512', '3051300d060960864801650304020305000440'],
  11: ['SHA224', 'sha224', '302d300d06096086480165030402040500041c'],
  12: ['SHA3-256', 'sha3-256', '3031300d060960864801650304020805000420'],
  14: ['SHA3-512', 'sha3-512', '3051300d060960864801650304020a05000440'],
};

export const pubkeyAlgoName = (n: number): string => PUBKEY_ALGO[n] ?? `algorithm ${n}`;
export const hashAlgoName = (n: number): string => HASH_ALGO[n]?.[0] ?? `hash ${n}`;

/** curve OIDs (hex of the DER body) -> node/JWK curve names */
export const CURVES: Record<string, { name: string; jwk: string | null; kty: 'EC' | 'OKP' | null }> = {
  '2a8648ce3d030107': { name: 'NIST P-256', jwk: 'P-256', kty: 'EC' },
  '2b81040022': { name: 'NIST P-384', jwk: 'P-384', kty: 'EC' },
  '2b81040023': { name: 'NIST P-521', jwk: 'P-521', kty: 'EC' },
  '2b06010401da470f01': { name: 'Ed25519', jwk: 'Ed25519', kty: 'OKP' },
  '2b6571': { name: 'Ed448', jwk: 'Ed448', kty: 'OKP' },
  '2b060104019755010501': { name: 'Curve25519', jwk: null, kty: null },
  '2b2403030208010107': { name: 'brainpoolP256r1', jwk: null, kty: null },
  '2b240303020801010b': { name: 'brainpoolP384r1', jwk: null, kty: null },
  '2b240303020801010d': { name: 'brainpoolP512r1', jwk: null, kty: null },
};
