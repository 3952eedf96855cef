// Registry credentials from the files podman, skopeo and docker write (containers-auth.json(5)):
// --authfile or $REGISTRY_AUTH_FILE alone when given, else ${XDG_RUNTIME_DIR}/containers/auth.json
// then ~/.docker/config.json; the first file with an entry for the registry wins. Entries are
// `auths.KEY.auth` = base64(user:pass). Credential helpers (credHelpers, credsStore) and OAuth
// identity tokens are not run or used: a registry that needs them is reported as such.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { RfsError, untrusted } from '../../../errors/index.js';
import type { ImageReference } from './reference.js';

export interface Credentials {
  username: string;
  password: string;
  /** the file they came from (messages name it) */
  source: string;
}

export interface CredentialLookup {
  credentials?: Credentials;
  /** a file that names a credential helper for this registry (not supported), for the hint */
  helperIn?: string;
}

/** The auth files to read, in order. */
export function authFiles(env: NodeJS.ProcessEnv, authFile?: string): string[] {
  const explicit = authFile ?? env.REGISTRY_AUTH_FILE;
  if (explicit) return [explicit];
  const files: string[] = [];
  if (env.XDG_RUNTIME_DIR) files.push(join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json'));
  files.push(join(env.HOME ?? homedir(), '.docker', 'config.json'));
  return files;
}

/** 'https://index.docker.io/v1/' -> 'docker.io'; 'http://host:5000/' -> 'host:5000'; 'host/ns/repo' stays. */
function normalKey(key: string): string {
  let k = key.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  if (/^[^/]+\/v[12]$/.test(k)) k = k.slice(0, k.lastIndexOf('/'));
  if (k === 'index.docker.io' || k === 'registry-1.docker.io') k = 'docker.io';
  return k;
}

/** Keys tried for a reference, most specific first: host/ns/repo, host/ns, host. */
function candidateKeys(ref: ImageReference): string[] {
  const parts = ref.repository.split('/');
  const keys: string[] = [];
  for (let n = parts.length; n >= 1; n--) keys.push(`${ref.registry}/${parts.slice(0, n).join('/')}`);
  keys.push(ref.registry);
  return keys;
}

interface AuthFileShape {
  auths?: Record<string, { auth?: unknown } | undefined>;
  credHelpers?: Record<string, unknown>;
  credsStore?: unknown;
}

function readAuthFile(path: string, required: boolean): AuthFileShape | undefined {
  if (!existsSync(path)) {
    if (required) throw new RfsError('RFS_BAD_CONFIG', `reading the registry auth file ${path}: no such file`, { subject: path, hint: 'check --authfile / $REGISTRY_AUTH_FILE' });
    return undefined;
  }
  try {
    const v: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not a JSON object');
    return v as AuthFileShape;
  } catch (cause) {
    throw new RfsError('RFS_BAD_CONFIG', `reading the registry auth file ${path}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      subject: path, cause, hint: 'expected {"auths": {"REGISTRY": {"auth": "base64(user:password)"}}} as podman login writes it',
    });
  }
}

function decode(path: string, key: string, auth: string): Credentials {
  const text = Buffer.from(auth, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) {
    throw new RfsError('RFS_BAD_CONFIG', `reading the registry auth file ${path}: the entry for ${untrusted(key, 200)} is not base64 of user:password`, { subject: path, hint: 'log in again with podman login / docker login' });
  }
  return { username: text.slice(0, colon), password: text.slice(colon + 1), source: path };
}

export function findCredentials(ref: ImageReference, env: NodeJS.ProcessEnv, authFile?: string): CredentialLookup {
  const explicit = Boolean(authFile ?? env.REGISTRY_AUTH_FILE);
  const wanted = candidateKeys(ref);
  let helperIn: string | undefined;
  for (const path of authFiles(env, authFile)) {
    const file = readAuthFile(path, explicit);
    if (!file) continue;
    const byKey = new Map<string, string>();
    for (const [key, entry] of Object.entries(file.auths ?? {})) {
      if (entry && typeof entry.auth === 'string' && entry.auth !== '' && !byKey.has(normalKey(key))) byKey.set(normalKey(key), entry.auth);
    }
    for (const key of wanted) {
      const auth = byKey.get(key);
      if (auth !== undefined) return { credentials: decode(path, key, auth), ...(helperIn ? { helperIn } : {}) };
    }
    const helpers = Object.keys(file.credHelpers ?? {}).map(normalKey);
    if (!helperIn && (helpers.includes(ref.registry) || typeof file.credsStore === 'string')) helperIn = path;
  }
  return helperIn ? { helperIn } : {};
}
