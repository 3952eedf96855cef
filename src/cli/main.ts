import { RfsError } from '../errors/index.js';
import { defaultIO, reportError, type CliIO, type Command } from './io.js';
import { guardProcess, interruptExitCode } from './signals.js';

const USAGE = `usage: rootfs-assemble <distro>:<release> [options]      build an image (see --help)
       rootfs-assemble build IMAGE.yaml [options]            build from an image spec
       rootfs-assemble resolve <distro>:<release> PKG...     show the install set
       rootfs-assemble inspect FILE.rpm [--json]             read one package
       rootfs-assemble list                                  known distro definitions
`;

// Loaded on demand: `list` or `inspect` need not pay for the solver, codecs and sqlite.
const assembleCommand: Command = async (argv, io) => (await import('./commands/assemble.js')).assembleCommand(argv, io);
const COMMANDS: Record<string, Command> = {
  inspect: async (argv, io) => (await import('./commands/inspect.js')).inspectCommand(argv, io),
  list: async (argv, io) => (await import('./commands/list.js')).listCommand(argv, io),
  resolve: async (argv, io) => (await import('./commands/resolve.js')).resolveCommand(argv, io),
  build: assembleCommand,
};
/** commands that write nothing and never look at io.signal: a signal ends them at once */
const NOTHING_TO_UNWIND = new Set(['inspect', 'list']);

export async function main(argv: string[], io: CliIO = defaultIO()): Promise<number> {
  try {
    const [first, ...rest] = argv;
    if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
      io.stdout.write(USAGE);
      return first === undefined ? 2 : 0;
    }
    const cmd = COMMANDS[first];
    if (!cmd && first.startsWith('-') && !argv.some((a) => a.includes(':') && !a.startsWith('-'))) {
      throw new RfsError('RFS_USAGE', `unknown command or option: ${first}`, { hint: 'run rootfs-assemble --help' });
    }
    const code = cmd ? await cmd(rest, io) : await assembleCommand(argv, io);
    return interrupted(io) ?? code;
  } catch (err) {
    return interrupted(io) ?? reportError(err, io);
  }
}

/** After a signal, whatever the command made of it: one line and 128 + the signal's number. */
function interrupted(io: CliIO): number | null {
  const reason: unknown = io.signal?.aborted ? io.signal.reason : undefined;
  const code = interruptExitCode(reason);
  if (code === null) return null;
  reportError(reason, io);
  return code;
}

/** The program (bin/rootfs-assemble.js): main() with signals and crashes handled for the process. */
export async function runMain(argv: string[]): Promise<void> {
  const io = defaultIO();
  const guard = guardProcess(io, !NOTHING_TO_UNWIND.has(argv[0] ?? ''));
  const code = await main(argv, { ...io, signal: guard.signal });
  guard.settle();
  process.exitCode = code;
  // an interrupted run may still hold sockets or timers: do not linger
  if (guard.interrupted) process.exit(code);
}
