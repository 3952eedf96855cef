// Public shapes of the rpmdb module (CONTRACTS.md).

export interface RpmdbPackage {
  /** main header as in the .rpm (with magic), i.e. RpmPackage.headerBytes */
  headerBytes: Uint8Array;
  /** signature header (with magic) */
  signatureBytes: Uint8Array;
  /** per file FileState (0 NORMAL, 2 NOTINSTALLED for --nodocs/--install-langs drops); default all NORMAL */
  fileStates?: Uint8Array;
}

export interface WriteRpmdbOptions {
  /** INSTALLTIME (SOURCE_DATE_EPOCH or the build clock) */
  installTime: number;
  /** INSTALLTID (transaction id); defaults to installTime */
  installTid?: number;
  /** INSTALLCOLOR = the target's %_transaction_color: 3 on x86_64 and other multilib 64-bit arches, else 0 (default) */
  installColor?: number;
}

export interface RpmdbFile {
  /** relative to the dbpath */
  path: string;
  data: Uint8Array;
  mode: number;
}

export const FILE_STATE = { NORMAL: 0, REPLACED: 1, NOTINSTALLED: 2, NETSHARED: 3, WRONGCOLOR: 4 } as const;
