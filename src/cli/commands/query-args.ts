// What the query commands share: the repo options and distro ref as resolve takes them.
import { defaultCacheDir } from '../../fetch/fetcher.js';
import type { QueryOptions } from '../../query/options.js';
import type { CliIO } from '../io.js';
import { untrusted } from '../../errors/index.js';
import { REPO_ARG_OPTIONS, repoOptionsFromValues, splitDistroRef } from '../repo-args.js';
import { SOLVER_ARG_OPTIONS, solverOptionsFromValues } from '../solver-args.js';

export const QUERY_ARG_OPTIONS = {
  ...REPO_ARG_OPTIONS,
  setopt: SOLVER_ARG_OPTIONS.setopt,
  module: SOLVER_ARG_OPTIONS.module,
  'cache-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The repos to query and the remaining arguments (package specs, keys, provides). */
export function queryBase(command: string, values: Record<string, unknown>, positionals: string[], io: CliIO): { base: QueryOptions; args: string[] } {
  const repoOptions = repoOptionsFromValues(values);
  const ref = splitDistroRef(positionals, repoOptions);
  // only what changes which packages the repos show: the solver's own keys mean nothing to a query
  const { setopt, modules } = solverOptionsFromValues(command, values);
  const dir = values['cache-dir'];
  return {
    base: {
      ...repoOptions, ...(ref.distro ? { distro: ref.distro } : {}), ...(setopt ? { setopt } : {}), ...(modules ? { modules } : {}),
      cacheDir: typeof dir === 'string' ? dir : defaultCacheDir(io.env), ...(io.signal ? { signal: io.signal } : {}),
    },
    args: ref.packages,
  };
}

/** A field of repo metadata (a name, a summary, a dependency) as the query commands print it: escaped, bounded. */
export const showField = (s: string): string => untrusted(s, 4096);

/** dnf's format_number: 1024 steps, one decimal below 9.95, then k, M, G... */
export function formatSize(n: number): string {
  const symbols = [' ', 'k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];
  let depth = 0;
  while (n > 999 && depth < symbols.length - 1) { n /= 1024; depth++; }
  return `${n < 9.95 ? n.toFixed(1) : n.toFixed(0)} ${symbols[depth]!}`;
}

/** dnf's fmtSection on an 80-column (or piped) terminal */
export function section(name: string, cols = 78): string {
  if (name.length >= cols - 4) return `== ${name} ==`;
  const beg = '='.repeat(Math.floor((cols - name.length) / 2));
  return `${beg} ${name} ${'='.repeat(cols - name.length - beg.length)}`;
}
