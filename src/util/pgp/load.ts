// Key files as every command names them (--gpgkey, a repo's gpgkey, an image spec): a local path,
// a file:// URL, a bare name shipped in repos/keys/, or an https URL fetched with the caller's
// fetcher. Anything else over the network is refused: the key decides what is trusted.
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RfsError, untrusted } from '../../errors/index.js';
import { readPublicKeys, type PgpPublicKey } from './keys.js';

/** key files fetched over https are small; a keyring of a few hundred keys stays far below this */
export const MAX_KEY_BYTES = 4 << 20;

export interface KeyFile {
  /** as given */
  name: string;
  armored: string;
  certs: PgpPublicKey[];
}

export interface LoadKeyOptions {
  /** fetches an https key (the build's Fetcher); without it such a key is refused */
  fetchBytes?: (url: string, maxBytes: number) => Promise<Uint8Array>;
  /** the file of a bare name (repos/keys/NAME), undefined when there is none */
  findNamed?: (name: string) => string | undefined;
}

const URL_SHAPE = /^[a-z][a-z0-9+.-]*:\/\//i;
const FILE_URL = /^file:/i;

/** a URL that would need the network (file: is local) */
export const isRemoteKey = (name: string): boolean => URL_SHAPE.test(name) && !FILE_URL.test(name);

/** A key argument given relative to `baseDir` (the cwd, a spec's directory): URLs stay as they are. */
export function resolveKeyName(name: string, baseDir: string): string {
  return URL_SHAPE.test(name) || FILE_URL.test(name) ? name : resolve(baseDir, name);
}

/** How a key file is named in the summary, SBOM, lockfile and `inspect`: local paths by base name, so the output does not depend on where they live. */
export function keyLabel(name: string): string {
  if (isRemoteKey(name)) return name;
  if (!FILE_URL.test(name)) return basename(name);
  try {
    return basename(fileURLToPath(name));
  } catch {
    return basename(name);
  }
}

function localPath(name: string, opts: LoadKeyOptions): string {
  if (!FILE_URL.test(name)) return opts.findNamed?.(name) ?? name;
  try {
    return fileURLToPath(name);
  } catch (cause) {
    throw new RfsError('RFS_BAD_CONFIG', `GPG key ${untrusted(name, 200)}: not a local file URL`, { subject: name, cause, hint: 'write it file:///absolute/path' });
  }
}

/** Read (or fetch) one armored key file; RFS_BAD_CONFIG when it cannot be had or read. */
export async function loadKeyFile(name: string, opts: LoadKeyOptions = {}): Promise<KeyFile> {
  let armored: string;
  if (isRemoteKey(name)) {
    // a key fetched over plain http could be swapped by anyone on the path
    if (!/^https:\/\//i.test(name)) {
      throw new RfsError('RFS_BAD_CONFIG', `GPG key ${untrusted(name, 200)}: refusing to fetch a trusted key over anything but https`, {
        subject: name, hint: 'name the key by an https:// URL or a local file (--gpgkey FILE)',
      });
    }
    if (!opts.fetchBytes) {
      throw new RfsError('RFS_BAD_CONFIG', `GPG key ${untrusted(name, 200)}: this caller reads local key files only`, {
        subject: name, hint: 'download the key and give its path',
      });
    }
    armored = Buffer.from(await opts.fetchBytes(name, MAX_KEY_BYTES)).toString('utf8');
  } else {
    armored = await readFile(localPath(name, opts), 'utf8').catch((cause: unknown) => {
      throw new RfsError('RFS_BAD_CONFIG', `reading GPG key ${untrusted(name, 200)}: ${cause instanceof Error ? cause.message : String(cause)}`, {
        subject: name, cause, hint: 'gpgkey entries name files in repos/keys/, file:// paths or https URLs; --gpgkey FILE|URL adds one',
      });
    });
  }
  return { name, armored, certs: readPublicKeys(armored, { code: 'RFS_BAD_CONFIG', subject: name }) };
}
