import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../util/package-root.js';
import { RfsError, untrusted } from '../errors/index.js';
import { didYouMean } from '../util/suggest.js';
import { COMMAND_HELP, TOP_HELP } from './help.js';
import { defaultIO, reportError, type CliIO, type Command } from './io.js';
import { guardProcess, interruptExitCode } from './signals.js';
import { liftoffOnly } from './wasm-tiers.js';

// Loaded on demand: `list` or `inspect` need not pay for the solver, codecs and sqlite.
const assembleCommand: Command = async (argv, io) => (await import('./commands/assemble.js')).assembleCommand(argv, io);
const COMMANDS: Record<string, Command> = {
  inspect: async (argv, io) => (await import('./commands/inspect.js')).inspectCommand(argv, io),
  list: async (argv, io) => (await import('./commands/list.js')).listCommand(argv, io),
  resolve: async (argv, io) => (await import('./commands/resolve.js')).resolveCommand(argv, io),
  build: assembleCommand,
  update: async (argv, io) => (await import('./commands/assemble.js')).updateCommand(argv, io),
  search: async (argv, io) => (await import('./commands/queries.js')).searchCommand(argv, io),
  info: async (argv, io) => (await import('./commands/queries.js')).infoCommand(argv, io),
  provides: async (argv, io) => (await import('./commands/queries.js')).providesCommand(argv, io),
  repoquery: async (argv, io) => (await import('./commands/repoquery.js')).repoqueryCommand(argv, io),
  download: async (argv, io) => (await import('./commands/download.js')).downloadCommand(argv, io),
};
/** commands that write nothing and never look at io.signal: a signal ends them at once */
const NOTHING_TO_UNWIND = new Set(['inspect', 'list']);

export async function main(argv: string[], io: CliIO = defaultIO()): Promise<number> {
  // a --json-progress run ends in an error event even when the arguments themselves are wrong
  const json = argv.includes('--json-progress');
  try {
    const [first, ...rest] = argv;
    if (first === undefined) {
      io.stderr.write(TOP_HELP);
      return 2;
    }
    if (first === '-h' || first === '--help') {
      io.stdout.write(TOP_HELP);
      return 0;
    }
    if (first === '--version' || first === '-V') {
      io.stdout.write(`rootfs-assemble ${version()}\n`);
      return 0;
    }
    if (first === 'help') return help(rest, io);
    const cmd = COMMANDS[first];
    // anything else is the build: a distro ref, an image spec, or options first (--repo-file f.repo bash)
    if (!cmd) rejectMistypedCommand(first);
    const code = cmd ? await cmd(rest, io) : await assembleCommand(argv, io);
    return interrupted(io, json) ?? code;
  } catch (err) {
    return interrupted(io, json) ?? reportError(err, io, json);
  }
}

function help(args: string[], io: CliIO): number {
  const [name, ...more] = args;
  if (name === undefined) {
    io.stdout.write(TOP_HELP);
    return 0;
  }
  const text = COMMAND_HELP[name];
  if (!text || more.length) {
    const word = more[0] ?? name;
    throw new RfsError('RFS_USAGE', `help: no command ${untrusted(word, 80)}`, {
      subject: untrusted(word, 80), hint: `${didYouMean(word, Object.keys(COMMAND_HELP)) || `commands: ${Object.keys(COMMAND_HELP).join(', ')}`}`,
    });
  }
  io.stdout.write(text);
  return 0;
}

/** `reslove centos:7`: a bare word near a command name is a typo, not a package to build. */
function rejectMistypedCommand(first: string): void {
  if (first.startsWith('-') || /[:./]/.test(first)) return;
  const suggestion = didYouMean(first, Object.keys(COMMANDS));
  if (suggestion) throw new RfsError('RFS_USAGE', `unknown command ${untrusted(first, 80)}`, { subject: untrusted(first, 80), hint: suggestion });
}

function version(): string {
  const pkg: unknown = JSON.parse(readFileSync(join(packageRoot(import.meta.url), 'package.json'), 'utf8'));
  const v = (pkg as { version?: unknown }).version;
  return typeof v === 'string' ? v : 'unknown';
}

/** After a signal, whatever the command made of it: one line and 128 + the signal's number. */
function interrupted(io: CliIO, json: boolean): number | null {
  const reason: unknown = io.signal?.aborted ? io.signal.reason : undefined;
  const code = interruptExitCode(reason);
  if (code === null) return null;
  reportError(reason, io, json, code);
  return code;
}

/** The program (bin/rootfs-assemble.js): main() with signals and crashes handled for the process. */
export async function runMain(argv: string[]): Promise<void> {
  liftoffOnly();
  const io = defaultIO();
  const guard = guardProcess(io, !NOTHING_TO_UNWIND.has(argv[0] ?? ''), argv.includes('--json-progress'));
  const code = await main(argv, { ...io, signal: guard.signal });
  guard.settle();
  process.exitCode = code;
  // an interrupted run may still hold sockets or timers: do not linger
  if (guard.interrupted) process.exit(code);
}
