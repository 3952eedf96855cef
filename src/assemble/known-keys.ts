// The keys `inspect` checks signatures against: every key the distro definitions ship
// (repos/keys/) plus the caller's --gpgkey files. Local files only: inspect never fetches.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RfsError, untrusted } from '../errors/index.js';
import { DEFAULT_REPOS_DIR } from '../repos/index.js';
import type { InspectKeyFile } from '../rpm/index.js';
import { readPublicKeys } from '../util/pgp/index.js';
import { keyLabel } from './gpg.js';

export async function loadKnownKeys(extra: readonly string[], reposDir: string = DEFAULT_REPOS_DIR): Promise<InspectKeyFile[]> {
  const dir = join(reposDir, 'keys');
  const shipped = (await readdir(dir).catch(() => [])).sort().map((f) => join(dir, f));
  const out: InspectKeyFile[] = [];
  for (const file of [...shipped, ...extra]) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(file)) {
      throw new RfsError('RFS_USAGE', `--gpgkey ${untrusted(file, 200)}: inspect reads local key files only`, { subject: file, hint: 'download the key and give its path' });
    }
    const text = await readFile(file, 'utf8').catch((cause: unknown) => {
      throw new RfsError('RFS_BAD_CONFIG', `reading GPG key ${untrusted(file, 200)}: ${cause instanceof Error ? cause.message : String(cause)}`, {
        subject: file, cause, hint: '--gpgkey FILE names an armored public key file',
      });
    });
    out.push({ file: keyLabel(file), certs: readPublicKeys(text, { code: 'RFS_BAD_CONFIG', subject: file }) });
  }
  return out;
}
