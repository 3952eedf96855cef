// Repo options shared by the assemble, resolve and list commands (node:util parseArgs shape).
import type { ParseArgsConfig } from 'node:util';
import { RfsError } from '../errors/index.js';
import { knownDistroTag } from '../repos/load.js';
import type { RepoOptions } from '../repos/index.js';
import { splitList } from './args.js';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** Merge these into a command's own parseArgs options. */
export const REPO_ARG_OPTIONS = {
  mirror: { type: 'string' },
  repofrompath: { type: 'string', multiple: true },
  'repo-file': { type: 'string', multiple: true },
  releasever: { type: 'string' },
  arch: { type: 'string' },
  enablerepo: { type: 'string', multiple: true },
  disablerepo: { type: 'string', multiple: true },
} as const satisfies OptionsConfig;

/** RepoOptions from parseArgs values parsed with REPO_ARG_OPTIONS merged in (flat: spreads into AssembleOptions). */
export function repoOptionsFromValues(values: Record<string, unknown>): RepoOptions {
  const str = (k: string): string | undefined => { const v = values[k]; return typeof v === 'string' ? v : undefined; };
  const strs = (k: string): string[] | undefined => {
    const v = values[k];
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : undefined;
  };
  const repoOptions: RepoOptions = {};
  const mirror = str('mirror'); if (mirror) repoOptions.mirror = mirror;
  const rfp = strs('repofrompath');
  if (rfp) {
    repoOptions.repofrompath = rfp.map((v) => {
      const i = v.indexOf(',');
      if (i <= 0 || i === v.length - 1) {
        throw new RfsError('RFS_USAGE', `reading --repofrompath ${v}: expected ID,URL`, { subject: v, hint: 'e.g. --repofrompath local,file:///srv/repo' });
      }
      return [v.slice(0, i), v.slice(i + 1)] as [string, string];
    });
  }
  const rf = strs('repo-file'); if (rf) repoOptions.repoFiles = rf;
  const en = splitList(strs('enablerepo')); if (en.length) repoOptions.enablerepo = en;
  const dis = splitList(strs('disablerepo')); if (dis.length) repoOptions.disablerepo = dis;
  const arch = str('arch'); if (arch) repoOptions.arch = arch;
  const releasever = str('releasever'); if (releasever) repoOptions.releasever = releasever;
  return repoOptions;
}

/** `centos:7`, `centos-stream:9`, not `nginx-1:1.20.1-14.el9` (name-epoch:version-release). */
const TAG_SHAPE = /^[a-z][a-z0-9._-]*:[a-z0-9._-]+$/i;
const EPOCH_NEVRA = /-\d+:[^:]+-[^-:]+$/;

/**
 * dnf's reading of positionals: the first is a distro ref only when it names a definition
 * (case-insensitive); all others are package specs. A first token shaped like a tag that names
 * nothing is an unknown distro (with suggestions) unless repos were given without a distro,
 * then it is a package spec as dnf would take it.
 */
export function splitDistroRef(positionals: readonly string[], repoOptions: RepoOptions, reposDir?: string): { distro?: string; packages: string[] } {
  const [first, ...rest] = positionals;
  if (first === undefined) return { packages: [] };
  if (first.includes(':')) {
    const tag = knownDistroTag(first, reposDir);
    if (tag) return { distro: tag, packages: rest };
    const ownRepos = !!(repoOptions.repofrompath?.length || repoOptions.repoFiles?.length);
    // loadDistro explains an unknown tag with the nearest known ones
    if (TAG_SHAPE.test(first) && !EPOCH_NEVRA.test(first) && !ownRepos) return { distro: first, packages: rest };
  }
  return { packages: [...positionals] };
}
