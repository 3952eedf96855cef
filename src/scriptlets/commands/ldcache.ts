// ldconfig without running it: read each shared library's ELF header (class, machine, SONAME,
// ABI note), make and re-point SONAME symlinks by ldconfig's rules, and write /etc/ld.so.cache in
// glibc's "new" format (glibc-ld.so.cache1.1). That format alone is what glibc >= 2.32 writes,
// and every ld.so since glibc 2.2 reads a file that starts with it, so one format serves CentOS 4
// to now.
// Entries are sorted as ldconfig sorts them (descending by _dl_cache_libcmp, the order ld.so's
// binary search expects); directories: /etc/ld.so.conf's, then the system ones.
import type { ImageFS } from '../../types/imagefs.js';
import { resolvePath } from '../image-path.js';

export interface ElfInfo { soname: string | undefined; flags: number; osversion: number; bigEndian: boolean }

const FLAG_ELF = 0x0001;
const FLAG_ELF_LIBC5 = 0x0002;
const FLAG_ELF_LIBC6 = 0x0003;
/** readelflib.c's interpreters and known_libs (sysdeps/unix/sysv/linux/ldconfig.h) */
const KNOWN: Record<string, number> = {
  '/lib/ld-linux.so.1': FLAG_ELF_LIBC5, '/lib/ld-linux.so.2': FLAG_ELF_LIBC6,
  'libc.so.5': FLAG_ELF_LIBC5, 'libm.so.5': FLAG_ELF_LIBC5, 'libc.so.6': FLAG_ELF_LIBC6, 'libm.so.6': FLAG_ELF_LIBC6,
};

/**
 * The libc type of a library: 64-bit and x32 ones are always libc6; a 32-bit one is "ELF" unless
 * its interpreter or first known DT_NEEDED names a libc (so `ldconfig -p` shows i386 libc.so.6
 * itself, which needs no libc, as "(ELF)").
 */
function libcFlag(alwaysLibc6: boolean, interp: string | undefined, needed: string[]): number {
  if (alwaysLibc6) return FLAG_ELF_LIBC6;
  const byInterp = interp === undefined ? undefined : KNOWN[interp];
  if (byInterp !== undefined) return byInterp;
  for (const n of needed) if (KNOWN[n] !== undefined && !n.startsWith('/')) return KNOWN[n]!;
  return FLAG_ELF;
}

/**
 * 64-bit arch bits of the cache entry flags, by e_machine (sysdeps/generic/ldconfig.h FLAG_*_LIB64):
 * sparcv9, x86_64, s390x, ppc64, ia64, mips64 (n64), aarch64, riscv64 and loongarch64 (float ABI
 * from e_flags below).
 */
const ARCH64: Record<number, number> = { 43: 0x0100, 62: 0x0300, 22: 0x0400, 21: 0x0500, 50: 0x0200, 8: 0x0700, 183: 0x0a00 };

/** the flags' arch bits (0: none, as i386, ppc and s390 libraries), or undefined when ldconfig skips the file */
function archBits(is64: boolean, machine: number, eflags: number): number | undefined {
  if (!is64) {
    if (machine === 62) return 0x0800; // x32
    // arm/readelflib.c: EABI 5 objects are hard- or soft-float (unmarked ones suit both)
    if (machine === 40 && (eflags & 0xff000000) === 0x05000000) return eflags & 0x400 ? 0x0900 : eflags & 0x200 ? 0x0b00 : 0;
    return 0;
  }
  // riscv/readelflib.c: soft (0) or double (4) float ABI, anything else is skipped
  if (machine === 243) return (eflags & 6) === 0 ? 0x0f00 : (eflags & 6) === 4 ? 0x1000 : undefined;
  // loongarch/readelflib.c: soft (1) or double (3) float ABI by EF_LARCH_ABI_MODIFIER_MASK
  if (machine === 258) return (eflags & 7) === 1 ? 0x1100 : (eflags & 7) === 3 ? 0x1200 : undefined;
  return ARCH64[machine];
}

