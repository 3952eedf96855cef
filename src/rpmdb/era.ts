// What a target's rpm expects, by era (formats.md §1.7, §3.1, §3.4): index set, index file types,
// dependency filters, rich-dep expansion, INT64 support, signature tags merged on install.
import type { RpmdbTarget } from '../types/index.js';
import type { Endian } from './bytes.js';

export type IndexName =
  | 'Name' | 'Basenames' | 'Group' | 'Requirename' | 'Providename' | 'Conflictname' | 'Obsoletename'
  | 'Triggername' | 'Dirnames' | 'Requireversion' | 'Provideversion' | 'Installtid' | 'Sigmd5'
  | 'Sha1header' | 'Filemd5s' | 'Filedigests' | 'Pubkeys' | 'Filetriggername' | 'Transfiletriggername'
  | 'Recommendname' | 'Suggestname' | 'Supplementname' | 'Enhancename';

export interface IndexSpec {
  name: IndexName;
  tag: number;
  /** BDB access method for this file */
  bdb: 'hash' | 'btree';
}

/** how Requirename skips install-only prerequisites */
export type RequireFilter = '4.4' | '4.8' | 'modern';

export interface Era {
  version: [number, number, number];
  flavour: RpmdbTarget['flavour'];
  endian: Endian;
  indexes: IndexSpec[];
  requireFilter: RequireFilter;
  /** 4.13+: rich deps add each simple name (updateRichDep) */
  richDeps: boolean;
  /** 4.6+: INT64 tags exist */
  int64: boolean;
  /** rpm <= 4.4 copies any other sig tag in [256,1000) except big arrays/bins (package.c) */
  legacySigCopy: boolean;
}

export function parseRpmVersion(v: string): [number, number, number] {
  const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(v.trim());
  if (!m) return [4, 16, 0];
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

const atLeast = (v: [number, number, number], a: number, b: number): boolean => v[0] > a || (v[0] === a && v[1] >= b);

export function eraOf(target: RpmdbTarget): Era {
  const v = parseRpmVersion(target.rpmVersion);
  const old = !atLeast(v, 4, 9); // rpm <= 4.8: explicit per-index BDB types from macros
  const I = (name: IndexName, tag: number, btree = false): IndexSpec => ({
    name,
    tag,
    bdb: btree || !old ? 'btree' : 'hash', // 4.9+ creates every index as btree (RHEL 7/8 files are)
  });
  const idx: IndexSpec[] = [I('Name', 1000), I('Basenames', 1117), I('Group', 1016), I('Requirename', 1049), I('Providename', 1047), I('Conflictname', 1054)];
  if (atLeast(v, 4, 8)) idx.push(I('Obsoletename', 1090));
  idx.push(I('Triggername', 1066), I('Dirnames', 1118, true));
  if (old) idx.push(I('Requireversion', 1050, true), I('Provideversion', 1113, true));
  idx.push(I('Installtid', 1128, true), I('Sigmd5', 261), I('Sha1header', 269));
  if (old) {
    idx.push(atLeast(v, 4, 6) ? I('Filedigests', 1035) : I('Filemd5s', 1035));
    idx.push(I('Pubkeys', 266));
  }
  if (atLeast(v, 4, 13) || target.flavour === 'sqlite' || target.flavour === 'ndb') {
    idx.push(I('Filetriggername', 5069), I('Transfiletriggername', 5079), I('Recommendname', 5046), I('Suggestname', 5049), I('Supplementname', 5052), I('Enhancename', 5055));
  }
  return {
    version: v,
    flavour: target.flavour,
    endian: target.endian ?? 'little',
    indexes: idx,
    requireFilter: !atLeast(v, 4, 5) ? '4.4' : old ? '4.8' : 'modern',
    richDeps: atLeast(v, 4, 13),
    int64: atLeast(v, 4, 6),
    legacySigCopy: !atLeast(v, 4, 6),
  };
}

const COLOR3 = /^(x86_64|amd64|ia32e|aarch64|ppc64|ppc64le|ppc64p7|ppc64pseries|ppc64iseries|s390x|sparc64|sparc64v|ia64|riscv64|loongarch64|mips64.*|alpha.*)$/;

/** rpm's %_transaction_color for a target arch (installplatform): 3 on 64-bit multilib arches, else 0 */
export function transactionColor(arch: string): number {
  return COLOR3.test(arch) ? 3 : 0;
}

const BIG = /^(ppc|ppc64|ppc64p7|ppc64pseries|ppc64iseries|ppciseries|ppcpseries|s390|s390x|sparc.*|m68k|mips|mips64|mipsr6|mips64r6|armv4b|hppa.*|aarch64_be)$/;

/**
 * The byte order of a target arch: BDB files and their native integers (Packages keys, index
 * values) are written in it, as the target's rpm writes them. ndb (le2h/h2le) and sqlite are
 * byte-order free.
 */
export function archEndian(arch: string): Endian {
  return BIG.test(arch) ? 'big' : 'little';
}
