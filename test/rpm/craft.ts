// Crafted rpm packages for hostile-input tests: a v3 lead, a signature header with the real
// SHA256 header digest and size, an immutable-region main header whose file list says what the
// test wants, and a gzip newc archive whose member names may say something else. Digests are
// correct, so a crafted package passes every integrity check: only the path rules can stop it.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { buildRegionHeader, dribble, type Dribble } from '../../src/rpmdb/hdr.js';
import { HEADER_MAGIC, TAG, SIGTAG, TYPE } from '../../src/rpm/index.js';
import { concat } from '../../src/util/bytes.js';

export interface CraftFile {
  /** full path as the header lists it */
  path: string;
  /** st_mode (default a regular 0644 file, or a 0777 symlink when linkTo is given) */
  mode?: number;
  content?: string;
  linkTo?: string;
  /** hard links: files with the same inode form one set (data archived with the last) */
  inode?: number;
  /** the archive member name ('./' + path by default); null leaves the file out of the archive */
  archiveName?: string | null;
  /** what the archive holds instead of the header's content (or symlink target) */
  archiveContent?: string;
  /** the archive's st_mode instead of the header's */
  archiveMode?: number;
}

export interface ExtraMember {
  name: string;
  mode?: number;
  content?: string;
  nlink?: number;
}

export interface CraftOptions {
  name?: string;
  files: CraftFile[];
  /** archive members the header does not list, appended after the files' */
  extra?: ExtraMember[];
  summary?: string;
}

const enc = new TextEncoder();
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

const int16 = (tag: number, values: number[]): Dribble => {
  const d = new Uint8Array(2 * values.length);
  const v = new DataView(d.buffer);
  values.forEach((x, i) => v.setUint16(2 * i, x));
  return dribble.raw(tag, TYPE.INT16, values.length, d);
};
const i18n = (tag: number, s: string): Dribble => dribble.raw(tag, TYPE.I18NSTRING, 1, concat([enc.encode(s), Uint8Array.of(0)]));

function lead(name: string): Uint8Array {
  const b = new Uint8Array(96);
  b.set([0xed, 0xab, 0xee, 0xdb, 3, 0], 0);
  const v = new DataView(b.buffer);
  v.setUint16(8, 1); // archnum
  b.set(enc.encode(name).subarray(0, 65), 10);
  v.setUint16(76, 1); // osnum
  v.setUint16(78, 5); // RPMSIGTYPE_HEADERSIG
  return b;
}

function newc(name: string, mode: number, content: Uint8Array, ino: number, nlink: number): Uint8Array {
  const nameBytes = concat([enc.encode(name), Uint8Array.of(0)]);
  const fields = [ino, mode, 0, 0, nlink, 0, content.length, 0, 0, 0, 0, nameBytes.length, 0];
  const head = enc.encode('070701' + fields.map((f) => f.toString(16).padStart(8, '0')).join(''));
  const pad = (n: number): Uint8Array => new Uint8Array((4 - (n % 4)) % 4);
  return concat([head, nameBytes, pad(head.length + nameBytes.length), content, pad(content.length)]);
}

