// Repo options shared by the assemble, resolve and list commands (node:util parseArgs shape).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { RfsError } from '../errors/index.js';
import type { RepoOptions } from '../repos/index.js';

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

export interface ParsedRepoArgs {
  /** first positional that looks like distro:release */
  distroTag?: string;
  repoOptions: RepoOptions;
  arch?: string;
  releasever?: string;
  /** argv without the repo options and the distro tag, in the original order */
  rest: string[];
}

const TAG_RE = /^[a-z0-9][a-z0-9._-]*:[A-Za-z0-9._-]+$/;

/** dnf accepts comma-separated lists in --enablerepo/--disablerepo too. */
function splitList(vs: readonly string[] | undefined): string[] {
  return (vs ?? []).flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
}

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

/**
 * Pull the repo options out of argv. `extra` are the caller's own option definitions so their
 * values are not mistaken for positionals; those options stay in `rest`.
 */
export function parseRepoArgs(argv: string[], extra: OptionsConfig = {}): ParsedRepoArgs {
  const { values, tokens } = parseArgs({
    args: argv, options: { ...extra, ...REPO_ARG_OPTIONS }, strict: false, allowPositionals: true, tokens: true,
  });
  const consumed = new Set<number>();
  let distroTag: string | undefined;
  for (const t of tokens) {
    if (t.kind === 'option' && t.name in REPO_ARG_OPTIONS) {
      consumed.add(t.index);
      if (t.value !== undefined && !t.inlineValue) consumed.add(t.index + 1);
    } else if (t.kind === 'positional' && distroTag === undefined && TAG_RE.test(t.value)) {
      distroTag = t.value;
      consumed.add(t.index);
    }
  }
  const repoOptions = repoOptionsFromValues(values);
  const { arch, releasever } = repoOptions;
  const out: ParsedRepoArgs = { repoOptions, rest: argv.filter((_, i) => !consumed.has(i)) };
  if (distroTag !== undefined) out.distroTag = distroTag;
  if (arch) out.arch = arch;
  if (releasever) out.releasever = releasever;
  return out;
}
