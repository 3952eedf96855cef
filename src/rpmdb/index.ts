// rpmdb: the installed-package database in the target's own format (BDB, sqlite, ndb).
export { buildHeaderBlob } from './blob.js';
export { type PubkeyOptions, pubkeyHeaderBlob } from './pubkey.js';
export { readRpmdb, readRpmdbEntries, readRpmdbFiles, type FoundRpmdb } from './read.js';
export { type RpmdbInput, writeRpmdb, writeRpmdbBlobs } from './write.js';
export { archEndian, eraOf, transactionColor, type Era } from './era.js';
export { FILE_STATE, type RpmdbFile, type RpmdbPackage, type WriteRpmdbOptions } from './types.js';
