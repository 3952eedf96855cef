// RPM package reader: headers, metadata, digests, payload.
export { Header, HEADER_MAGIC, checkHeaderLengths } from './header.js';
export type { HeaderEntry, HeaderParseOptions } from './header.js';
export { TAG, SIGTAG, TYPE, REGION, registeredType } from './tags.js';
export { openRpm } from './package.js';
export type { RpmPackage, OpenRpmOptions } from './package.js';
export { packageMeta, fileList, filePaths, isSourceHeader } from './meta.js';
export type { RpmFile, PackageMeta, Scriptlet, ScriptletKind, Trigger, FileTrigger } from './meta.js';
export { archiveKey, symlinkEscapesRoot, hardlinkSets } from './payload.js';
export type { PayloadEntry } from './payload.js';
export type { DigestCheck } from './verify.js';
export { CpioReader } from './cpio.js';
export type { CpioHeader } from './cpio.js';
export { parseLead } from './lead.js';
export type { RpmLead } from './lead.js';
export { verifyRpmSignatures, startRpmSignatureCheck, checkGpg } from './signature.js';
export type { SignatureReport, RpmSignatureCheck, RpmSignatureKey, RpmSignatureStatus, RpmSignatureTag } from './signature.js';
