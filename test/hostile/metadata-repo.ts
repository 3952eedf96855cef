// Crafted copies of a fixture repo for the hostile-metadata suite: the repodata is rewritten
// (primary text, repomd text) and every repomd checksum/size recomputed, so the only defect
// a case has is the one it put there.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

export const zstd = (b: Buffer): Buffer => execFileSync('zstd', ['-q', '-c', '--long=27'], { input: b, maxBuffer: 1 << 30 });
export const unzstd = (b: Buffer): Buffer => execFileSync('zstd', ['-q', '-d', '-c'], { input: b, maxBuffer: 1 << 30 });

export interface CraftedRepo {
  dir: string;
  /** the decompressed text of a repomd-listed file (type: primary, filelists, ...) */
  read(type: string): string;
  /**
   * Replace a listed file's content (compressed with zstd unless `raw`), renamed to its new
   * checksum, with repomd checksum, open-checksum, size and open-size recomputed.
   */
  write(type: string, data: Buffer | string, opts?: { raw?: boolean }): void;
  /** The same with already compressed bytes and what repomd should declare about their content. */
  writePacked(type: string, packed: Buffer, ext: string, declared: { openChecksum?: string; openSize?: number }): void;
  /** Rewrite repomd.xml's text as it stands (after write(), for a deliberate defect). */
  editRepomd(edit: (xml: string) => string): void;
}

/** Copy fixture repo `src` (repodata and packages) to `dir`. */
export function craftRepo(src: string, dir: string): CraftedRepo {
  cpSync(src, dir, { recursive: true });
  const repomdPath = join(dir, 'repodata', 'repomd.xml');
  const block = (xml: string, type: string): { start: number; end: number; text: string } => {
    const start = xml.indexOf(`<data type="${type}">`);
    if (start < 0) throw new Error(`repomd has no ${type}`);
    const end = xml.indexOf('</data>', start) + '</data>'.length;
    return { start, end, text: xml.slice(start, end) };
  };
  const hrefOf = (type: string): string => {
    const m = /<location href="([^"]+)"/.exec(block(readFileSync(repomdPath, 'utf8'), type).text);
    if (!m?.[1]) throw new Error(`no href for ${type}`);
    return m[1];
  };
  return {
    dir,
    read(type) {
      const raw = readFileSync(join(dir, hrefOf(type)));
      return (hrefOf(type).endsWith('.zst') ? unzstd(raw) : raw).toString('utf8');
    },
    write(type, data, opts = {}) {
      const open = Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8');
      const packed = opts.raw ? open : zstd(open);
      this.writePacked(type, packed, opts.raw ? '' : '.zst', { openChecksum: sha256(open), openSize: open.length });
    },
    writePacked(type, packed, ext, declared) {
      rmSync(join(dir, hrefOf(type)), { force: true });
      const href = `repodata/${sha256(packed)}-${type}.xml${ext}`;
      writeFileSync(join(dir, href), packed);
      const xml = readFileSync(repomdPath, 'utf8');
      const b = block(xml, type);
      const text = `<data type="${type}">
    <checksum type="sha256">${sha256(packed)}</checksum>
    ${declared.openChecksum ? `<open-checksum type="sha256">${declared.openChecksum}</open-checksum>` : ''}
    <location href="${href}"/>
    <timestamp>1700000000</timestamp>
    <size>${packed.length}</size>
    ${declared.openSize !== undefined ? `<open-size>${declared.openSize}</open-size>` : ''}
  </data>`;
      writeFileSync(repomdPath, xml.slice(0, b.start) + text + xml.slice(b.end));
    },
    editRepomd(edit) {
      writeFileSync(repomdPath, edit(readFileSync(repomdPath, 'utf8')));
    },
  };
}

/** The <package> elements of a primary.xml, and the text around them. */
export function splitPrimary(xml: string): { head: string; packages: string[]; tail: string } {
  const first = xml.indexOf('<package ');
  const last = xml.lastIndexOf('</package>') + '</package>'.length;
  const packages = xml.slice(first, last).split(/(?<=<\/package>)\s*/).filter((p) => p.trim());
  return { head: xml.slice(0, first), packages, tail: xml.slice(last) };
}

/** Set a primary's packages="N" to its actual count. */
export function joinPrimary(head: string, packages: string[], tail: string): string {
  return head.replace(/packages="\d+"/, `packages="${packages.length}"`) + packages.join('\n') + tail;
}

export function listRepodata(dir: string): string[] {
  return readdirSync(join(dir, 'repodata'));
}