export function readElf(b: Uint8Array): ElfInfo | undefined {
  if (b.length < 52 || b[0] !== 0x7f || b[1] !== 0x45 || b[2] !== 0x4c || b[3] !== 0x46) return undefined;
  const is64 = b[4] === 2;
  const le = b[5] === 1;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const u16 = (o: number): number => dv.getUint16(o, le);
  const u32 = (o: number): number => dv.getUint32(o, le);
  const addr = (o: number): number => (is64 ? Number(dv.getBigUint64(o, le)) : u32(o));
  if (u16(16) !== 3) return undefined; // ET_DYN
  const machine = u16(18);
  const arch = archBits(is64, machine, u32(is64 ? 48 : 36));
  if (arch === undefined) return undefined;
  const phoff = addr(is64 ? 32 : 28);
  const phentsize = u16(is64 ? 54 : 42);
  const phnum = u16(is64 ? 56 : 44);
  const loads: { off: number; vaddr: number; size: number }[] = [];
  let dyn: { off: number; size: number } | undefined;
  let osversion = 0;
  let interp: string | undefined;
  const cstr = (o: number): string => new TextDecoder().decode(b.subarray(o, Math.max(o, b.indexOf(0, o))));
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    if (p + phentsize > b.length) return undefined;
    const type = u32(p);
    const off = addr(p + (is64 ? 8 : 4));
    const vaddr = addr(p + (is64 ? 16 : 8));
    const filesz = addr(p + (is64 ? 32 : 16));
    if (type === 1) loads.push({ off, vaddr, size: filesz });
    else if (type === 2) dyn = { off, size: filesz };
    else if (type === 3) interp = cstr(off);
    else if (type === 4) {
      for (let n = off; n + 12 <= off + filesz && n + 12 <= b.length;) {
        const namesz = u32(n); const descsz = u32(n + 4); const ntype = u32(n + 8);
        const name = new TextDecoder().decode(b.subarray(n + 12, n + 12 + namesz)).replace(/\0+$/, '');
        const desc = n + 12 + ((namesz + 3) & ~3);
        if (name === 'GNU' && ntype === 1 && descsz >= 16) {
          osversion = ((u32(desc) << 24) | ((u32(desc + 4) & 0xff) << 16) | ((u32(desc + 8) & 0xff) << 8) | (u32(desc + 12) & 0xff)) >>> 0;
        }
        n = desc + ((descsz + 3) & ~3);
      }
    }
  }
  // as readelflib.c: without a dynamic segment and its string table ldconfig skips the file
  if (!dyn) return undefined;
  const es = is64 ? 16 : 8;
  let strtab: number | undefined;
  let sonameOff: number | undefined;
  const neededOffs: number[] = [];
  for (let o = dyn.off; o + es <= dyn.off + dyn.size && o + es <= b.length; o += es) {
    const tag = is64 ? Number(dv.getBigInt64(o, le)) : dv.getInt32(o, le);
    const val = addr(o + (is64 ? 8 : 4));
    if (tag === 0) break;
    if (tag === 5) strtab = val;
    else if (tag === 14) sonameOff = val;
    else if (tag === 1) neededOffs.push(val);
  }
  if (strtab === undefined) return undefined;
  const at = strtab;
  // the string table's file offset through the PT_LOAD holding it ("very strange" otherwise: as is)
  const seg = loads.find((l) => at >= l.vaddr && at < l.vaddr + l.size);
  const base = seg ? at - seg.vaddr + seg.off : at;
  const str = (off: number): string | undefined => (base + off < b.length && b.indexOf(0, base + off) > base + off ? cstr(base + off) : undefined);
  const soname = sonameOff === undefined ? undefined : str(sonameOff);
  const needed = neededOffs.map(str).filter((n): n is string => n !== undefined);
  // every EABI 5 arm object is libc6, marked or not
  const eabi5 = machine === 40 && (u32(36) & 0xff000000) === 0x05000000;
  return { soname, flags: arch | libcFlag(is64 || arch !== 0 || eabi5, interp, needed), osversion, bigEndian: !le };
}

