export type { TarEntry, TarEntryType } from './types.js';
export { writeTar, tarPath } from './write.js';
export type { WriteTarOptions } from './write.js';
export { encodeCapability, decodeCapability, parseCapabilityText, CAP_NAMES } from './capability.js';
export { fileBody } from './body.js';
export { readTar, MAX_META_RECORD, MAX_NAME } from './read.js';
export type { TarMember, TarRecord, ReadTarOptions } from './read.js';
