// repodata/repomd.xml: small, read into a tiny element tree with our own tokenizer (xml2js
// costs ~70 ms to import, paid on every run since repomd.xml is always re-read).
import { RfsError, untrusted } from '../errors/index.js';
import type { Checksum } from '../types/index.js';
import { checksumType } from '../util/checksum.js';
import { digestProblem, hrefProblem } from '../util/href.js';
import { XmlTokenizer, type XmlLimits } from './xml.js';

/** repomd.xml is tiny and shallow (real ones: depth 3, < 100 elements, values < 200 chars). */
export const REPOMD_LIMITS: Partial<XmlLimits> = {
  maxDepth: 16, maxAttrValue: 16 * 1024, maxText: 64 * 1024, maxMarkup: 64 * 1024, maxElements: 100_000,
};

export interface RepomdRecord {
  type: string;
  location: string;
  locationBase?: string;
  checksum: Checksum;
  openChecksum?: Checksum;
  size?: number;
  openSize?: number;
}

export interface Repomd { revision: string; records: Map<string, RepomdRecord> }

interface El { name: string; attrs: Record<string, string>; text: string; children: El[] }

/** The document as elements, namespace prefixes dropped from element names (as `repo:revision`). */
function elements(xml: string): El {
  const root: El = { name: '', attrs: {}, text: '', children: [] };
  const stack: El[] = [root];
  const tok = new XmlTokenizer({
    open(name, attrs) {
      const el: El = { name: name.replace(/^.*:/, ''), attrs, text: '', children: [] };
      stack[stack.length - 1]!.children.push(el);
      stack.push(el);
    },
    close() { stack.pop(); },
    text(t) { stack[stack.length - 1]!.text += t; },
  }, REPOMD_LIMITS);
  tok.write(xml);
  tok.end();
  return root;
}

const child = (e: El | undefined, name: string): El | undefined => e?.children.find((c) => c.name === name);
const text = (e: El | undefined): string => (e?.text ?? '').trim();

export async function parseRepomd(xml: string, src: { url: string; repo: string }): Promise<Repomd> {
  const bad = (why: string, cause?: unknown): RfsError => new RfsError('RFS_METADATA_MALFORMED', `parsing repomd.xml of repo ${src.repo}: ${why}`, {
    subject: src.url, ...(cause ? { cause } : {}), hint: 'is the URL a yum repository (it should contain repodata/repomd.xml)?',
  });
  // a well-formed repomd.xml declaring something no repository may (a path for a digest, a file: href)
  const refused = (why: string): RfsError => new RfsError('RFS_METADATA_MALFORMED', `parsing repomd.xml of repo ${src.repo}: ${why}`, {
    subject: src.url, hint: 'the mirror serves repodata no repository may declare; try another mirror',
  });
  let doc: El;
  try {
    doc = elements(xml);
  } catch (cause) {
    throw bad(cause instanceof Error ? cause.message.split('\n')[0] ?? 'invalid XML' : 'invalid XML', cause);
  }
  const root = child(doc, 'repomd');
  if (!root) throw bad('no <repomd> element');
  const records = new Map<string, RepomdRecord>();
  /** A declared digest, validated: known type, hex of exactly its length. */
  const digest = (type: string, el: El, what: string): Checksum => {
    const t = checksumType(el.attrs.type ?? '');
    if (!t) throw refused(`${type}: unknown ${what} type ${untrusted(el.attrs.type ?? '(none)', 40)}`);
    const v = text(el);
    const why = digestProblem(t, v);
    if (why) throw refused(`${type}: ${what} ${untrusted(v, 80)}: ${why}`);
    return { type: t, value: v.toLowerCase() };
  };
  const count = (type: string, el: El | undefined, what: string): number | undefined => {
    if (!el) return undefined;
    const v = text(el);
    const n = Number(v);
    if (!/^\d{1,16}$/.test(v) || !Number.isSafeInteger(n)) throw refused(`${type}: ${what} ${untrusted(v, 40)} is not a byte count`);
    return n;
  };
  for (const d of root.children) {
    if (d.name !== 'data') continue;
    const type = d.attrs.type;
    const loc = child(d, 'location');
    const href = loc?.attrs.href;
    const cs = child(d, 'checksum');
    if (!type || !href || !loc) throw bad(`a <data> entry lacks type or location`);
    // the type names cache files (see load.ts): a plain word only
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(type)) throw refused(`data type ${untrusted(type, 64)} is not a plain name`);
    if (!cs) throw bad(`${type}: missing checksum`);
    const hrefWhy = hrefProblem(href);
    if (hrefWhy) throw refused(`${type}: location ${untrusted(href)}: ${hrefWhy}`);
    const rec: RepomdRecord = { type, location: href, checksum: digest(type, cs, 'checksum') };
    // checked against the repo's origins by the loader, which knows them
    const base = loc.attrs['xml:base']; if (base) rec.locationBase = base;
    const ocs = child(d, 'open-checksum');
    if (ocs) rec.openChecksum = digest(type, ocs, 'open-checksum');
    const size = count(type, child(d, 'size'), 'size'); if (size !== undefined && size > 0) rec.size = size;
    const osz = count(type, child(d, 'open-size'), 'open-size'); if (osz !== undefined) rec.openSize = osz;
    records.set(type, rec);
  }
  return { revision: text(child(root, 'revision')), records };
}

/** The record to use for a kind of metadata: plain XML over sqlite, zchunk skipped. */
export function pickRecord(md: Repomd, kind: 'primary' | 'filelists' | 'other' | 'group' | 'modules' | 'updateinfo'): RepomdRecord | undefined {
  if (kind === 'group') return md.records.get('group_gz') ?? md.records.get('group') ?? md.records.get('group_xz') ?? md.records.get('group_zst');
  return md.records.get(kind);
}