export function craftRpm(opts: CraftOptions): Uint8Array {
  const name = opts.name ?? 'crafted';
  const files = opts.files.map((f, i) => {
    const mode = f.mode ?? (f.linkTo !== undefined ? S_IFLNK | 0o777 : S_IFREG | 0o644);
    const data = enc.encode((mode & 0o170000) === S_IFLNK ? f.linkTo ?? '' : f.content ?? '');
    return { ...f, mode, data, inode: f.inode ?? i + 1 };
  });
  const isReg = (m: number): boolean => (m & 0o170000) === S_IFREG;
  const nlinks = new Map<number, number>();
  for (const f of files) if (isReg(f.mode)) nlinks.set(f.inode, (nlinks.get(f.inode) ?? 0) + 1);
  // data of a hard-link set travels with its last member, as rpmbuild writes it
  const lastOfSet = new Map<number, number>();
  files.forEach((f, i) => lastOfSet.set(f.inode, i));
  const members: Uint8Array[] = [];
  files.forEach((f, i) => {
    if (f.archiveName === null) return;
    const n = nlinks.get(f.inode) ?? 1;
    const own = f.archiveContent !== undefined ? enc.encode(f.archiveContent) : f.data;
    const data = n > 1 && lastOfSet.get(f.inode) !== i ? new Uint8Array(0) : own;
    members.push(newc(f.archiveName ?? `.${f.path}`, f.archiveMode ?? f.mode, data, f.inode, n));
  });
  for (const x of opts.extra ?? []) members.push(newc(x.name, x.mode ?? S_IFREG | 0o644, enc.encode(x.content ?? ''), 9999, x.nlink ?? 1));
  members.push(newc('TRAILER!!!', 0, new Uint8Array(0), 0, 1));
  const payload = new Uint8Array(gzipSync(concat(members)));

  const dirs: string[] = [];
  const dirIndex = files.map((f) => {
    const d = f.path.slice(0, f.path.lastIndexOf('/') + 1);
    if (!dirs.includes(d)) dirs.push(d);
    return dirs.indexOf(d);
  });
  const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
  const entries: Dribble[] = [
    dribble.string(TAG.NAME, name),
    dribble.string(TAG.VERSION, '1.0'),
    dribble.string(TAG.RELEASE, '1'),
    i18n(TAG.SUMMARY, opts.summary ?? 'a crafted package'),
    dribble.string(TAG.OS, 'linux'),
    dribble.string(TAG.ARCH, 'x86_64'),
    dribble.string(TAG.SOURCERPM, `${name}-1.0-1.src.rpm`),
    dribble.string(TAG.PAYLOADFORMAT, 'cpio'),
    dribble.string(TAG.PAYLOADCOMPRESSOR, 'gzip'),
    dribble.stringArray(TAG.PAYLOADDIGEST, [sha(payload)]),
    dribble.int32(TAG.PAYLOADDIGESTALGO, [8]),
  ];
  if (files.length) {
    entries.push(
      dribble.int32(TAG.FILESIZES, files.map((f) => f.data.length)),
      int16(TAG.FILEMODES, files.map((f) => f.mode)),
      int16(TAG.FILERDEVS, files.map(() => 0)),
      dribble.int32(TAG.FILEMTIMES, files.map(() => 1700000000)),
      dribble.stringArray(TAG.FILEDIGESTS, files.map((f) => (isReg(f.mode) ? sha(f.data) : ''))),
      dribble.stringArray(TAG.FILELINKTOS, files.map((f) => ((f.mode & 0o170000) === S_IFLNK ? f.linkTo ?? '' : ''))),
      dribble.int32(TAG.FILEFLAGS, files.map(() => 0)),
      dribble.stringArray(TAG.FILEUSERNAME, files.map(() => 'root')),
      dribble.stringArray(TAG.FILEGROUPNAME, files.map(() => 'root')),
      dribble.int32(TAG.FILEDEVICES, files.map(() => 1)),
      dribble.int32(TAG.FILEINODES, files.map((f) => f.inode)),
      dribble.int32(TAG.DIRINDEXES, dirIndex),
      dribble.stringArray(TAG.BASENAMES, files.map((f) => f.path.slice(f.path.lastIndexOf('/') + 1))),
      dribble.stringArray(TAG.DIRNAMES, dirs),
      dribble.int32(TAG.FILEDIGESTALGO, [8]),
    );
  }
  const header = concat([HEADER_MAGIC, buildRegionHeader(entries, 63)]);
  // the signature region's image: rpm hashes magic + the main header's index and data
  const sig = concat([HEADER_MAGIC, buildRegionHeader([
    dribble.int32(SIGTAG.SIZE, [header.length + payload.length]),
    dribble.string(SIGTAG.SHA256, sha(header)),
  ], 62)]);
  const sigPad = new Uint8Array((8 - (sig.length % 8)) % 8);
  return concat([lead(name), sig, sigPad, header, payload]);
}
