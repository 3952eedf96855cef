// What a registry sends for a manifest request is an index / manifest list or an image manifest:
// which one is told by its own mediaType, else by the Content-Type (both must agree), before
// its shape is checked (docs.ts) as a layout's is.
import { DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST } from '../output/oci-spec.js';
import { untrusted } from '../../errors/index.js';
import { DOCKER_MANIFEST, INDEX_TYPES, isObject, object, parseIndex, parseJson, parseManifest as manifestShape, type Descriptor, type Refuse } from './docs.js';

/** what a pull accepts, as the Accept header lists it */
export const MANIFEST_TYPES = [OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST];

export type ManifestDoc =
  | { kind: 'index'; manifests: Descriptor[] }
  | { kind: 'manifest'; config: Descriptor; layers: Descriptor[] };

export function parseManifest(bytes: Uint8Array, contentType: string | undefined, refuse: Refuse): ManifestDoc {
  const doc = object(parseJson(bytes, 'the manifest', refuse), 'the manifest', refuse);
  const header = contentType?.split(';')[0]?.trim().toLowerCase();
  const own = doc.mediaType;
  if (own !== undefined && typeof own !== 'string') throw refuse('the manifest has a mediaType that is not a string');
  // image-spec lets a manifest leave mediaType out; a registry then may say only application/json
  const guessed = own === undefined && doc.schemaVersion === 2 && (header === undefined || !MANIFEST_TYPES.includes(header))
    ? (Array.isArray(doc.manifests) ? OCI_INDEX : isObject(doc.config) ? OCI_MANIFEST : undefined) : undefined;
  const type = own ?? guessed ?? header;
  if (type === undefined || !MANIFEST_TYPES.includes(type)) {
    const schema1 = type?.startsWith('application/vnd.docker.distribution.manifest.v1') === true || doc.schemaVersion === 1;
    throw refuse(`the manifest is of type ${untrusted(type ?? '(none)', 100)}`, schema1
      ? 'Docker schema 1 manifests are deprecated and not read: push the image again with a current tool'
      : `a base image is an ${MANIFEST_TYPES.join(', ')}`);
  }
  if (own !== undefined && header !== undefined && MANIFEST_TYPES.includes(header) && header !== own) {
    throw refuse(`the manifest says it is ${untrusted(own, 100)} but was sent as ${untrusted(header, 100)}`);
  }
  return INDEX_TYPES.includes(type) ? { kind: 'index', manifests: parseIndex(doc, refuse) } : { kind: 'manifest', ...manifestShape(doc, refuse) };
}
