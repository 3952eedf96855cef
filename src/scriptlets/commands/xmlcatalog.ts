// xmlcatalog --noout [--create] --add TYPE ORIG REPLACE FILE / --del VALUE FILE on XML catalogs
// (docbook's %post on /etc/xml/catalog and xml-common's catalog), written as libxml2's
// xmlACatalogDump() formats them: an entry of the same type and original is replaced in place,
// others are appended; --del drops entries whose original or replacement equals VALUE.
// SGML catalogs (--sgml) are reported: libxml2 writes their entries in its hash table's order.
import type { CommandCtx } from '../context.js';
import { readText } from '../context.js';

const HEAD = '<?xml version="1.0"?>\n<!DOCTYPE catalog PUBLIC "-//OASIS//DTD Entity Resolution XML Catalog V1.0//EN" "http://www.oasis-open.org/committees/entity/release/1.0/catalog.dtd">\n';
const NS = 'urn:oasis:names:tc:entity:xmlns:xml:catalog';

/** element and attribute names per --add type (libxml2 catalog.c xmlCatalogXMLFiles) */
const TYPES: Record<string, [string, string, string]> = {
  public: ['public', 'publicId', 'uri'],
  system: ['system', 'systemId', 'uri'],
  rewriteSystem: ['rewriteSystem', 'systemIdStartString', 'rewritePrefix'],
  rewriteURI: ['rewriteURI', 'uriStartString', 'rewritePrefix'],
  delegatePublic: ['delegatePublic', 'publicIdStartString', 'catalog'],
  delegateSystem: ['delegateSystem', 'systemIdStartString', 'catalog'],
  delegateURI: ['delegateURI', 'uriStartString', 'catalog'],
  uri: ['uri', 'name', 'uri'],
};

interface Entry { type: string; orig: string; value: string }

function serialize(entries: Entry[]): string {
  if (entries.length === 0) return `${HEAD}<catalog xmlns="${NS}"/>\n`;
  const lines = entries.map((e) => {
    if (e.type === 'nextCatalog') return `  <nextCatalog catalog="${e.value}"/>`;
    const [el, a1, a2] = TYPES[e.type]!;
    return `  <${el} ${a1}="${e.orig}" ${a2}="${e.value}"/>`;
  });
  return `${HEAD}<catalog xmlns="${NS}">\n${lines.join('\n')}\n</catalog>\n`;
}

/** entries of a catalog in exactly the layout serialize() writes; undefined for any other text */
function parse(text: string): Entry[] | undefined {
  if (!text.startsWith(HEAD)) return undefined;
  const body = text.slice(HEAD.length);
  if (body === `<catalog xmlns="${NS}"/>\n`) return [];
  const lines = body.split('\n');
  if (lines[0] !== `<catalog xmlns="${NS}">` || lines[lines.length - 1] !== '' || lines[lines.length - 2] !== '</catalog>') return undefined;
  const entries: Entry[] = [];
  for (const l of lines.slice(1, -2)) {
    const next = /^  <nextCatalog catalog="([^"&<]*)"\/>$/.exec(l);
    if (next) { entries.push({ type: 'nextCatalog', orig: '', value: next[1]! }); continue; }
    const m = /^  <(\w+) (\w+)="([^"&<]*)" (\w+)="([^"&<]*)"\/>$/.exec(l);
    const t = m ? TYPES[m[1]!] : undefined;
    if (!m || !t || t[1] !== m[2] || t[2] !== m[4]) return undefined;
    entries.push({ type: m[1]!, orig: m[3]!, value: m[5]! });
  }
  return entries;
}

export function xmlcatalog(argv: string[], ctx: CommandCtx): number {
  const a = argv.slice(1);
  const flags = new Set(a.filter((x) => x.startsWith('--') && ['--noout', '--create', '--sgml', '--add', '--del', '--no-super-update'].includes(x)));
  const rest = a.filter((x) => !flags.has(x));
  const report = (why: string): number => { ctx.rec.problem(`xmlcatalog ${a.join(' ')}: ${why}`); return 0; };
  if (flags.has('--sgml')) return report('SGML catalogs are written in libxml2\'s hash table order, not reproduced');
  if (!flags.has('--noout') || rest.some((x) => x.startsWith('-') && x.length > 1 && !/^-\/\//.test(x))) return report('only --noout --add/--del are emulated');
  const fs = ctx.env.fs;
  const file = rest[rest.length - 1];
  if (file === undefined || !file.startsWith('/')) return report('no absolute catalog path');
  const text = readText(fs, file);
  let entries: Entry[] | undefined;
  if (text === undefined) {
    if (fs.lstat(file)) return report(`${file} is not a regular file`);
    if (!flags.has('--create')) return report(`${file} does not exist (libxml2 leaves it empty and fails)`);
    entries = [];
  } else {
    entries = parse(text);
    if (entries === undefined) return report(`${file} is not in the layout xmlcatalog writes; rewriting it is not reproduced`);
  }
  const args = rest.slice(0, -1);
  if (flags.has('--add')) {
    const [type, orig, value] = args;
    if (args.length !== 3 && !(type === 'nextCatalog' && args.length === 2)) return report('--add takes TYPE ORIG REPLACE');
    if (type === undefined || orig === undefined) return report('--add takes TYPE ORIG REPLACE');
    if (type !== 'nextCatalog' && !TYPES[type]) return report(`entry type ${type}`);
    if ([orig, value ?? ''].some((v) => /["&<>\n\t\r]/.test(v))) return report('values needing XML escapes');
    const e: Entry = type === 'nextCatalog' ? { type, orig: '', value: orig } : { type, orig, value: value! };
    const at = entries.findIndex((x) => x.type === e.type && (type === 'nextCatalog' ? x.value === e.value : x.orig === e.orig));
    if (at >= 0) entries[at] = e;
    else entries.push(e);
    ctx.rec.act(`xmlcatalog ${file}: ${type} ${orig}`);
  } else if (flags.has('--del')) {
    if (args.length !== 1) return report('--del takes VALUE');
    const v = args[0]!;
    entries = entries.filter((x) => x.orig !== v && x.value !== v);
    ctx.rec.act(`xmlcatalog ${file}: removed ${v}`);
  } else if (text !== undefined || !flags.has('--create')) return report('only --add and --del are emulated');
  const out = serialize(entries);
  if (out !== text) fs.writeFile(file, out, text === undefined ? { mode: 0o644, user: 'root', group: 'root' } : {});
  return 0;
}
