// REGISTRY/REPO:TAG as docker and skopeo read it: the first component is a registry host when it
// has a '.' or ':' or is 'localhost'; otherwise the image is on Docker Hub (library/ for one name).
import { RfsError } from '../../../errors/index.js';

export interface ImageReference {
  /** host[:port] as the user wrote it (docker.io for Hub); the key credentials are looked up by */
  registry: string;
  /** the host[:port] the API is served on (registry-1.docker.io for Hub) */
  apiHost: string;
  /** repository path, e.g. 'team/app' */
  repository: string;
  tag: string;
}

// distribution/reference's grammar, the parts a push needs
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Parse `[docker://]REGISTRY/REPO[:TAG]` (tag default 'latest'); a bad one is RFS_USAGE. */
export function parseImageReference(input: string): ImageReference {
  const bad = (why: string): RfsError => new RfsError('RFS_USAGE', `reading the image reference '${input}': ${why}`, {
    subject: input, hint: 'expected REGISTRY/REPO:TAG, e.g. registry.example.com/team/app:1.0 or localhost:5000/app:latest',
  });
  const s = input.startsWith('docker://') ? input.slice('docker://'.length) : input;
  if (s.includes('@')) throw bad('a digest reference cannot be pushed to; give a tag');
  const slash = s.indexOf('/');
  const first = slash < 0 ? '' : s.slice(0, slash);
  const isHost = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = isHost ? first : 'docker.io';
  let rest = isHost ? s.slice(slash + 1) : s;
  let tag = 'latest';
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  if (!TAG.test(tag)) throw bad(`'${tag}' is not a valid tag`);
  if (rest === '' || !rest.split('/').every((c) => COMPONENT.test(c))) throw bad('the repository must be lowercase path components (a-z, 0-9, . _ -)');
  if (registry === 'docker.io' && !rest.includes('/')) rest = `library/${rest}`;
  if (rest.length > 255) throw bad('the repository name is longer than 255 characters');
  return { registry, apiHost: registry === 'docker.io' ? 'registry-1.docker.io' : registry, repository: rest, tag };
}

/** The reference as people write it (docker.io's library/ left implicit only where docker does). */
export function referenceText(r: ImageReference): string {
  return `${r.registry}/${r.repository}:${r.tag}`;
}
