// REGISTRY/REPO:TAG as docker and skopeo read it: the first component is a registry host when it
// has a '.' or ':', is 'localhost' or has upper case; otherwise the image is on Docker Hub
// (library/ for one name). Every part is checked against distribution's reference grammar
// (reference/regexp.go): the host names a certs.d folder and goes into URLs and messages.
import { RfsError, untrusted } from '../../../errors/index.js';
import { SHA256_DIGEST } from '../oci-spec.js';

export interface ImageReference {
  /** host[:port] as the user wrote it (docker.io for Hub); the key credentials are looked up by */
  registry: string;
  /** the host[:port] the API is served on (registry-1.docker.io for Hub) */
  apiHost: string;
  /** repository path, e.g. 'team/app' */
  repository: string;
  tag: string;
  /** a pull by digest (REPO@sha256:HEX): the manifest fetched must hash to it; the tag is then unused */
  digest?: string;
}

// distribution/reference's grammar, the parts a push needs
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::([0-9]+))?$`);
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
/** distribution's NameTotalLengthMax: host and path together */
const NAME_MAX = 255;
/** name, tag and a digest fit well within this; longer input is refused before any pattern runs */
const INPUT_MAX = 1024;

/** Parse `[docker://]REGISTRY/REPO[:TAG]` (tag default 'latest'), for a pull also `@sha256:HEX`; a bad one is RFS_USAGE. */
export function parseImageReference(input: string, o: { pull?: boolean } = {}): ImageReference {
  const bad = (why: string): RfsError => new RfsError('RFS_USAGE', `reading the image reference '${untrusted(input, 300)}': ${why}`, {
    subject: input, hint: 'expected REGISTRY/REPO:TAG, e.g. registry.example.com/team/app:1.0 or localhost:5000/app:latest',
  });
  if (input.length > INPUT_MAX) throw bad(`longer than ${INPUT_MAX} characters`);
  let s = input.startsWith('docker://') ? input.slice('docker://'.length) : input;
  const at = s.indexOf('@');
  let digest: string | undefined;
  if (at >= 0) {
    digest = s.slice(at + 1);
    if (!DIGEST.test(digest)) throw bad(`'${untrusted(digest, 100)}' is not a digest (ALGORITHM:HEX)`);
    if (o.pull !== true) throw bad('a digest reference cannot be pushed to; give a tag');
    // the digest names files and is compared with the manifest's hash: sha256 only, as image-spec requires
    if (!SHA256_DIGEST.test(digest)) throw bad(`'${untrusted(digest, 100)}' is not a sha256 digest (sha256: and 64 lower-case hex digits)`);
    s = s.slice(0, at);
  }
  const slash = s.indexOf('/');
  const first = slash < 0 ? '' : s.slice(0, slash);
  const isHost = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost' || first.toLowerCase() !== first);
  if (isHost) checkHost(first, bad);
  const registry = isHost ? first : 'docker.io';
  s = isHost ? s.slice(slash + 1) : s;
  let tag = 'latest';
  const colon = s.lastIndexOf(':');
  if (colon > s.lastIndexOf('/')) {
    tag = s.slice(colon + 1);
    s = s.slice(0, colon);
  }
  if (!TAG.test(tag)) throw bad(`'${untrusted(tag, 100)}' is not a valid tag`);
  if (s === '' || !s.split('/').every((c) => COMPONENT.test(c))) throw bad('the repository must be lowercase path components (a-z, 0-9, . _ -)');
  if (registry === 'docker.io' && !s.includes('/')) s = `library/${s}`;
  if (registry.length + 1 + s.length > NAME_MAX) throw bad(`the name is longer than ${NAME_MAX} characters`);
  return { registry, apiHost: registry === 'docker.io' ? 'registry-1.docker.io' : registry, repository: s, tag, ...(digest !== undefined ? { digest } : {}) };
}

function checkHost(host: string, bad: (why: string) => RfsError): void {
  const m = HOST.exec(host);
  if (!m) throw bad(`'${untrusted(host, 100)}' is not a registry host[:port] (DNS name, IPv4 or [IPv6] address)`);
  const port = m[1];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) throw bad(`port ${port} is not 1 to 65535`);
}

/** The reference as people write it (docker.io's library/ left implicit only where docker does). */
export function referenceText(r: ImageReference): string {
  return `${r.registry}/${r.repository}${r.digest !== undefined ? `@${r.digest}` : `:${r.tag}`}`;
}
