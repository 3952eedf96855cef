// Secondary index rows of one installed header, per era (formats.md §3.4; rpm's tag2index/td2key,
// rpm 4.8 and 4.4 rpmdbAdd): keys are raw tag bytes, INT32 keys native-endian, BIN keys raw.
import type { Header } from '../rpm/header.js';
import { TAG, TYPE } from '../rpm/tags.js';
import { u32Bytes } from './bytes.js';
import type { Era, IndexName, IndexSpec } from './era.js';
import { entryOf, rawStrings } from './hdr.js';
import { pubkeyKeyIds } from './pgp.js';
import { richDepNames } from './richdep.js';

export interface IndexRow {
  key: Uint8Array;
  idx: number;
}

const PREREQ = 1 << 6;
const SCRIPT_PRE = 1 << 9;
const SCRIPT_POST = 1 << 10;
const SCRIPT_PREUN = 1 << 11;
const SCRIPT_POSTUN = 1 << 12;
const PRETRANS = 1 << 7;
const POSTTRANS = 1 << 5;
const PREUNTRANS = 1 << 20;
const POSTUNTRANS = 1 << 21;
const RPMLIB = 1 << 24;
const KEYRING = 1 << 26;
const META = 1 << 29;
const notpre = (x: number): number => x & ~PREREQ;
const INSTALL_ONLY_44 = notpre(SCRIPT_PRE | SCRIPT_POST | RPMLIB | KEYRING);
const INSTALL_ONLY = notpre(SCRIPT_PRE | SCRIPT_POST | RPMLIB | KEYRING | PRETRANS | POSTTRANS);
const ERASE_ONLY_48 = notpre(SCRIPT_PREUN | SCRIPT_POSTUN);
const ERASE_ONLY = notpre(SCRIPT_PREUN | SCRIPT_POSTUN | PREUNTRANS | POSTUNTRANS);

/** true when rpm leaves this Requires out of the Requirename index */
export function skipRequire(flags: number, era: Era): boolean {
  switch (era.requireFilter) {
    case '4.4':
      return (flags & INSTALL_ONLY_44) !== 0;
    case '4.8':
      return (flags & INSTALL_ONLY) !== 0 && (flags & ERASE_ONLY_48) === 0;
    default:
      return (flags & INSTALL_ONLY) !== 0 && (flags & ERASE_ONLY) === 0 && (flags & META) === 0;
  }
}

const RICH: ReadonlySet<IndexName> = new Set(['Requirename', 'Conflictname', 'Recommendname', 'Suggestname', 'Supplementname', 'Enhancename']);
const latin1 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
const fromLatin1 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const UNKNOWN = new TextEncoder().encode('Unknown');

function hexToBytes(b: Uint8Array): Uint8Array {
  return new Uint8Array(Buffer.from(latin1(b), 'hex'));
}

export function indexRows(h: Header, spec: IndexSpec, era: Era): IndexRow[] {
  const e = entryOf(h, spec.tag);
  if (!e) return spec.name === 'Group' ? [{ key: UNKNOWN, idx: 0 }] : [];
  switch (e.type) {
    case TYPE.INT32: {
      const vals = h.numbers(spec.tag);
      return vals.map((v, i) => ({ key: u32Bytes(v, era.endian), idx: i }));
    }
    case TYPE.BIN:
      return [{ key: h.data.slice(e.offset, e.offset + e.count), idx: 0 }];
    case TYPE.STRING:
    case TYPE.I18NSTRING:
    case TYPE.STRING_ARRAY:
      break;
    default:
      return [];
  }
  let vals = rawStrings(h, spec.tag);
  if (e.type !== TYPE.STRING_ARRAY) vals = vals.slice(0, 1); // STRING, or the C-locale I18N string
  const out: IndexRow[] = [];
  const reqFlags = spec.name === 'Requirename' ? h.numbers(TAG.REQUIREFLAGS) : [];
  const trigIdx = spec.name === 'Filetriggername' ? h.numbers(5070) : spec.name === 'Transfiletriggername' ? h.numbers(5080) : null;
  const pubkeys = spec.name === 'Pubkeys' ? pubkeyKeyIds(h.strings(TAG.PUBKEYS)) : null;
  vals.forEach((v, i) => {
    const idx = trigIdx ? (trigIdx[i] ?? 0) : i;
    if (spec.name === 'Requirename' && i < reqFlags.length && skipRequire(reqFlags[i]!, era)) return;
    if (spec.name === 'Triggername' && vals.slice(0, i).some((w) => Buffer.compare(w, v) === 0)) return;
    if (spec.name === 'Filemd5s' || spec.name === 'Filedigests') {
      if (v.length > 0) out.push({ key: hexToBytes(v), idx });
      return;
    }
    if (pubkeys) {
      const id = pubkeys[i];
      if (id) out.push({ key: id, idx });
      return;
    }
    out.push({ key: v, idx });
    if (era.richDeps && RICH.has(spec.name) && v[0] === 0x28 && e.type === TYPE.STRING_ARRAY) {
      for (const n of richDepNames(latin1(v))) out.push({ key: fromLatin1(n), idx });
    }
  });
  return out;
}
