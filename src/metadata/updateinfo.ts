// updateinfo.xml (advisories, `dnf updateinfo`) -> Advisory[], streamed through `sax` and
// bounded: descriptions and collection names are skipped, only what matches packages is kept.
import { untrusted } from '../errors/index.js';
import type { Advisory, AdvisoryPackage } from '../types/index.js';
import {
  MAX_ADVISORIES, MAX_ADVISORY_FIELD, MAX_ADVISORY_PACKAGES, MAX_ADVISORY_PACKAGES_TOTAL, MAX_ADVISORY_REFERENCES, UPDATEINFO_LIMITS, UPDATEINFO_MAX_BYTES,
} from './limits.js';
import { MetadataFormatError } from './package-guard.js';
import { StateMachine, type StateSwitch } from './state-table.js';
import { metadataError, openLimit, parseXmlFile, type ParseSource } from './stream.js';
import type { XmlHandler } from './xml.js';

const enum S { START, UPDATES, UPDATE, ID, TITLE, SEVERITY, ISSUED, REFERENCES, REFERENCE, PKGLIST, COLLECTION, PACKAGE }

export const UPDATEINFO_SWITCHES: readonly StateSwitch[] = [
  { from: S.START, element: 'updates', to: S.UPDATES },
  { from: S.UPDATES, element: 'update', to: S.UPDATE },
  { from: S.UPDATE, element: 'id', to: S.ID, content: true },
  { from: S.UPDATE, element: 'title', to: S.TITLE, content: true },
  { from: S.UPDATE, element: 'severity', to: S.SEVERITY, content: true },
  { from: S.UPDATE, element: 'issued', to: S.ISSUED },
  { from: S.UPDATE, element: 'references', to: S.REFERENCES },
  { from: S.REFERENCES, element: 'reference', to: S.REFERENCE },
  { from: S.UPDATE, element: 'pkglist', to: S.PKGLIST },
  { from: S.PKGLIST, element: 'collection', to: S.COLLECTION },
  { from: S.COLLECTION, element: 'package', to: S.PACKAGE },
];

/** Bounds, overridable for tests of the bounds themselves. */
export interface UpdateinfoBounds { advisories: number; packages: number; packagesTotal: number; references: number; field: number }
const BOUNDS: UpdateinfoBounds = {
  advisories: MAX_ADVISORIES, packages: MAX_ADVISORY_PACKAGES, packagesTotal: MAX_ADVISORY_PACKAGES_TOTAL, references: MAX_ADVISORY_REFERENCES, field: MAX_ADVISORY_FIELD,
};

export interface UpdateinfoParser {
  handler: XmlHandler;
  /** the advisories read; throws when the document had no <updates> root */
  finish(): Advisory[];
}

export function updateinfoParser(bounds: UpdateinfoBounds = BOUNDS): UpdateinfoParser {
  const out: Advisory[] = [];
  let cur: Advisory | undefined;
  let total = 0;
  const what = (): string => (cur?.id ? `advisory ${untrusted(cur.id, 80)}` : `advisory #${out.length + 1}`);
  /** a bounded private copy (a slice would keep its whole text chunk alive) */
  const keep = (field: string, s: string): string => {
    if (s.length > bounds.field) throw new MetadataFormatError(`${what()}: ${field} longer than ${bounds.field} characters (limit)`);
    return (' ' + s).slice(1);
  };
  const machine = new StateMachine(UPDATEINFO_SWITCHES, {
    start(state, a) {
      if (state === S.UPDATE) {
        if (out.length >= bounds.advisories) throw new MetadataFormatError(`more than ${bounds.advisories} advisories in one repo (limit)`);
        cur = { id: '', type: keep('type', a.type || 'unknown'), title: '', references: [], packages: [] };
      } else if (!cur) {
        return;
      } else if (state === S.ISSUED && a.date !== undefined) {
        cur.issued = keep('issued date', a.date);
      } else if (state === S.REFERENCE) {
        if (cur.references.length >= bounds.references) throw new MetadataFormatError(`${what()}: more than ${bounds.references} references (limit)`);
        cur.references.push({ type: keep('reference type', a.type ?? ''), id: keep('reference id', a.id ?? ''), ...(a.href ? { href: keep('reference href', a.href) } : {}) });
      } else if (state === S.PACKAGE) {
        if (cur.packages.length >= bounds.packages) throw new MetadataFormatError(`${what()}: more than ${bounds.packages} packages (limit)`);
        if (++total > bounds.packagesTotal) throw new MetadataFormatError(`more than ${bounds.packagesTotal} advisory packages in one repo (limit)`);
        cur.packages.push(packageOf(a, what, keep));
      }
    },
    end(state, text) {
      if (!cur) return;
      if (state === S.ID) cur.id = keep('id', text.trim());
      else if (state === S.TITLE) cur.title = keep('title', text.trim());
      else if (state === S.SEVERITY && text.trim() !== '') cur.severity = keep('severity', text.trim());
      else if (state === S.UPDATE) {
        if (cur.id === '') throw new MetadataFormatError(`${what()}: no <id>`);
        out.push(cur);
        cur = undefined;
      }
    },
  });
  let root: string | undefined;
  const handler: XmlHandler = {
    open(name, attrs) {
      if (root === undefined) {
        root = name;
        if (name !== 'updates') throw new MetadataFormatError(`root element is <${untrusted(name, 60)}>, not <updates>`);
      }
      machine.open(name, attrs);
    },
    close() { machine.close(); },
    text(s) { machine.text(s); },
    get acceptsText() { return machine.acceptsText; },
  };
  return {
    handler,
    finish() {
      if (root === undefined) throw new MetadataFormatError('empty document: no <updates> element');
      return out;
    },
  };
}

function packageOf(a: Record<string, string>, what: () => string, keep: (field: string, s: string) => string): AdvisoryPackage {
  const { name, version, release, arch } = a;
  if (!name || !version || !release || !arch) {
    throw new MetadataFormatError(`${what()}: a <package> without name, version, release or arch (${untrusted(name ?? '', 80)})`);
  }
  const epochText = a.epoch === undefined || a.epoch === '' ? '0' : a.epoch;
  if (!/^\d{1,10}$/.test(epochText) || Number(epochText) > 0x7fffffff) {
    throw new MetadataFormatError(`${what()}: package ${untrusted(name, 80)} has epoch ${untrusted(epochText, 40)}, not a number`);
  }
  return { name: keep('package name', name), epoch: Number(epochText), version: keep('package version', version), release: keep('package release', release), arch: keep('package arch', arch) };
}

/** Read a (compressed) updateinfo.xml file, streaming through `sax`. */
export async function readUpdateinfo(src: ParseSource, bounds?: UpdateinfoBounds): Promise<Advisory[]> {
  const p = updateinfoParser(bounds);
  const maxBytes = openLimit(src.declared ?? {}, UPDATEINFO_MAX_BYTES);
  await parseXmlFile({ maxBytes, ...src, limits: { ...UPDATEINFO_LIMITS, ...src.limits }, tokenizer: 'sax' }, p.handler, 'updateinfo.xml');
  try {
    return p.finish();
  } catch (err) {
    throw metadataError(err, src, 'updateinfo.xml');
  }
}
