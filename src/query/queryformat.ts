// dnf repoquery's --queryformat: %{tag} and %[-]N{tag} (dnf pads %N{..} left-aligned and
// %-N{..} right-aligned, the reverse of printf), \n and \t, list tags as sorted lines.
import { RfsError, untrusted } from '../errors/index.js';
import { compareStrings } from '../util/compare.js';
import { didYouMean } from '../util/suggest.js';
import { DEP_KINDS, type QueryPackage } from './options.js';

export const DEFAULT_QUERYFORMAT = '%{name}-%{epoch}:%{version}-%{release}.%{arch}';

const time = (t: number): string => (t > 0 ? new Date(t * 1000).toISOString().slice(0, 16).replace('T', ' ') : '');
const evr = (p: QueryPackage): string => `${p.epoch ? `${p.epoch}:` : ''}${p.version}-${p.release}`;
/** `bash-5.2-1.el9.src.rpm` -> `bash` (hawkey's source_name) */
const sourceName = (p: QueryPackage): string => /^(.+)-[^-]+-[^-]+\.(?:no)?src\.rpm$/.exec(p.sourcerpm)?.[1] ?? '(none)';

/** The tags dnf 4 knows that our metadata carries, and what each prints. */
const TAGS: Record<string, (p: QueryPackage) => string> = {
  name: (p) => p.name, arch: (p) => p.arch, epoch: (p) => String(p.epoch), version: (p) => p.version, release: (p) => p.release,
  evr, nevra: (p) => p.nevra, reponame: (p) => p.repo, repoid: (p) => p.repo, from_repo: () => '',
  summary: (p) => p.summary, license: (p) => p.license, vendor: (p) => p.vendor || '(none)', group: (p) => p.group || '(none)',
  sourcerpm: (p) => p.sourcerpm || '(none)', source_name: sourceName, location: (p) => p.location,
  buildtime: (p) => time(p.buildtime), installtime: () => '', reason: () => '(none)',
  size: (p) => String(p.downloadSize), downloadsize: (p) => String(p.downloadSize), installsize: (p) => String(p.installedSize),
  ...Object.fromEntries(DEP_KINDS.map((k) => [k, (p: QueryPackage): string => [...new Set(p[k])].sort(compareStrings).join('\n')])),
};

/** dnf tags this tool cannot answer: the metadata it reads leaves them out */
const NOT_LOADED = new Set(['url', 'description', 'packager', 'debug_name', 'source_debug_name', 'files']);

type Piece = string | { tag: (p: QueryPackage) => string; width: number; right: boolean };

/**
 * A checked --queryformat: an unknown tag is RFS_USAGE naming it and the nearest known tag.
 * `escape` is applied to each value (each line of a list tag), not to the format's own text.
 */
export function compileQueryFormat(qf: string, escape: (s: string) => string = (s) => s): (p: QueryPackage) => string {
  const text = qf.replace(/\\n/g, '\n').replace(/\\t/g, '\t');
  const pieces: Piece[] = [];
  let pos = 0;
  for (const m of text.matchAll(/%(-?\d*?)\{([:.\w]+?)\}/g)) {
    pieces.push(text.slice(pos, m.index));
    const name = m[2]!.toLowerCase();
    const tag = TAGS[name];
    if (!tag) throw unknownTag(m[2]!, name);
    const fill = m[1] ?? '';
    pieces.push({ tag, width: Number(fill.replace('-', '')) || 0, right: fill.startsWith('-') });
    pos = m.index + m[0].length;
  }
  pieces.push(text.slice(pos));
  const value = (x: Exclude<Piece, string>, p: QueryPackage): string => x.tag(p).split('\n').map(escape).join('\n');
  return (p) => pieces.map((x) => (typeof x === 'string' ? x : pad(value(x, p), x.width, x.right))).join('');
}

function pad(s: string, width: number, right: boolean): string {
  return right ? s.padStart(width) : s.padEnd(width);
}

function unknownTag(typed: string, name: string): RfsError {
  const shown = untrusted(typed, 40);
  if (NOT_LOADED.has(name)) {
    return new RfsError('RFS_USAGE', `repoquery: --queryformat tag %{${shown}} is not available`, {
      subject: `%{${shown}}`, hint: 'the repo metadata this tool reads (primary.xml) is loaded without it; --querytags lists the tags',
    });
  }
  const near = didYouMean(name, Object.keys(TAGS));
  return new RfsError('RFS_USAGE', `repoquery: unknown --queryformat tag %{${shown}}`, {
    subject: `%{${shown}}`, hint: `${near ? `${near} ` : ''}(--querytags lists the tags)`,
  });
}

export const QUERY_TAGS = Object.keys(TAGS);
