// comps.xml groups (@core, @base) and environments (@^minimal-environment): small enough for xml2js.
import { parseStringPromise } from 'xml2js';
import { RfsError } from '../errors/index.js';
import type { CompsEnvironment, CompsGroup } from '../types/index.js';
import { COMPS_LIMITS } from './limits.js';
import { XmlTokenizer } from './xml.js';

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
const text = (v: unknown): string => (typeof v === 'string' ? v : isNode(v) && typeof v._ === 'string' ? v._ : '').trim();
const attr = (v: unknown, k: string): string | undefined => {
  if (!isNode(v) || !isNode(v.$)) return undefined;
  const a = v.$[k];
  return typeof a === 'string' ? a : undefined;
};

export interface Comps { groups: CompsGroup[]; environments: CompsEnvironment[] }

export async function parseComps(xml: string, src: { url: string; repo: string }): Promise<CompsGroup[]> {
  return (await parseCompsAll(xml, src)).groups;
}

/** The untranslated name is the one without xml:lang. */
function untranslated(el: Node, fallback: string): string {
  const names = arr(el.name);
  return text(names.find((n) => attr(n, 'xml:lang') === undefined) ?? names[0]) || fallback;
}

const groupIds = (list: unknown): string[] => arr(isNode(list) ? list.groupid : undefined).map(text).filter((id) => id !== '');

export async function parseCompsAll(xml: string, src: { url: string; repo: string }): Promise<Comps> {
  let doc: unknown;
  try {
    // xml2js builds the whole tree with no bounds of its own: the bounded tokenizer vets the text first
    const vet = new XmlTokenizer({ open() { /* only the bounds matter */ }, close() { /* */ }, text() { /* */ }, acceptsText: false }, COMPS_LIMITS);
    vet.write(xml);
    vet.end();
  } catch (cause) {
    throw new RfsError('RFS_METADATA_MALFORMED', `parsing comps of repo ${src.repo}: ${cause instanceof Error ? cause.message : 'invalid XML'}`, { subject: src.url, cause });
  }
  try {
    doc = await parseStringPromise(xml, { explicitArray: true, strict: true });
  } catch (cause) {
    throw new RfsError('RFS_METADATA_MALFORMED', `parsing comps of repo ${src.repo}: ${cause instanceof Error ? cause.message.split('\n')[0] ?? '' : String(cause)}`, { subject: src.url, cause });
  }
  const root = isNode(doc) ? doc.comps : undefined;
  if (!isNode(root)) return { groups: [], environments: [] };
  const groups: CompsGroup[] = [];
  for (const g of arr(root.group)) {
    if (!isNode(g)) continue;
    const id = text(arr(g.id)[0]);
    if (!id) continue;
    const name = untranslated(g, id);
    const grp: CompsGroup = { id, name, mandatory: [], default: [], optional: [], conditional: [] };
    const lang = text(arr(g.langonly)[0]);
    if (lang) grp.langonly = lang;
    for (const pl of arr(g.packagelist)) {
      for (const req of arr(isNode(pl) ? pl.packagereq : undefined)) {
        const pkg = text(req);
        if (!pkg) continue;
        const type = attr(req, 'type') ?? 'mandatory';
        if (type === 'conditional') grp.conditional.push({ name: pkg, requires: attr(req, 'requires') ?? '' });
        else if (type === 'default') grp.default.push(pkg);
        else if (type === 'optional') grp.optional.push(pkg);
        else grp.mandatory.push(pkg);
      }
    }
    groups.push(grp);
  }
  const environments: CompsEnvironment[] = [];
  for (const e of arr(root.environment)) {
    if (!isNode(e)) continue;
    const id = text(arr(e.id)[0]);
    if (!id) continue;
    environments.push({
      id, name: untranslated(e, id),
      groups: arr(e.grouplist).flatMap(groupIds), options: arr(e.optionlist).flatMap(groupIds),
    });
  }
  return { groups, environments };
}
