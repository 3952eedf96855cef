// Generic OpenPGP (RFC 4880, with the RFC 9580 v6 parts rpm 6 uses): armor, packets, public keys,
// signatures and their verification with node:crypto.
export { dearmor, crc24, isArmored } from './armor.js';
export type { ArmorBlock } from './armor.js';
export { readPackets, PACKET } from './packets.js';
export type { PgpPacket } from './packets.js';
export { readPublicKeys, parseKeyPacket, findSigningKey, keyIdHex, fingerprintHex } from './keys.js';
export type { PgpKey, PgpSubkey, PgpUserId, PgpPublicKey } from './keys.js';
export { parseSignature, readSignatures, SUBPACKET } from './signature.js';
export type { PgpSignature, PgpSubpacket } from './signature.js';
export { SignatureVerifier, verifySignature, checkSelfSignatures, isSubkeyBound, DSA_NATIVE_LIMIT } from './verify.js';
export type { VerifyResult, VerifyStatus, SelfSignatureCheck } from './verify.js';
export { pubkeyAlgoName, hashAlgoName } from './algorithms.js';
export type { PgpErrorOptions } from './reader.js';
export { loadKeyFile, keyLabel, isRemoteKey, resolveKeyName, MAX_KEY_BYTES } from './load.js';
export type { KeyFile, LoadKeyOptions } from './load.js';
