import { RfsError } from '../errors/index.js';
import { defaultIO, reportError, type CliIO, type Command } from './io.js';

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

export async function main(argv: string[], io: CliIO = defaultIO()): Promise<number> {
  try {
    const [first, ...rest] = argv;
    if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
      io.stdout.write(USAGE);
      return first === undefined ? 2 : 0;
    }
    const cmd = COMMANDS[first];
    if (cmd) return await cmd(rest, io);
    if (first.startsWith('-') && !argv.some((a) => a.includes(':') && !a.startsWith('-'))) {
      throw new RfsError('RFS_USAGE', `unknown command or option: ${first}`, { hint: 'run rootfs-assemble --help' });
    }
    return await assembleCommand(argv, io);
  } catch (err) {
    return reportError(err, io);
  }
}
