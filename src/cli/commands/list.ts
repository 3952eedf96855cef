import { listDistros } from '../../repos/index.js';
import { parseCommandArgs, usageError } from '../args.js';
import { LIST_HELP } from '../help.js';
import type { CliIO } from '../io.js';

export const LIST_OPTIONS = {
  json: { type: 'boolean' },
  'repos-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `rootfs-assemble list [--json] [--repos-dir DIR] [PREFIX]`: the known distro definitions. */
export async function listCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('list', argv, LIST_OPTIONS);
  if (values.help) {
    io.stdout.write(LIST_HELP);
    return 0;
  }
  if (positionals.length > 1) throw usageError('list', 'list: expected at most one PREFIX', positionals[1]);
  const prefix = positionals[0];
  const all = listDistros(values['repos-dir']);
  const rows = prefix ? all.filter((d) => d.tag.startsWith(prefix.toLowerCase())) : all;
  if (values.json) {
    io.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return 0;
  }
  const w = Math.max(3, ...rows.map((r) => r.tag.length));
  const lines = [`${'TAG'.padEnd(w)}  EOL  NAME`, ...rows.map((r) => `${r.tag.padEnd(w)}  ${r.eol ? 'yes' : 'no '}  ${r.prettyName}`)];
  io.stdout.write(lines.join('\n') + '\n');
  return 0;
}
