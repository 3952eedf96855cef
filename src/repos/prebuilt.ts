// repos/definitions.json: each definition file's parsed YAML, keyed by path and by the sha256 of
// its text. Loading yaml and parsing the files costs ~80 ms of a small build's start-up; a file
// whose text no longer matches its entry (edited, or not listed) is parsed from YAML as before.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { join, relative } from 'node:path';
import { yaml } from '../util/yaml.js';

export const PREBUILT_FILE = 'definitions.json';

interface Entry { sha256: string; doc: unknown }

export function yamlFiles(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((n) => {
    const p = join(dir, n);
    if (n === 'keys') return [];
    return statSync(p).isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(n) ? [p] : [];
  });
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The prebuilt entries of a definitions folder; none when it has no (readable) definitions.json. */
export function readPrebuilt(reposDir: string): Map<string, Entry> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(join(reposDir, PREBUILT_FILE), 'utf8'));
  } catch {
    return new Map();
  }
  const files = (raw as { files?: unknown }).files;
  if (typeof files !== 'object' || files === null) return new Map();
  return new Map(Object.entries(files).filter((e): e is [string, Entry] => typeof (e[1] as Partial<Entry> | null)?.sha256 === 'string'));
}

/** A definition file's document: the prebuilt one when its text matches, else parsed (which may throw). */
export function definitionDoc(text: string, rel: string, prebuilt: ReadonlyMap<string, Entry>): unknown {
  const hit = prebuilt.get(rel);
  return hit !== undefined && hit.sha256 === sha256(text) ? hit.doc : yaml().parse(text);
}

/** definitions.json for a folder (npm run definitions): files whose document JSON keeps exactly. */
export function buildPrebuilt(reposDir: string): string {
  const files: Record<string, Entry> = {};
  for (const f of yamlFiles(reposDir)) {
    const text = readFileSync(f, 'utf8');
    const doc: unknown = yaml().parse(text);
    if (isDeepStrictEqual(JSON.parse(JSON.stringify(doc)), doc)) files[relative(reposDir, f).split(/[\\/]/).join('/')] = { sha256: sha256(text), doc };
  }
  return `${JSON.stringify({ files }, null, 1)}\n`;
}
