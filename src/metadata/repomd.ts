// repodata/repomd.xml: small, read into a tiny element tree with our own tokenizer (xml2js
// costs ~70 ms to import, paid on every run since repomd.xml is always re-read).
import { RfsError } from '../errors/index.js';
import type { Checksum } from '../types/index.js';
import { checksumType } from '../util/checksum.js';
import { XmlTokenizer } from './xml.js';

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
  });
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
  let doc: El;
  try {
    doc = elements(xml);
  } catch (cause) {
    throw bad(cause instanceof Error ? cause.message.split('\n')[0] ?? 'invalid XML' : 'invalid XML', cause);
  }
  const root = child(doc, 'repomd');
  if (!root) throw bad('no <repomd> element');
  const records = new Map<string, RepomdRecord>();
  for (const d of root.children) {
    if (d.name !== 'data') continue;
    const type = d.attrs.type;
    const loc = child(d, 'location');
    const href = loc?.attrs.href;
    const cs = child(d, 'checksum');
    const ct = checksumType(cs?.attrs.type ?? '');
    const cv = text(cs).toLowerCase();
    if (!type || !href) throw bad(`a <data> entry lacks type or location`);
    if (!ct || !/^[0-9a-f]+$/.test(cv)) throw bad(`${type}: missing or unknown checksum`);
    const rec: RepomdRecord = { type, location: href, checksum: { type: ct, value: cv } };
    const base = loc.attrs['xml:base']; if (base) rec.locationBase = base;
    const ocs = child(d, 'open-checksum');
    const oct = checksumType(ocs?.attrs.type ?? '');
    if (oct && text(ocs)) rec.openChecksum = { type: oct, value: text(ocs).toLowerCase() };
    const size = Number(text(child(d, 'size'))); if (Number.isFinite(size) && size > 0) rec.size = size;
    const osz = Number(text(child(d, 'open-size'))); if (Number.isFinite(osz) && osz > 0) rec.openSize = osz;
    records.set(type, rec);
  }
  return { revision: text(child(root, 'revision')), records };
}

/** The record to use for a kind of metadata: plain XML over sqlite, zchunk skipped. */
export function pickRecord(md: Repomd, kind: 'primary' | 'filelists' | 'other' | 'group' | 'modules'): RepomdRecord | undefined {
  if (kind === 'group') return md.records.get('group_gz') ?? md.records.get('group') ?? md.records.get('group_xz') ?? md.records.get('group_zst');
  return md.records.get(kind);
}
