// /etc/passwd, group, shadow and gshadow of the image as editable tables, plus the id
// allocation rules of shadow-utils read from the image's own /etc/login.defs.
//
// System ids (-r): shadow-utils 4.1.x (EL6/EL7) takes one below the lowest system id already
// used in [SYS_MIN, SYS_MAX], falling back to the highest free id in that range. With no
// SYS_UID_MAX in login.defs it uses UID_MIN - 1 as the top, which is why CentOS 4-6 (UID_MIN
// 500) hand out 499, 498, ... and EL7+ (SYS_UID_MAX 999) hand out 999, 998, ...; SYS_UID_MIN
// defaults to 101. Regular ids: one above the highest used in [UID_MIN, UID_MAX], else the lowest free.
import type { ImageFS } from '../types/imagefs.js';
import { CountingFS, readText } from './context.js';

type Table = string[][];

const FILES = {
  passwd: { path: '/etc/passwd', fields: 7, mode: 0o644 },
  group: { path: '/etc/group', fields: 4, mode: 0o644 },
  shadow: { path: '/etc/shadow', fields: 9, mode: 0o000 },
  gshadow: { path: '/etc/gshadow', fields: 4, mode: 0o000 },
} as const;
type Kind = keyof typeof FILES;

function parseTable(text: string | undefined): Table | null {
  if (text === undefined) return null;
  return text.split('\n').filter((l) => l !== '').map((l) => l.split(':'));
}

export class Accounts {
  private readonly tables: Record<Kind, Table | null>;
  private readonly dirty = new Set<Kind>();
  readonly defs: Map<string, string>;

  constructor(private readonly fs: ImageFS) {
    this.tables = {
      passwd: parseTable(readText(fs, FILES.passwd.path)),
      group: parseTable(readText(fs, FILES.group.path)),
      shadow: parseTable(readText(fs, FILES.shadow.path)),
      gshadow: parseTable(readText(fs, FILES.gshadow.path)),
    };
    this.defs = parseLoginDefs(readText(fs, '/etc/login.defs'));
  }

  hasShadow(): boolean {
    return this.tables.shadow !== null;
  }
  hasGshadow(): boolean {
    return this.tables.gshadow !== null;
  }

  rows(kind: Kind): Table {
    return this.tables[kind] ?? [];
  }
  find(kind: Kind, name: string): string[] | undefined {
    return this.rows(kind).find((r) => r[0] === name);
  }
  user(name: string): string[] | undefined {
    return this.find('passwd', name);
  }
  group(name: string): string[] | undefined {
    return this.find('group', name);
  }
  userById(uid: number): string[] | undefined {
    return this.rows('passwd').find((r) => Number(r[2]) === uid);
  }
  groupById(gid: number): string[] | undefined {
    return this.rows('group').find((r) => Number(r[2]) === gid);
  }
  /** group by name or numeric id, as useradd -g accepts */
  groupRef(ref: string): string[] | undefined {
    return /^\d+$/.test(ref) ? this.groupById(Number(ref)) : this.group(ref);
  }

  /** Append a row; passwd/group are created when missing, shadow/gshadow only written when present. */
  add(kind: Kind, row: string[]): void {
    if (this.tables[kind] === null) {
      if (kind === 'shadow' || kind === 'gshadow') return;
      this.tables[kind] = [];
    }
    this.tables[kind]!.push(row);
    this.dirty.add(kind);
  }
  /** Mark a table changed after editing one of its rows in place. */
  touch(kind: Kind): void {
    if (this.tables[kind] !== null) this.dirty.add(kind);
  }
  removeRow(kind: Kind, name: string): void {
    const t = this.tables[kind];
    if (!t) return;
    const i = t.findIndex((r) => r[0] === name);
    if (i >= 0) { t.splice(i, 1); this.dirty.add(kind); }
  }

