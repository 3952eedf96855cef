// Pushing images to OCI distribution registries (docker://REGISTRY/REPO:TAG).
export { parseImageReference, referenceText, type ImageReference } from './reference.js';
export { pushLayout, type PushOptions, type PushResult } from './push.js';
export { authFiles, findCredentials } from './credentials.js';
