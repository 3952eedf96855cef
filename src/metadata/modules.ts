// modules.yaml (modulemd v2/v3 streams and modulemd-defaults): what dnf needs to filter.
import { Composer, Parser } from 'yaml';
import { RfsError, untrusted } from '../errors/index.js';
import type { ModuleDefaults, ModuleStream } from '../types/index.js';
import { MODULES_MAX_ALIASES, MODULES_MAX_DOCUMENTS } from './limits.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

export function parseModules(text: string, src: { url: string; repo: string }): { streams: ModuleStream[]; defaults: ModuleDefaults[] } {
  const streams: ModuleStream[] = [];
  const defaults: ModuleDefaults[] = [];
  const bad = (reason: string, cause?: unknown): RfsError =>
    new RfsError('RFS_METADATA_MALFORMED', `parsing modules.yaml of repo ${src.repo}: ${untrusted(reason, 200)}`, { subject: src.url, ...(cause !== undefined ? { cause } : {}) });
  let count = 0;
  try {
    // One document at a time: parseAllDocuments keeps every document's node tree (200k tiny
    // documents in 10 MB took 530 MB); this keeps only what we extract.
    for (const d of new Composer().compose(new Parser().parse(text))) {
      if (++count > MODULES_MAX_DOCUMENTS) throw bad(`more than ${MODULES_MAX_DOCUMENTS} documents`);
      if (d.errors.length) throw bad(d.errors[0]?.message ?? 'invalid YAML');
      // alias bombs ("billion laughs") throw here; libmodulemd never writes aliases
      const v: unknown = d.toJS({ maxAliasCount: MODULES_MAX_ALIASES });
      if (!isObj(v) || !isObj(v.data)) continue;
      const data = v.data;
      if (v.document === 'modulemd' || v.document === 'modulemd-packager') {
        const rpms = isObj(data.artifacts) && Array.isArray(data.artifacts.rpms) ? data.artifacts.rpms.map(str).filter(Boolean) : [];
        streams.push({ name: str(data.name), stream: str(data.stream), version: str(data.version), context: str(data.context), arch: str(data.arch), artifacts: rpms });
      } else if (v.document === 'modulemd-defaults') {
        const profiles: Record<string, string[]> = {};
        if (isObj(data.profiles)) {
          for (const [k, p] of Object.entries(data.profiles)) profiles[k] = Array.isArray(p) ? p.map(str) : [];
        }
        defaults.push({ name: str(data.module), stream: str(data.stream), profiles });
      }
    }
  } catch (cause) {
    if (cause instanceof RfsError) throw cause;
    // the yaml package's own limits (ReferenceError for aliases) and a stack overflow on deep nesting
    throw bad(cause instanceof Error ? cause.message : String(cause), cause);
  }
  return { streams, defaults };
}
