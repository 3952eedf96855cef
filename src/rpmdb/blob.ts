// The rpmdb header blob of an installed package (formats.md §1.7–§1.8): the package's immutable
// region byte for byte, plus what rpm adds on install (merged signature tags, retrofits, install tags).
import { RfsError } from '../errors/index.js';
import { Header } from '../rpm/header.js';
import { SIGTAG, TAG, TYPE, registeredType } from '../rpm/tags.js';
import type { RpmdbTarget } from '../types/index.js';
import { type Era, eraOf } from './era.js';
import { type Dribble, dribble, entryOf, exportBlob, rawData, rawStrings } from './hdr.js';
import { legacyRetrofits } from './legacy.js';
import type { RpmdbPackage, WriteRpmdbOptions } from './types.js';

/** rpm >= 4.16 package.cc xlateTags: [sig tag, main tag, required count (0 = any), quirk] */
const XLATE: [number, number, number, boolean][] = [
  [SIGTAG.SIZE, TAG.SIGSIZE, 1, false],
  [SIGTAG.PGP, TAG.SIGPGP, 0, false],
  [SIGTAG.MD5, TAG.SIGMD5, 16, false],
  [SIGTAG.GPG, TAG.SIGGPG, 0, false],
  [SIGTAG.PAYLOADSIZE, TAG.ARCHIVESIZE, 1, true],
  [SIGTAG.FILESIGNATURES, 5090, 0, true],
  [SIGTAG.FILESIGNATURELENGTH, 5091, 1, true],
  [SIGTAG.VERITYSIGNATURES, 276, 0, false],
  [SIGTAG.VERITYSIGNATUREALGO, 277, 1, false],
  [SIGTAG.SHA1, TAG.SHA1HEADER, 1, false],
  [SIGTAG.SHA256, 273, 1, false],
  [SIGTAG.DSA, TAG.DSAHEADER, 0, false],
  [SIGTAG.RSA, TAG.RSAHEADER, 0, false],
  [SIGTAG.LONGSIZE, TAG.LONGSIGSIZE, 1, false],
  [SIGTAG.LONGARCHIVESIZE, TAG.LONGARCHIVESIZE, 1, false],
];
const XLATE_6: [number, number, number, boolean][] = [
  [SIGTAG.OPENPGP, TAG.OPENPGP, 0, false],
  [SIGTAG.SHA3_256, TAG.SHA3_256HEADER, 1, false],
];
/** rpm <= 4.15 headerMergeLegacySigs: renamed tags; others kept only in [256, 1000) */
const LEGACY_RENAME = new Map<number, number>([
  [1000, 257], [1002, 259], [1004, 261], [1005, 262], [1006, 263], [1007, 1046], [274, 5090], [275, 5091],
]);

function mergeSignatureTags(h: Header, sig: Header, era: Era): Dribble[] {
  const out: Dribble[] = [];
  const v = era.version;
  const modern = v[0] > 4 || (v[0] === 4 && v[1] >= 16);
  if (modern) {
    const table = v[0] >= 6 ? [...XLATE, ...XLATE_6] : XLATE;
    for (const [stag, xtag, , quirk] of table) {
      if (h.has(xtag)) {
        if (quirk && !sig.has(stag)) continue;
        return []; // rpm logs "invalid signature tag" and merges nothing
      }
    }
    for (const [stag, xtag, count] of table) {
      const e = entryOf(sig, stag);
      if (!e) continue;
      if (e.type !== registeredType(xtag)) break;
      if (e.count < 1 || (count > 0 && e.count !== count)) break;
      out.push(dribble.raw(xtag, e.type, e.count, rawData(sig, e)));
    }
    return out;
  }
  for (const e of sig.entries) {
    const tag = LEGACY_RENAME.get(e.tag) ?? e.tag;
    if (!LEGACY_RENAME.has(e.tag) && !(e.tag >= 256 && e.tag < 1000)) continue;
    if (h.has(tag)) continue;
    switch (e.type) {
      case TYPE.CHAR: case TYPE.INT8: case TYPE.INT16: case TYPE.INT32: case TYPE.INT64:
        if (e.count !== 1) continue;
        if (e.type === TYPE.INT64 && !era.int64) continue;
        break;
      case TYPE.STRING: case TYPE.BIN:
        if (e.count >= 16 * 1024) continue;
        break;
      default:
        continue; // NULL, string arrays
    }
    out.push(dribble.raw(tag, e.type, e.count, rawData(sig, e)));
  }
  return out;
}

