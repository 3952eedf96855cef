// What rpm --import reads from a public key (key id, creation time, first user id, subkeys),
// on top of the generic OpenPGP reader in util/pgp.
import { RfsError } from '../errors/index.js';
import { dearmor as pgpDearmor, readPublicKeys, type PgpSignature } from '../util/pgp/index.js';

export interface PgpPubkey {
  /** the dearmored key block (what rpm base64-encodes into PUBKEYS) */
  packets: Uint8Array;
  version: number;
  keyId: Uint8Array;
  created: number;
  userId: string | null;
  subkeys: { version: number; keyId: Uint8Array; created: number }[];
}

export function dearmor(text: string): Uint8Array {
  const block = pgpDearmor(text, { code: 'RFS_RPMDB' }).find((b) => b.label === 'PGP PUBLIC KEY BLOCK');
  if (!block) throw new RfsError('RFS_RPMDB', 'importing public key: no "BEGIN PGP PUBLIC KEY BLOCK" armor');
  return block.bytes;
}

export function parsePubkey(bytes: Uint8Array): PgpPubkey {
  const [cert] = readPublicKeys(bytes, { code: 'RFS_RPMDB' });
  if (!cert) throw new RfsError('RFS_RPMDB', 'importing public key: no public key packet');
  const sigs: PgpSignature[] = [...cert.directSignatures, ...cert.userIds.flatMap((u) => u.certifications)];
  // rpm takes the key's time from the first self-certification when it has one
  const certified = sigs.find((s) => s.type >= 0x10 && s.type <= 0x13 && s.created !== null)?.created;
  return {
    packets: bytes,
    version: cert.primary.version,
    keyId: cert.primary.keyId,
    created: certified ?? cert.primary.created,
    userId: cert.userId,
    subkeys: cert.subkeys.map((s) => ({ version: s.version, keyId: s.keyId, created: s.created })),
  };
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
