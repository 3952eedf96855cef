// dnf's solver options shared by the build and `resolve`: --setopt, --skip-broken, --best/--nobest, --module.
import type { ParseArgsConfig } from 'node:util';
import type { AssembleOptions } from '../assemble/options.js';
import { checkModuleArgs } from '../assemble/dnf-options.js';
import { usageError } from './args.js';
import { parseSetopts } from '../repos/setopt.js';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

export const SOLVER_ARG_OPTIONS = {
  setopt: { type: 'string', multiple: true },
  'skip-broken': { type: 'boolean' },
  best: { type: 'boolean' },
  nobest: { type: 'boolean' },
  module: { type: 'string', multiple: true },
} as const satisfies OptionsConfig;

/** The options these flags set; setopts and module names are checked here, before any fetch. */
export function solverOptionsFromValues(command: string, values: Record<string, unknown>): Pick<AssembleOptions, 'setopt' | 'skipBroken' | 'best' | 'modules'> {
  const strs = (k: string): string[] => (Array.isArray(values[k]) ? (values[k] as unknown[]).filter((x): x is string => typeof x === 'string') : []);
  if (values.best === true && values.nobest === true) {
    throw usageError(command, '--best and --nobest contradict each other: give one', '--nobest');
  }
  const setopt = strs('setopt');
  parseSetopts(setopt);
  const modules = strs('module');
  checkModuleArgs(modules);
  return {
    ...(setopt.length ? { setopt } : {}),
    ...(values['skip-broken'] === true ? { skipBroken: true } : {}),
    ...(values.best === true ? { best: true } : values.nobest === true ? { best: false } : {}),
    ...(modules.length ? { modules } : {}),
  };
}
