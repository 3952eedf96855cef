// The 96-byte lead (lib/rpmlead.cc). rpm 4.18 checks magic, major 3..4 and signature type 5.
import { RfsError } from '../errors/index.js';

export interface RpmLead {
  major: number;
  minor: number;
  type: number;
  name: string;
  sigType: number;
}

export const LEAD_SIZE = 96;
const RPMSIGTYPE_HEADERSIG = 5;

export function parseLead(b: Uint8Array, subject?: string): RpmLead {
  if (b.length < LEAD_SIZE) {
    throw new RfsError('RFS_RPM_TRUNCATED', `reading rpm lead: file has only ${b.length} bytes`, { subject });
  }
  if (b[0] !== 0xed || b[1] !== 0xab || b[2] !== 0xee || b[3] !== 0xdb) {
    throw new RfsError('RFS_RPM_BAD_LEAD', 'reading rpm lead: not an rpm package (bad magic)', { subject });
  }
  const v = new DataView(b.buffer, b.byteOffset, LEAD_SIZE);
  const major = b[4]!;
  const sigType = v.getUint16(78);
  if (major < 3 || major > 4) {
    throw new RfsError('RFS_RPM_BAD_LEAD', `reading rpm lead: unsupported package version ${major}`, { subject });
  }
  if (sigType !== RPMSIGTYPE_HEADERSIG) {
    throw new RfsError('RFS_RPM_BAD_LEAD', `reading rpm lead: illegal signature type ${sigType}`, { subject });
  }
  const nameBytes = b.subarray(10, 76);
  const z = nameBytes.indexOf(0);
  const name = new TextDecoder('latin1').decode(nameBytes.subarray(0, z < 0 ? 66 : z));
  return { major, minor: b[5]!, type: v.getUint16(6), name, sigType };
}
