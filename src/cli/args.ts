// node:util parseArgs with its TypeErrors (ERR_PARSE_ARGS_*) turned into RFS_USAGE errors that
// name the offending word and the nearest of the command's own options.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { RfsError, untrusted } from '../errors/index.js';
import { didYouMean } from '../util/suggest.js';

export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
type Parsed<O extends OptionsConfig> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;

/** the help that lists every option of the command */
function helpHint(command: string): string {
  return `run rootfs-assemble help ${command}`;
}

export function usageError(command: string, message: string, subject?: string, suggestion = ''): RfsError {
  return new RfsError('RFS_USAGE', message, {
    ...(subject !== undefined ? { subject } : {}),
    hint: suggestion ? `${suggestion} (${helpHint(command)})` : helpHint(command),
  });
}

/** dnf's comma lists: repeated options and comma-separated values read alike (--enablerepo a,b --enablerepo c). */
export function splitList(vs: readonly string[] | undefined): string[] {
  return (vs ?? []).flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
}

function describeOption(options: OptionsConfig, word: string): string {
  const name = word.replace(/^--?/, '');
  const entry = Object.entries(options).find(([long, o]) => long === name || o.short === name);
  return entry ? `--${entry[0]}` : word;
}

/**
 * Parse a command's argv strictly; any parse problem is RFS_USAGE (exit 2). `elsewhere` explains
 * options of other commands that this one does not take (`--no-default-packages` -> why not).
 */
export function parseCommandArgs<O extends OptionsConfig>(command: string, argv: string[], options: O, elsewhere: Record<string, string> = {}): Parsed<O> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw translateParseError(command, err, options, argv, elsewhere);
  }
}

function translateParseError(command: string, err: unknown, options: OptionsConfig, argv: string[], elsewhere: Record<string, string>): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_') || !(err instanceof Error)) return err;
  const quoted = /'([^']*)'/.exec(err.message)?.[1] ?? '';
  const where = command === 'build' ? '' : `${command}: `;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    // parseArgs quotes only the first letter of a short-option group (-mirror): find the word typed
    const typed = argv.find((a) => a === quoted || a.startsWith(`${quoted}=`))
      ?? (quoted.startsWith('--') ? undefined : argv.find((a) => a.startsWith(quoted) && !a.startsWith('--')));
    const bare = (typed ?? quoted).split('=')[0] ?? quoted;
    const why = Object.prototype.hasOwnProperty.call(elsewhere, bare) ? elsewhere[bare] : undefined;
    if (why !== undefined) return usageError(command, `${where}${untrusted(bare, 80)} is not an option of ${command}: ${why}`, bare);
    const longs = Object.keys(options).map((n) => `--${n}`);
    const shorts = Object.values(options).flatMap((o) => (o.short ? [`-${o.short}`] : []));
    const suggestion = bare.startsWith('--') ? didYouMean(bare, longs)
      : bare.length > 2 ? didYouMean(`-${bare}`, longs)
      : shorts.length ? `the short options are ${shorts.join(' ')}` : 'this command has no short options';
    return usageError(command, `${where}unknown option ${untrusted(bare, 80)}`, untrusted(bare, 80), suggestion);
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const opt = describeOption(options, quoted.split(',').map((s) => s.trim().split(' ')[0] ?? '').pop() ?? quoted);
    if (/argument missing/.test(err.message)) {
      return usageError(command, `${where}option ${opt} needs a value`, opt, `give it as ${opt} VALUE or ${opt}=VALUE`);
    }
    if (/does not take an argument/.test(err.message)) {
      const neg = `--no-${opt.slice(2)}`;
      const alt = Object.prototype.hasOwnProperty.call(options, neg.slice(2)) ? ` (or ${neg})` : '';
      return usageError(command, `${where}option ${opt} is a switch and takes no value`, opt, `write ${opt} alone${alt}`);
    }
    return usageError(command, `${where}bad value for ${opt}`, opt);
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    return usageError(command, `${where}unexpected argument ${untrusted(quoted, 80)}`, untrusted(quoted, 80));
  }
  return usageError(command, `${where}${err.message}`);
}
