// Streaming reader for rpm payload archives: SVR4 newc (070701, 070702) and rpm's stripped
// 07070X entries (index into the header file arrays, size from the header), as lib/cpio.cc
// reads them: every header starts 4-aligned, content follows its header's padding.
import { RfsError } from '../errors/index.js';
import type { ByteReader } from '../util/bytes.js';

export interface CpioHeader {
  stripped: boolean;
  /** entry name (newc); '' for stripped entries */
  name: string;
  /** header file index (stripped); -1 for newc */
  index: number;
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  mtime: number;
  /** content bytes that follow (for stripped: as given by sizeOf) */
  size: number;
  rdevMajor: number;
  rdevMinor: number;
}

const NAME_MAX = 4096; // rpm's CPIO_NAMESIZE_MAX
const latin = new TextDecoder('utf-8');

export class CpioReader {
  private left = 0; // content bytes of the current entry not yet consumed
  private ended = false;

  /** sizeOf gives the content size of a stripped entry's header index (undefined = bad index). */
  constructor(
    private readonly r: ByteReader,
    private readonly sizeOf: (index: number) => number | undefined = () => undefined,
    private readonly subject?: string,
  ) {}

  private malformed(msg: string): never {
    throw new RfsError('RFS_CPIO_MALFORMED', `reading cpio payload: ${msg}`, { subject: this.subject });
  }

  private truncated(what: string): never {
    throw new RfsError('RFS_RPM_TRUNCATED', `reading cpio payload: unexpected end of data in ${what}`, { subject: this.subject });
  }

  private async exact(n: number, what: string): Promise<Uint8Array> {
    const b = await this.r.read(n);
    if (b.length < n) this.truncated(what);
    return b;
  }

  private async pad(): Promise<void> {
    const p = (4 - (this.r.position % 4)) % 4;
    if (p && (await this.r.skip(p)) < p) this.truncated('padding');
  }

  /** The next entry, or null after TRAILER!!! (the unread rest of the previous entry is skipped). */
  async next(): Promise<CpioHeader | null> {
    if (this.ended) return null;
    if (this.left > 0) {
      if ((await this.r.skip(this.left)) < this.left) this.truncated('file content');
      this.left = 0;
    }
    await this.pad();
    const magic = await this.r.read(6);
    if (magic.length === 0) this.truncated('archive (no TRAILER!!!)');
    if (magic.length < 6) this.truncated('entry magic');
    const m = String.fromCharCode(...magic);
    if (m === '07070X') {
      const index = hex(await this.exact(8, 'stripped header'), 0, () => this.malformed('bad hex in stripped header'));
      await this.pad();
      if (index === 0xffffffff) {
        this.ended = true;
        return null;
      }
      const size = this.sizeOf(index);
      if (size === undefined) this.malformed(`stripped entry index ${index} is not in the header`);
      this.left = size;
      return { stripped: true, name: '', index, ino: 0, mode: 0, uid: 0, gid: 0, nlink: 0, mtime: 0, size, rdevMajor: 0, rdevMinor: 0 };
    }
    if (m !== '070701' && m !== '070702') this.malformed(`bad magic ${JSON.stringify(m)} at byte ${this.r.position - 6}`);
    const h = await this.exact(104, 'entry header');
    const bad = (): never => this.malformed('bad hex digit in entry header');
    const f = (i: number): number => hex(h, 8 * i, bad);
    const namesize = f(11);
    if (namesize < 1 || namesize > NAME_MAX) this.malformed(`bad name size ${namesize}`);
    const nb = await this.exact(namesize, 'entry name');
    if (nb[namesize - 1] !== 0) this.malformed('entry name is not NUL-terminated');
    const name = latin.decode(nb.subarray(0, nb.indexOf(0)));
    await this.pad();
    const size = f(6);
    if (name === 'TRAILER!!!') {
      this.ended = true;
      return null;
    }
    this.left = size;
    return {
      stripped: false, name, index: -1, ino: f(0), mode: f(1), uid: f(2), gid: f(3), nlink: f(4), mtime: f(5),
      size, rdevMajor: f(9), rdevMinor: f(10),
    };
  }

  /** Content of the current entry, streamed; must be consumed before next() or is skipped by it. */
  async *content(): AsyncGenerator<Uint8Array> {
    while (this.left > 0) {
      const c = await this.r.readSome(Math.min(this.left, 1 << 20));
      if (c.length === 0) this.truncated('file content');
      this.left -= c.length;
      yield c;
    }
  }

  /** Read the whole (small) content, e.g. a symlink target. */
  async readAll(max = 1 << 20): Promise<Uint8Array> {
    if (this.left > max) this.malformed(`entry content of ${this.left} bytes is too large here`);
    const b = await this.exact(this.left, 'file content');
    this.left = 0;
    return b;
  }
}

function hex(b: Uint8Array, off: number, bad: () => never): number {
  let v = 0;
  for (let i = off; i < off + 8; i++) {
    const c = b[i]!;
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (d < 0) bad();
    v = v * 16 + d;
  }
  return v;
}
