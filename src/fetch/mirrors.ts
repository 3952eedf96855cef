// mirrorlist (plain list of base URLs) and metalink (XML with repomd.xml URLs and checksums).
import { RfsError, untrusted } from '../errors/index.js';
import type { Checksum, EventSink, RepoConfig } from '../types/index.js';
import { checksumType } from '../util/checksum.js';

export interface MirrorSet {
  /** base URLs (ending in /) in the order to try */
  baseUrls: string[];
  /** acceptable checksums of repomd.xml, from a metalink; empty when unknown */
  repomdChecksums: Checksum[];
}

type Node = Record<string, unknown>;
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string => (typeof v === 'string' ? v : isNode(v) && typeof v._ === 'string' ? v._ : '').trim();
const attr = (v: unknown, k: string): string | undefined => {
  if (!isNode(v) || !isNode(v.$)) return undefined;
  const a = v.$[k];
  return typeof a === 'string' ? a : undefined;
};

const withSlash = (u: string): string => (u.endsWith('/') ? u : `${u}/`);

export function parseMirrorlist(body: string): string[] {
  return body.split(/\r?\n/).map((l) => l.trim()).filter((l) => /^(https?|ftp|file):\/\//i.test(l)).map(withSlash);
}

/** Metalink 3.0 (as MirrorManager serves it): base URLs by preference, repomd.xml hashes. */
/** elements in a metalink: MirrorManager's list a few hundred; xml2js holds each as objects (~400 B) */
export const METALINK_MAX_ELEMENTS = 50_000;

export async function parseMetalink(body: string, source: string): Promise<MirrorSet> {
  let doc: unknown;
  // xml2js builds the whole tree with no bounds of its own: count the tags before handing it over
  let tags = 0;
  for (let i = body.indexOf('<'); i !== -1; i = body.indexOf('<', i + 1)) {
    if (++tags > METALINK_MAX_ELEMENTS * 2) {
      throw new RfsError('RFS_METADATA_MALFORMED', `parsing metalink ${source}: more than ${METALINK_MAX_ELEMENTS} elements`, {
        subject: source, hint: 'a real metalink lists a few hundred mirrors; this one is refused as hostile',
      });
    }
  }
  try {
    // xml2js is imported here, not at the top: a run without metalinks need not load it
    const { parseStringPromise } = await import('xml2js');
    doc = await parseStringPromise(body, { explicitArray: true, tagNameProcessors: [(n: string) => n.replace(/^.*:/, '')] });
  } catch (cause) {
    throw new RfsError('RFS_METADATA_MALFORMED', `parsing metalink ${source}: ${untrusted(cause instanceof Error ? cause.message : String(cause), 200)}`, { subject: source, cause });
  }
  const root = isNode(doc) ? doc.metalink : undefined;
  const files = arr(isNode(root) ? root.files : undefined).flatMap((f) => arr(isNode(f) ? f.file : undefined));
  const file = files.find((f) => attr(f, 'name') === 'repomd.xml');
  if (!isNode(file)) throw new RfsError('RFS_METADATA_MALFORMED', `parsing metalink ${source}: no repomd.xml entry`, { subject: source });
  const sums: Checksum[] = [];
  const addHashes = (holder: unknown): void => {
    for (const v of arr(isNode(holder) ? holder.verification : undefined)) {
      for (const h of arr(isNode(v) ? v.hash : undefined)) {
        const t = checksumType(attr(h, 'type') ?? '');
        const value = text(h).toLowerCase();
        if (t && /^[0-9a-f]+$/.test(value)) sums.push({ type: t, value });
      }
    }
  };
  addHashes(file);
  for (const alts of arr(file.alternates)) for (const alt of arr(isNode(alts) ? alts.alternate : undefined)) addHashes(alt);
  const urls: { url: string; pref: number }[] = [];
  for (const res of arr(file.resources)) {
    for (const u of arr(isNode(res) ? res.url : undefined)) {
      const href = text(u);
      const proto = (attr(u, 'protocol') ?? href.split(':')[0] ?? '').toLowerCase();
      if (!/^(https?|file)$/.test(proto) || !href.endsWith('repodata/repomd.xml')) continue;
      urls.push({ url: href.slice(0, -'repodata/repomd.xml'.length), pref: Number(attr(u, 'preference') ?? 0) });
    }
  }
  urls.sort((a, b) => b.pref - a.pref);
  return { baseUrls: urls.map((u) => u.url), repomdChecksums: sums };
}

export async function resolveMirrors(repo: RepoConfig, get: (url: string) => Promise<Uint8Array>, onEvent?: EventSink): Promise<MirrorSet> {
  const base = (repo.baseurl ?? []).map(withSlash);
  const list = repo.metalink ?? repo.mirrorlist;
  if (!list) return { baseUrls: base, repomdChecksums: [] };
  try {
    const body = Buffer.from(await get(list)).toString('utf8');
    const set = /^\s*<\?xml|<metalink/.test(body.slice(0, 400)) ? await parseMetalink(body, list) : { baseUrls: parseMirrorlist(body), repomdChecksums: [] };
    // a list served over the network may not send us to local files (or any other scheme)
    const remote = /^https?:/i.test(list);
    const listed = remote ? set.baseUrls.filter((u) => /^https?:\/\//i.test(u)) : set.baseUrls;
    if (listed.length < set.baseUrls.length) {
      onEvent?.({ kind: 'warning', code: 'RFS_W_MIRROR', message: `mirror list of ${repo.id}: ignored ${set.baseUrls.length - listed.length} non-http(s) mirror(s)`, subject: list });
    }
    const urls = [...new Set([...base, ...listed])];
    if (urls.length === 0) throw new RfsError('RFS_NO_MIRROR', `reading mirror list of ${repo.id}: no usable mirrors`, { subject: list });
    // With an explicit baseurl, a metalink's checksums describe other mirrors' repomd: only trust them alone.
    return { baseUrls: urls, repomdChecksums: base.length ? [] : set.repomdChecksums };
  } catch (err) {
    if (base.length === 0) throw err;
    onEvent?.({ kind: 'warning', code: err instanceof RfsError ? err.code : 'RFS_FETCH_FAILED', message: `mirror list of ${repo.id} unusable, using baseurl`, subject: list });
    return { baseUrls: base, repomdChecksums: [] };
  }
}
