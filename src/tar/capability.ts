// File capabilities: libcap's text form (cap_from_text, as stored in rpm's FILECAPS tag) to the
// security.capability xattr value the kernel reads, struct vfs_cap_data revision 2:
//   le32 magic_etc (0x02000000 | 0x1 when effective), then le32 permitted/inheritable for caps
//   0-31 and again for caps 32-63. 20 bytes. (Revision 3 adds a namespace root uid; rpm and
//   setcap write revision 2 for files owned by the initial namespace.)
import { RfsError } from '../errors/index.js';

/** Index = capability number (linux/capability.h, up to CAP_CHECKPOINT_RESTORE = 40). */
export const CAP_NAMES = [
  'chown', 'dac_override', 'dac_read_search', 'fowner', 'fsetid', 'kill', 'setgid', 'setuid',
  'setpcap', 'linux_immutable', 'net_bind_service', 'net_broadcast', 'net_admin', 'net_raw',
  'ipc_lock', 'ipc_owner', 'sys_module', 'sys_rawio', 'sys_chroot', 'sys_ptrace', 'sys_pacct',
  'sys_admin', 'sys_boot', 'sys_nice', 'sys_resource', 'sys_time', 'sys_tty_config', 'mknod',
  'lease', 'audit_write', 'audit_control', 'setfcap', 'mac_override', 'mac_admin', 'syslog',
  'wake_alarm', 'block_suspend', 'audit_read', 'perfmon', 'bpf', 'checkpoint_restore',
] as const;

const VFS_CAP_REVISION_2 = 0x02000000;
const VFS_CAP_FLAGS_EFFECTIVE = 0x000001;

type Sets = { e: bigint; i: bigint; p: bigint };
const ALL = (1n << BigInt(CAP_NAMES.length)) - 1n;

function capBit(name: string, text: string): bigint {
  const n = name.toLowerCase();
  if (n === 'all') return ALL;
  const bare = n.startsWith('cap_') ? n.slice(4) : null;
  if (bare !== null) {
    const idx = (CAP_NAMES as readonly string[]).indexOf(bare);
    if (idx >= 0) return 1n << BigInt(idx);
    // libcap accepts numeric names for caps it has no name for
    if (/^\d+$/.test(bare) && Number(bare) < 64) return 1n << BigInt(bare);
  } else if (/^\d+$/.test(n) && Number(n) < 64) {
    return 1n << BigInt(n);
  }
  throw new RfsError('RFS_OUTPUT', `encoding file capabilities: unknown capability "${name}"`, { subject: text });
}

/** Parse libcap text ("cap_net_raw=ep", "cap_a,cap_b+ep", "= cap_sys_admin+eip", "all=ep cap_x-e"). */
export function parseCapabilityText(text: string): Sets {
  const sets: Sets = { e: 0n, i: 0n, p: 0n };
  for (const clause of text.trim().split(/\s+/).filter((c) => c !== '')) {
    const m = /^([^=+-]*)((?:[=+-][eip]*)+)$/i.exec(clause);
    if (m === null) {
      throw new RfsError('RFS_OUTPUT', `encoding file capabilities: cannot parse "${clause}"`, { subject: text });
    }
    const list = m[1] ?? '';
    // an empty list stands for every capability (libcap: "=ep" == "all=ep")
    const mask = list === '' ? ALL : list.split(',').reduce((acc, name) => acc | capBit(name, text), 0n);
    for (const op of (m[2] ?? '').match(/[=+-][eip]*/gi) ?? []) {
      const flags = op.slice(1).toLowerCase();
      if (op[0] === '=') {
        sets.e &= ~mask;
        sets.i &= ~mask;
        sets.p &= ~mask;
      }
      for (const f of flags) {
        const k = f as keyof Sets;
        if (op[0] === '-') sets[k] &= ~mask;
        else sets[k] |= mask;
      }
    }
  }
  return sets;
}

/** security.capability xattr bytes (VFS_CAP_REVISION_2, little-endian) for a libcap text. */
export function encodeCapability(text: string): Uint8Array {
  const s = parseCapabilityText(text);
  // The kernel has one effective *flag*: effective caps must be all or none of p|i (libcap rule).
  if (s.e !== 0n && (s.e & ~(s.p | s.i)) !== 0n) {
    throw new RfsError('RFS_OUTPUT', 'encoding file capabilities: effective caps outside permitted/inheritable', { subject: text });
  }
  const out = new Uint8Array(20);
  const view = new DataView(out.buffer);
  view.setUint32(0, VFS_CAP_REVISION_2 | (s.e !== 0n ? VFS_CAP_FLAGS_EFFECTIVE : 0), true);
  for (let half = 0; half < 2; half++) {
    const shift = BigInt(32 * half);
    view.setUint32(4 + half * 8, Number((s.p >> shift) & 0xffffffffn), true);
    view.setUint32(8 + half * 8, Number((s.i >> shift) & 0xffffffffn), true);
  }
  return out;
}

/** Inverse, for inspection and tests: caps by name with their flags. */
export function decodeCapability(bytes: Uint8Array): { effective: boolean; permitted: string[]; inheritable: string[] } {
  if (bytes.length < 20) throw new RfsError('RFS_OUTPUT', 'decoding file capabilities: value shorter than 20 bytes');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, true);
  const names = (lo: number, hi: number): string[] => {
    const v = (BigInt(hi) << 32n) | BigInt(lo);
    const out: string[] = [];
    for (let b = 0; b < 64; b++) if ((v >> BigInt(b)) & 1n) out.push(`cap_${CAP_NAMES[b] ?? String(b)}`);
    return out;
  };
  return {
    effective: (magic & VFS_CAP_FLAGS_EFFECTIVE) !== 0,
    permitted: names(view.getUint32(4, true), view.getUint32(12, true)),
    inheritable: names(view.getUint32(8, true), view.getUint32(16, true)),
  };
}