  save(): void {
    for (const kind of this.dirty) {
      const t = this.tables[kind];
      if (!t) continue;
      const f = FILES[kind];
      const text = t.map((r) => r.join(':')).join('\n') + (t.length ? '\n' : '');
      this.fs.writeFile(f.path, text, this.fs.exists(f.path) ? {} : { mode: f.mode, user: 'root', group: 'root' });
    }
    this.dirty.clear();
  }

  defNum(key: string, fallback: number): number {
    const v = this.defs.get(key);
    if (v === undefined) return fallback;
    const n = v.startsWith('0x') ? parseInt(v, 16) : v.startsWith('0') && v.length > 1 ? parseInt(v, 8) : Number(v);
    return Number.isFinite(n) ? n : fallback;
  }
  defBool(key: string, fallback: boolean): boolean {
    const v = this.defs.get(key);
    return v === undefined ? fallback : v.toLowerCase() === 'yes';
  }

  private range(kind: 'UID' | 'GID', system: boolean): [number, number] {
    const min = this.defNum(`${kind}_MIN`, 1000);
    if (!system) return [min, this.defNum(`${kind}_MAX`, 60000)];
    return [this.defNum(`SYS_${kind}_MIN`, 101), this.defNum(`SYS_${kind}_MAX`, min - 1)];
  }

  newUid(system: boolean, preferred?: number): number | undefined {
    return allocate(this.rows('passwd').map((r) => Number(r[2])), this.range('UID', system), system, preferred);
  }
  newGid(system: boolean, preferred?: number): number | undefined {
    return allocate(this.rows('group').map((r) => Number(r[2])), this.range('GID', system), system, preferred);
  }

  /** lastchg for shadow: whole days since the epoch */
  static days(now: number): string {
    const d = Math.floor(now / 86400);
    return d === 0 ? '' : String(d);
  }
}

const parsed = new WeakMap<CountingFS, { changes: number; acc: Accounts }>();

/**
 * The accounts for lookups (stat's owner ids, chown's names, getent): parsed once and again only
 * after the image changed. Never edit the result; useradd and friends take a fresh Accounts.
 * An image that does not count its changes is parsed on each call.
 */
export function lookupAccounts(fs: ImageFS): Accounts {
  if (!(fs instanceof CountingFS)) return new Accounts(fs);
  const have = parsed.get(fs);
  if (have?.changes === fs.changes) return have.acc;
  const acc = new Accounts(fs);
  parsed.set(fs, { changes: fs.changes, acc });
  return acc;
}

export function allocate(used: number[], [min, max]: [number, number], system: boolean, preferred?: number): number | undefined {
  const taken = new Set(used);
  // shadow-utils <= 4.1.5 (EL4-EL7) takes a free preferred id even outside the range: useradd -r -u 28 nscd -> group 28
  if (preferred !== undefined && !taken.has(preferred)) return preferred;
  const inRange = used.filter((id) => id >= min && id <= max);
  if (system) {
    const next = inRange.length ? Math.min(...inRange) - 1 : max;
    if (next >= min && !taken.has(next)) return next;
    for (let id = max; id >= min; id--) if (!taken.has(id)) return id;
    return undefined;
  }
  const next = inRange.length ? Math.max(...inRange) + 1 : min;
  if (next <= max && !taken.has(next)) return next;
  for (let id = min; id <= max; id++) if (!taken.has(id)) return id;
  return undefined;
}

export function parseLoginDefs(text: string | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of (text ?? '').split('\n')) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    const mm = /^(\S+)\s+(.*)$/.exec(t);
    if (mm) m.set(mm[1]!, mm[2]!.trim().replace(/^"(.*)"$/, '$1'));
  }
  return m;
}

/** /etc/default/useradd (KEY=value) */
export function parseUseraddDefaults(text: string | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of (text ?? '').split('\n')) {
    const mm = /^\s*([A-Z_]+)=(.*)$/.exec(line);
    if (mm) m.set(mm[1]!, mm[2]!.trim());
  }
  return m;
}