function parse(bytes: Uint8Array, namespace: 'main' | 'signature', what: string): Header {
  try {
    return Header.parse(bytes, { magic: true, namespace });
  } catch (cause) {
    throw new RfsError('RFS_RPMDB', `building rpmdb header: unreadable ${what}`, { cause });
  }
}

export function buildHeaderBlob(pkg: RpmdbPackage, target: RpmdbTarget, opts: WriteRpmdbOptions): Uint8Array {
  const era = eraOf(target);
  const h = parse(pkg.headerBytes, 'main', 'main header');
  const sig = parse(pkg.signatureBytes, 'signature', 'signature header');
  const name = h.string(TAG.NAME) ?? '?';
  const dribbles: Dribble[] = [...mergeSignatureTags(h, sig, era)];
  const legacy = h.region === null;
  const v = era.version;
  dribbles.push(...legacyRetrofits(h, legacy, v[0] > 4 || (v[0] === 4 && v[1] >= 16)));

  const fileCount = entryOf(h, TAG.BASENAMES)?.count ?? entryOf(h, TAG.OLDFILENAMES)?.count ?? 0;
  if (fileCount > 0) {
    const states = pkg.fileStates ?? new Uint8Array(fileCount);
    if (states.length !== fileCount) {
      throw new RfsError('RFS_RPMDB', `building rpmdb header: ${states.length} file states for ${fileCount} files`, { subject: name });
    }
    dribbles.push(dribble.char(TAG.FILESTATES, states));
  }
  dribbles.push(dribble.int32(TAG.INSTALLTIME, [opts.installTime]));
  dribbles.push(dribble.int32(TAG.INSTALLTID, [opts.installTid ?? opts.installTime]));
  dribbles.push(dribble.int32(TAG.INSTALLCOLOR, [opts.installColor ?? 0]));
  const prefixes = dribbles.find((d) => d.tag === TAG.PREFIXES);
  if (prefixes) dribbles.push({ ...prefixes, tag: TAG.INSTPREFIXES });
  else if (h.has(TAG.PREFIXES)) dribbles.push(dribble.stringArray(TAG.INSTPREFIXES, rawStrings(h, TAG.PREFIXES)));

  if (!legacy) {
    const ril = h.region!.ril;
    const rdl = h.region!.rdl;
    return exportBlob(h.blob.subarray(8, 8 + 16 * ril), ril, h.data.subarray(0, rdl), dribbles);
  }
  // v3: the whole original header becomes a HEADERIMAGE (61) region with a synthesized trailer
  const il = h.il;
  const dl = h.dl;
  const index = new Uint8Array(16 * (il + 1));
  const iv = new DataView(index.buffer);
  iv.setUint32(0, TAG.HEADERIMAGE);
  iv.setUint32(4, TYPE.BIN);
  iv.setInt32(8, dl);
  iv.setUint32(12, 16);
  index.set(h.blob.subarray(8, 8 + 16 * il), 16);
  const data = new Uint8Array(dl + 16);
  data.set(h.data, 0);
  const dv = new DataView(data.buffer);
  dv.setUint32(dl, TAG.HEADERIMAGE);
  dv.setUint32(dl + 4, TYPE.BIN);
  dv.setInt32(dl + 8, -16 * (il + 1));
  dv.setUint32(dl + 12, 16);
  return exportBlob(index, il + 1, data, dribbles);
}
