// dnf download: verified .rpm files into --destdir (default the current directory).
import { resolve as resolvePath } from 'node:path';
import { untrusted } from '../../errors/index.js';
import { resolveKeyName } from '../../util/pgp/index.js';
import { UNVERIFIED_REASON } from '../../assemble/gpg.js';
import { downloadPackages } from '../../query/download.js';
import { parseCommandArgs, usageError } from '../args.js';
import { DOWNLOAD_HELP } from '../help.js';
import type { CliIO } from '../io.js';
import { QUERY_ARG_OPTIONS, queryBase } from './query-args.js';

export const DOWNLOAD_OPTIONS = {
  ...QUERY_ARG_OPTIONS,
  destdir: { type: 'string' },
  resolve: { type: 'boolean' },
  nogpgcheck: { type: 'boolean' },
  gpgkey: { type: 'string', multiple: true },
} as const;

export async function downloadCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('download', argv, DOWNLOAD_OPTIONS);
  if (values.help) { io.stdout.write(DOWNLOAD_HELP); return 0; }
  const { base, args } = queryBase('download', values, positionals, io);
  if (!args.length) throw usageError('download', 'download: name at least one package');
  const got = await downloadPackages({
    ...base, packages: args, destdir: resolvePath(io.cwd, values.destdir ?? '.'),
    ...(values.resolve ? { resolve: true } : {}), ...(values.nogpgcheck ? { gpgcheck: false } : {}),
    ...(values.gpgkey ? { gpgkeys: values.gpgkey.map((k) => resolveKeyName(k, io.cwd)) } : {}),
  });
  for (const d of got) {
    if (!d.signature.verified) io.stderr.write(`warning: ${untrusted(d.nevra)} from repo ${untrusted(d.repo, 80)} is not signature-verified (${UNVERIFIED_REASON[d.signature.reason]})\n`);
  }
  return 0;
}
