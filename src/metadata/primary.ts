// primary.xml -> PackageStore, streaming, via the state table below.
import { StateMachine, type StateSwitch } from './state-table.js';
import { DEP_KINDS, NKINDS, NUM_COLS, STR_COLS, StoreBuilder, type NumCol, type PackageStore, type StrCol } from './store.js';
import { evrString, senseOf } from './deps.js';
import { untrusted } from '../errors/index.js';
import { checksumType } from '../util/checksum.js';
import { parseAttributes } from './xml.js';
import { MetadataFormatError, PackageGuard, nevraOf } from './package-guard.js';

export { MetadataFormatError };

const enum S {
  START, METADATA, PACKAGE, NAME, ARCH, VERSION, CHECKSUM, SUMMARY, TIME, SIZE, LOCATION, FORMAT,
  LICENSE, VENDOR, GROUP, SOURCERPM, FILE,
}
// One list state and one entry state per dep kind: DEPS + k, ENTRY + k.
const DEPS = 100;
const ENTRY = 200;

const kinds = DEP_KINDS.map((k, i) => ({ element: `rpm:${k}`, kind: i }));

export const PRIMARY_SWITCHES: readonly StateSwitch[] = [
  { from: S.START, element: 'metadata', to: S.METADATA },
  { from: S.METADATA, element: 'package', to: S.PACKAGE },
  { from: S.PACKAGE, element: 'name', to: S.NAME, content: true },
  { from: S.PACKAGE, element: 'arch', to: S.ARCH, content: true },
  { from: S.PACKAGE, element: 'version', to: S.VERSION },
  { from: S.PACKAGE, element: 'checksum', to: S.CHECKSUM, content: true },
  { from: S.PACKAGE, element: 'summary', to: S.SUMMARY, content: true },
  { from: S.PACKAGE, element: 'time', to: S.TIME },
  { from: S.PACKAGE, element: 'size', to: S.SIZE },
  { from: S.PACKAGE, element: 'location', to: S.LOCATION },
  { from: S.PACKAGE, element: 'format', to: S.FORMAT },
  { from: S.FORMAT, element: 'rpm:license', to: S.LICENSE, content: true },
  { from: S.FORMAT, element: 'rpm:vendor', to: S.VENDOR, content: true },
  { from: S.FORMAT, element: 'rpm:group', to: S.GROUP, content: true },
  { from: S.FORMAT, element: 'rpm:sourcerpm', to: S.SOURCERPM, content: true },
  ...kinds.map((k) => ({ from: S.FORMAT, element: k.element, to: DEPS + k.kind })),
  ...kinds.map((k) => ({ from: DEPS + k.kind, element: 'rpm:entry', to: ENTRY + k.kind })),
  { from: S.FORMAT, element: 'file', to: S.FILE, content: true },
];

const col = (c: StrCol): number => STR_COLS.indexOf(c);
const ncol = (c: NumCol): number => NUM_COLS.indexOf(c);
const C = {
  name: col('name'), version: col('version'), release: col('release'), arch: col('arch'), location: col('location'),
  locationBase: col('locationBase'), ctype: col('checksumType'), cval: col('checksumValue'), summary: col('summary'),
  sourcerpm: col('sourcerpm'), license: col('license'), vendor: col('vendor'), group: col('group'),
  epoch: ncol('epoch'), buildtime: ncol('buildtime'), packageSize: ncol('packageSize'), installedSize: ncol('installedSize'),
};

/**
 * The state machine for primary.xml plus the builder it fills. `finish()` after the last chunk;
 * `duplicates()`: NEVRAs of the records dropped as repeats of an earlier one.
 */