/** glibc's _dl_cache_libcmp: digit runs compare as numbers */
export function libcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  const digit = (c: number): boolean => c >= 48 && c <= 57;
  while (i < a.length) {
    const c1 = a.charCodeAt(i);
    const c2 = j < b.length ? b.charCodeAt(j) : 0;
    if (digit(c1)) {
      if (!digit(c2)) return 1;
      let v1 = 0; let v2 = 0;
      while (i < a.length && digit(a.charCodeAt(i))) v1 = v1 * 10 + a.charCodeAt(i++) - 48;
      while (j < b.length && digit(b.charCodeAt(j))) v2 = v2 * 10 + b.charCodeAt(j++) - 48;
      if (v1 !== v2) return v1 - v2;
    } else if (digit(c2)) return -1;
    else if (c1 !== c2) return c1 - c2;
    else { i++; j++; }
  }
  return j < b.length ? -b.charCodeAt(j) : 0;
}

export interface CacheEntry { key: string; path: string; flags: number; osversion: number }

/** one library of a directory, as ldconfig's search_dir keeps it (struct dlib_entry) */
interface DirLib { name: string; soname: string; isLink: boolean; info: ElfInfo }

/**
 * Scan the directories as glibc's ldconfig (elf/ldconfig.c search_dir) does, make its SONAME links
 * and return the cache entries in cache order. Its rules, the same in the ldconfig.c of 2009 (EL6's
 * glibc 2.12) and Debian's glibc 2.36:
 * - only lib*.so* and ld-*.so* names; regular files and symlinks; files that are not ELF shared
 *   objects are skipped (linker scripts such as libc.so);
 * - a symlink that leads nowhere is removed when its name contains ".so.";
 * - a symlink named after its target's DT_SONAME, or a linker name that prefixes it
 *   (libz.so -> libz.so.1.2.3 with SONAME libz.so.1), stays a link: it is listed in the cache
 *   under its own name and never becomes the target of a SONAME link. Any other symlink counts
 *   as a file of its target's SONAME;
 * - per SONAME a file beats a link, else the newer name by _dl_cache_libcmp wins, and the
 *   SONAME link is made (or re-pointed when it is a symlink to another file) to the winner.
 * Not done: hwcap subdirectories (tls/, i686/, sse2/), which EL x86_64 images leave empty.
 */
