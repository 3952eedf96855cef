import { RfsError } from '../errors/index.js';
import { defaultIO, reportError, type CliIO, type Command } from './io.js';
import { inspectCommand } from './commands/inspect.js';
import { listCommand } from './commands/list.js';
import { resolveCommand } from './commands/resolve.js';
import { assembleCommand } from './commands/assemble.js';

const USAGE = `usage: rootfs-assemble <distro>:<release> [options]      build an image (see --help)
       rootfs-assemble build IMAGE.yaml [options]            build from an image spec
       rootfs-assemble resolve <distro>:<release> PKG...     show the install set
       rootfs-assemble inspect FILE.rpm [--json]             read one package
       rootfs-assemble list                                  known distro definitions
`;

const COMMANDS: Record<string, Command> = {
  inspect: inspectCommand,
  list: listCommand,
  resolve: resolveCommand,
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
