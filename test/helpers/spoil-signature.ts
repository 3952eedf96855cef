// Test helper: a package whose RSA header signature no longer verifies, all digests intact.
import { readFileSync, writeFileSync } from 'node:fs';
import { openRpm } from '../../src/rpm/index.js';
import { SIGTAG } from '../../src/rpm/tags.js';

/** Flip the last byte of the RSA header signature: digests still match, the signature is BAD. */
export async function breakHeaderSignature(rpm: string): Promise<void> {
  const pkg = await openRpm(rpm, { verify: false, headerOnly: true });
  const sig = pkg.signature.bin(SIGTAG.RSA);
  if (!sig) throw new Error('fixture package without an RSA header signature');
  const bytes = readFileSync(rpm);
  const at = bytes.indexOf(Buffer.from(sig));
  if (at < 0 || bytes.indexOf(Buffer.from(sig), at + 1) >= 0) throw new Error('RSA signature not found exactly once');
  bytes[at + sig.length - 1]! ^= 0x01;
  writeFileSync(rpm, bytes);
}
