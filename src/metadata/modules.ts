// modules.yaml (modulemd v2/v3 streams and modulemd-defaults): what dnf needs to filter.
import { parseAllDocuments } from 'yaml';
import { RfsError } from '../errors/index.js';
import type { ModuleDefaults, ModuleStream } from '../types/index.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

export function parseModules(text: string, src: { url: string; repo: string }): { streams: ModuleStream[]; defaults: ModuleDefaults[] } {
  const streams: ModuleStream[] = [];
  const defaults: ModuleDefaults[] = [];
  let docs;
  try {
    docs = parseAllDocuments(text);
  } catch (cause) {
    throw new RfsError('RFS_METADATA_MALFORMED', `parsing modules.yaml of repo ${src.repo}: ${cause instanceof Error ? cause.message : String(cause)}`, { subject: src.url, cause });
  }
  for (const d of Array.isArray(docs) ? docs : [docs]) {
    if (d.errors.length) {
      throw new RfsError('RFS_METADATA_MALFORMED', `parsing modules.yaml of repo ${src.repo}: ${d.errors[0]?.message ?? 'invalid YAML'}`, { subject: src.url });
    }
    const v: unknown = d.toJS();
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
  return { streams, defaults };
}