export function primaryParser(guard = new PackageGuard()): { machine: StateMachine; finish(): PackageStore; declared(): number | undefined; duplicates(): readonly string[] } {
  const b = new StoreBuilder();
  let declared: number | undefined;
  // The current record's identity, for the duplicate check and messages.
  let name = ''; let arch = ''; let epoch = ''; let ver = ''; let rel = ''; let ctype = ''; let pkgid = '';
  /** the record repeats an earlier one: its deps and files are not even interned */
  let dropping = false;
  let checked = false;
  let ndeps = 0;
  const nevra = (): string => nevraOf(name, epoch || '0', ver, rel, arch);
  const isDuplicate = (): boolean => { checked = true; return guard.duplicate(pkgid, nevra()); };
  const addDep = (k: number, id: number): void => {
    guard.deps(name, ++ndeps);
    pending[k]!.push(id);
  };
  // Deps are buffered per kind (as dep ids) so the store gets them in DEP_KINDS order whatever the writer's order.
  const pending: number[][] = DEP_KINDS.map(() => []);
  const num = (s: string | undefined): number => { const n = Number(s); return Number.isFinite(n) ? n : 0; };
  // The same <rpm:entry .../> text recurs across packages: map it straight to its dep id.
  const entryCache = new Map<string, number>();
  const rawStates = new Set(DEP_KINDS.map((_, k) => ENTRY + k));
  const machine = new StateMachine(PRIMARY_SWITCHES, {
    rawStates,
    startRaw(state, raw) {
      if (dropping) return;
      let id = entryCache.get(raw);
      if (id === undefined) {
        const a = parseAttributes(raw);
        if (a.name === undefined) return;
        id = b.depId(b.intern(a.name), senseOf(a.flags, a.pre), b.intern(evrString(a.epoch, a.ver, a.rel)));
        // A private copy as key: the raw text is a slice of a whole document chunk.
        entryCache.set((' ' + raw).slice(1), id);
      }
      addDep(state - ENTRY, id);
    },
    start(state, a) {
      switch (state) {
        case S.METADATA: if (a.packages !== undefined) declared = Number(a.packages); break;
        case S.PACKAGE:
          b.begin(); for (const p of pending) p.length = 0;
          name = arch = epoch = ver = rel = ctype = pkgid = ''; dropping = checked = false; ndeps = 0;
          break;
        case S.VERSION:
          epoch = String(num(a.epoch)); ver = a.ver ?? ''; rel = a.rel ?? '';
          b.setNum(C.epoch, num(a.epoch));
          b.setStr(C.version, a.ver ?? '');
          b.setStr(C.release, a.rel ?? '');
          break;
        case S.CHECKSUM: {
          const t = checksumType(a.type ?? '');
          if (!t) throw new MetadataFormatError(`unknown checksum type ${untrusted(a.type ?? '(none)', 40)}`);
          ctype = t;
          b.setStr(C.ctype, t);
          break;
        }
        case S.TIME: b.setNum(C.buildtime, num(a.build)); break;
        case S.SIZE: b.setNum(C.packageSize, num(a.package)); b.setNum(C.installedSize, num(a.installed)); break;
        case S.LOCATION:
          if (!a.href) throw new MetadataFormatError('<location> without href');
          guard.href(name, a.href);
          if (dropping) break;
          b.setUniqueStr(C.location, a.href);
          if (a['xml:base']) b.setStr(C.locationBase, a['xml:base']);
          break;
        default:
          if (state >= ENTRY && a.name !== undefined && !dropping) addDep(state - ENTRY, b.depId(b.intern(a.name), senseOf(a.flags, a.pre), b.intern(evrString(a.epoch, a.ver, a.rel))));
      }
    },
    end(state, text) {
      switch (state) {
        case S.NAME: name = text.trim(); b.setStr(C.name, name); break;
        case S.ARCH: arch = text.trim(); b.setStr(C.arch, arch); break;
        case S.CHECKSUM:
          pkgid = text.trim().toLowerCase();
          guard.checksum(name, ctype, pkgid);
          // createrepo writes name, arch, version, checksum in that order: a repeat is known here
          if (name && arch && ver && isDuplicate()) { dropping = true; break; }
          b.setUniqueStr(C.cval, pkgid);
          break;
        case S.SUMMARY: b.setStr(C.summary, text); break;
        case S.LICENSE: b.setStr(C.license, text); break;
        case S.VENDOR: b.setStr(C.vendor, text); break;
        case S.GROUP: b.setStr(C.group, text); break;
        case S.SOURCERPM: b.setStr(C.sourcerpm, text); break;
        case S.FILE:
          if (dropping) break;
          guard.files(name, b.currentFiles + 1);
          b.addFile(text.trim());
          break;
        case S.PACKAGE:
          if (!pkgid) throw new MetadataFormatError(`package ${untrusted(name, 80)} has no checksum`);
          if (dropping || (!checked && isDuplicate())) { b.discard(); break; }
          for (let k = 0; k < NKINDS; k++) {
            const p = pending[k]!;
            for (let i = 0; i < p.length; i++) b.addDepRef(k, p[i]!);
          }
          b.end();
          break;
      }
    },
  });
  return { machine, finish: () => b.finish(), declared: () => declared, duplicates: () => guard.duplicates };
}