export function scanLibraries(fs: ImageFS, dirs: string[], makeLinks = true): { entries: CacheEntry[]; links: string[]; removed: string[]; bigEndian: boolean } {
  const entries: CacheEntry[] = [];
  const links: string[] = [];
  const removed: string[] = [];
  let bigEndian = false;
  const seenDirs = new Set<string>();
  for (const dir of dirs) {
    // a directory reached twice (/lib64 -> usr/lib64) is scanned once, under its first name
    const real = resolvePath(fs, dir);
    if (real === undefined || seenDirs.has(real) || fs.lstat(real)?.type !== 'dir') continue;
    seenDirs.add(real);
    const dlibs = new Map<string, DirLib>();
    for (const name of fs.list(dir)) {
      if (!(name.startsWith('lib') || name.startsWith('ld-')) || !name.includes('.so')) continue;
      if (/\.#prelink#(\.......)?$/.test(name)) continue; // prelink's temporary files
      const path = `${dir}/${name}`;
      const type = fs.lstat(path)?.type;
      let isLink = type === 'symlink';
      if (!isLink && type !== 'file' && type !== 'hardlink') continue;
      if (isLink && regularTarget(fs, path) === undefined) {
        // EL6's glibc removes a stale link even under -X (newer ones keep it then): the era's rule
        if (resolvePath(fs, path) === undefined && name.includes('.so.')) {
          fs.remove(path);
          removed.push(path);
        }
        continue;
      }
      const data = readFollow(fs, path);
      const info = data && readElf(data);
      if (!info) continue;
      bigEndian = info.bigEndian;
      let soname = info.soname ?? name;
      if (isLink && name !== soname && !(name.endsWith('.so') && soname.startsWith(name))) isLink = false;
      if (isLink) soname = name;
      const prev = dlibs.get(soname);
      if (!prev) dlibs.set(soname, { name, soname, isLink, info });
      else if ((!isLink && prev.isLink) || (isLink === prev.isLink && libcmp(prev.name, name) < 0)) Object.assign(prev, { name, isLink, info });
    }
    for (const lib of dlibs.values()) {
      if (makeLinks && !lib.isLink) {
        const made = createLink(fs, dir, lib.name, lib.soname);
        if (made) links.push(made);
      }
      entries.push({ key: lib.soname, path: `${dir}/${lib.soname}`, flags: lib.info.flags, osversion: lib.info.osversion });
    }
  }
  // cache.c compare(): libcmp descending, flags descending, then (glibc of EL5/6; Debian's 2.36
  // records no ABI note) the ABI note's kernel version descending; stable otherwise (first
  // directory first)
  const order = entries.map((e, i) => ({ e, i }));
  order.sort((x, y) => libcmp(y.e.key, x.e.key) || y.e.flags - x.e.flags || y.e.osversion - x.e.osversion || x.i - y.i);
  return { entries: order.map((o) => o.e), links, removed, bigEndian };
}

/**
 * ldconfig's create_links: SONAME -> file unless the SONAME path already leads to that file, or
 * is a regular file (never replaced). A symlink to another file, or a dangling one, is replaced.
 */
function createLink(fs: ImageFS, dir: string, file: string, soname: string): string | undefined {
  if (soname === file || soname.includes('/')) return undefined;
  const link = `${dir}/${soname}`;
  const st = fs.lstat(link);
  if (st && st.type !== 'symlink') return undefined;
  if (st && regularTarget(fs, link) === regularTarget(fs, `${dir}/${file}`)) return undefined;
  if (st) fs.remove(link);
  fs.symlink(file, link);
  return `${link} -> ${file}`;
}

/** the canonical path of the regular file `path` leads to (hardlinks: the entry holding the data) */
function regularTarget(fs: ImageFS, path: string): string | undefined {
  const real = resolvePath(fs, path);
  const st = real === undefined ? undefined : fs.lstat(real);
  if (st?.type === 'hardlink' && st.linkTarget !== undefined) return st.linkTarget;
  return st?.type === 'file' ? real : undefined;
}

/** the bytes of the regular file `path` leads to; symlinks resolve as the kernel does (.. stops at /) */
function readFollow(fs: ImageFS, path: string): Uint8Array | undefined {
  const real = resolvePath(fs, path);
  if (real === undefined) return undefined;
  const st = fs.lstat(real);
  return st?.type === 'file' || st?.type === 'hardlink' ? fs.readFile(real) : undefined;
}

/** The cache file bytes (new format, no extensions). */
export function encodeLdCache(entries: CacheEntry[], bigEndian: boolean): Uint8Array {
  const strings: string[] = [];
  const offsets = new Map<string, number>();
  const header = 48;
  const stringsAt = header + entries.length * 24;
  let len = 0;
  const intern = (s: string): number => {
    let o = offsets.get(s);
    if (o === undefined) {
      o = stringsAt + len;
      offsets.set(s, o);
      strings.push(s);
      len += Buffer.byteLength(s) + 1;
    }
    return o;
  };
  const refs = entries.map((e) => ({ key: intern(e.key), value: intern(e.path) }));
  const out = new Uint8Array(stringsAt + len);
  const dv = new DataView(out.buffer);
  const le = !bigEndian;
  out.set(new TextEncoder().encode('glibc-ld.so.cache1.1'), 0);
  dv.setUint32(20, entries.length, le);
  dv.setUint32(24, len, le);
  out[28] = bigEndian ? 3 : 2; // cache_file_new_flags_endian_{big,little}; older readers ignore it
  entries.forEach((e, i) => {
    const o = header + i * 24;
    dv.setInt32(o, e.flags, le);
    dv.setUint32(o + 4, refs[i]!.key, le);
    dv.setUint32(o + 8, refs[i]!.value, le);
    dv.setUint32(o + 12, e.osversion, le);
    dv.setBigUint64(o + 16, 0n, le);
  });
  let p = stringsAt;
  for (const s of strings) {
    const bytes = new TextEncoder().encode(s);
    out.set(bytes, p);
    p += bytes.length + 1;
  }
  return out;
}
