// filelists.xml -> file paths per package, matched to primary records by pkgid (the checksum).
import { untrusted } from '../errors/index.js';
import { MAX_FILES_PER_PACKAGE } from './limits.js';
import { MetadataFormatError } from './package-guard.js';
import { StateMachine, type StateSwitch } from './state-table.js';

const enum S { START, FILELISTS, PACKAGE, VERSION, FILE }

export const FILELISTS_SWITCHES: readonly StateSwitch[] = [
  { from: S.START, element: 'filelists', to: S.FILELISTS },
  { from: S.FILELISTS, element: 'package', to: S.PACKAGE },
  { from: S.PACKAGE, element: 'version', to: S.VERSION },
  { from: S.PACKAGE, element: 'file', to: S.FILE, content: true },
];

export interface FilelistKey { pkgid: string; name: string; arch: string; epoch: string; ver: string; rel: string }

/** Calls `onPackage` once per <package> with its key and paths. */
export function filelistsParser(onPackage: (key: FilelistKey, files: string[]) => void): StateMachine {
  let key: FilelistKey = { pkgid: '', name: '', arch: '', epoch: '0', ver: '', rel: '' };
  let files: string[] = [];
  return new StateMachine(FILELISTS_SWITCHES, {
    start(state, a) {
      if (state === S.PACKAGE) {
        key = { pkgid: (a.pkgid ?? '').toLowerCase(), name: a.name ?? '', arch: a.arch ?? '', epoch: '0', ver: '', rel: '' };
        files = [];
      } else if (state === S.VERSION) {
        key.epoch = a.epoch ?? '0'; key.ver = a.ver ?? ''; key.rel = a.rel ?? '';
      }
    },
    end(state, text) {
      // A private copy: a slice would keep the whole document chunk alive.
      if (state === S.FILE) {
        if (files.length >= MAX_FILES_PER_PACKAGE) throw new MetadataFormatError(`package ${untrusted(key.name, 80)}: more than ${MAX_FILES_PER_PACKAGE} files (limit)`);
        files.push((' ' + text.trim()).slice(1));
      }
      else if (state === S.PACKAGE) onPackage(key, files);
    },
  });
}
