// The host's rpm (4.18 on Debian) opens every index its own era knows; the BDB rpmdbs we write for
// older eras have no Recommendname, Filetriggername … files, and it says so once per index per
// query. Exactly those lines are dropped; anything else rpm prints still reaches the log.
import { spawnSync } from 'node:child_process';

const INDEXES = ['Obsolete', 'Recommend', 'Suggest', 'Supplement', 'Enhance', 'Filetrigger', 'Transfiletrigger'];
const HARMLESS = new RegExp(`^warning: could not open \\S+/(${INDEXES.join('|')})name: No such file or directory$`);

/** rpm's stderr without the known-harmless missing-index warnings */
export function withoutIndexWarnings(stderr: string): string {
  return stderr.split('\n').filter((l) => l !== '' && !HARMLESS.test(l)).map((l) => `${l}\n`).join('');
}

/** run the host's rpm; its stderr goes into the error when it fails, and (filtered) to ours when it does not */
export function hostRpm(args: string[], env: NodeJS.ProcessEnv): string {
  const r = spawnSync('rpm', args, { env, maxBuffer: 1 << 26 });
  const stderr = withoutIndexWarnings(r.stderr?.toString() ?? '');
  if (r.error || r.status !== 0) {
    throw new Error(`rpm ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`})\n${stderr}`, { cause: r.error });
  }
  if (stderr) process.stderr.write(stderr);
  return r.stdout.toString();
}
