import { parseArgs } from 'node:util';
import { listDistros } from '../../repos/index.js';
import type { CliIO } from '../io.js';

/** `rootfs-assemble list [--json] [--repos-dir DIR] [PREFIX]`: the known distro definitions. */
export async function listCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean' }, 'repos-dir': { type: 'string' } },
    allowPositionals: true,
  });
  const prefix = positionals[0];
  const all = listDistros(values['repos-dir']);
  const rows = prefix ? all.filter((d) => d.tag.startsWith(prefix)) : all;
  if (values.json) {
    io.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return 0;
  }
  const w = Math.max(3, ...rows.map((r) => r.tag.length));
  const lines = [`${'TAG'.padEnd(w)}  EOL  NAME`, ...rows.map((r) => `${r.tag.padEnd(w)}  ${r.eol ? 'yes' : 'no '}  ${r.prettyName}`)];
  io.stdout.write(lines.join('\n') + '\n');
  return 0;
}
