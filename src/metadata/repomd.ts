// repodata/repomd.xml: small, so a DOM (xml2js) is fine here.
import { parseStringPromise } from 'xml2js';
import { RfsError } from '../errors/index.js';
import type { Checksum } from '../types/index.js';
import { checksumType } from '../util/checksum.js';

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

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
const first = (n: Node, k: string): unknown => arr(n[k])[0];
const text = (v: unknown): string => (typeof v === 'string' ? v : isNode(v) && typeof v._ === 'string' ? v._ : '').trim();
const attr = (v: unknown, k: string): string | undefined => {
  if (!isNode(v) || !isNode(v.$)) return undefined;
  const a = v.$[k];
  return typeof a === 'string' ? a : undefined;
};

export async function parseRepomd(xml: string, src: { url: string; repo: string }): Promise<Repomd> {
  const bad = (why: string, cause?: unknown): RfsError => new RfsError('RFS_METADATA_MALFORMED', `parsing repomd.xml of repo ${src.repo}: ${why}`, {
    subject: src.url, ...(cause ? { cause } : {}), hint: 'is the URL a yum repository (it should contain repodata/repomd.xml)?',
  });
  let doc: unknown;
  try {
    doc = await parseStringPromise(xml, { explicitArray: true, tagNameProcessors: [(n: string) => n.replace(/^.*:/, '')] });
  } catch (cause) {
    throw bad(cause instanceof Error ? cause.message.split('\n')[0] ?? 'invalid XML' : 'invalid XML', cause);
  }
  const root = isNode(doc) ? doc.repomd : undefined;
  if (!isNode(root)) throw bad('no <repomd> element');
  const records = new Map<string, RepomdRecord>();
  for (const d of arr(root.data)) {
    if (!isNode(d)) continue;
    const type = attr(d, 'type');
    const loc = first(d, 'location');
    const href = attr(loc, 'href');
    const cs = first(d, 'checksum');
    const ct = checksumType(attr(cs, 'type') ?? '');
    const cv = text(cs).toLowerCase();
    if (!type || !href) throw bad(`a <data> entry lacks type or location`);
    if (!ct || !/^[0-9a-f]+$/.test(cv)) throw bad(`${type}: missing or unknown checksum`);
    const rec: RepomdRecord = { type, location: href, checksum: { type: ct, value: cv } };
    const base = attr(loc, 'xml:base'); if (base) rec.locationBase = base;
    const ocs = first(d, 'open-checksum');
    const oct = checksumType(attr(ocs, 'type') ?? '');
    if (oct && text(ocs)) rec.openChecksum = { type: oct, value: text(ocs).toLowerCase() };
    const size = Number(text(first(d, 'size'))); if (Number.isFinite(size) && size > 0) rec.size = size;
    const osz = Number(text(first(d, 'open-size'))); if (Number.isFinite(osz) && osz > 0) rec.openSize = osz;
    records.set(type, rec);
  }
  return { revision: text(first(root, 'revision')), records };
}

/** The record to use for a kind of metadata: plain XML over sqlite, zchunk skipped. */
export function pickRecord(md: Repomd, kind: 'primary' | 'filelists' | 'other' | 'group' | 'modules'): RepomdRecord | undefined {
  if (kind === 'group') return md.records.get('group_gz') ?? md.records.get('group') ?? md.records.get('group_xz') ?? md.records.get('group_zst');
  return md.records.get(kind);
}
