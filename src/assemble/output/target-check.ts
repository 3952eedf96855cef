// `-o` checked before any network work: a build that can only fail at the end should fail first.
import { accessSync, constants, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { RfsError, untrusted } from '../../errors/index.js';
import type { OutputFormatName } from '../options.js';
import { compressionFor, TAR_SUFFIXES, tarSuffixOf } from './compress.js';

/** compressions users may expect but that are not written: refused rather than written as plain tar */
const UNSUPPORTED = /\.(bz2|tbz2?|tb2|lz|lz4|lzma|tlz|lzo|zip|7z|z|br|sz)$/i;

function usage(message: string, path: string, hint: string): RfsError {
  return new RfsError('RFS_USAGE', message, { subject: path, hint });
}

export function checkOutputTarget(path: string, format: OutputFormatName, cwd: string): void {
  if (path === '-') return;
  const abs = resolve(cwd, path);
  const shown = untrusted(path, 300);
  const name = basename(abs);
  if (UNSUPPORTED.test(name)) {
    throw usage(`-o ${shown}: this compression is not written`, path, `use .tar, .tar.gz, .tar.xz or .tar.zst (or compress the .tar yourself)`);
  }
  if (format === 'tar' && name.includes('.') && !tarSuffixOf(name)) {
    throw usage(`-o ${shown}: unknown extension for a tar image`, path, `use ${TAR_SUFFIXES.slice(0, 4).map(([s]) => s).join(', ')}, .tar.xz or .tar.zst, a name without extension, or --format`);
  }
  if (format !== 'tar' && compressionFor(name) !== 'none') {
    throw usage(`-o ${shown}: compression applies to --format tar only, not ${format}`, path, 'drop the compression extension');
  }
  const st = statSync(abs, { throwIfNoEntry: false });
  if (st?.isDirectory() && format !== 'dir' && format !== 'oci') {
    throw usage(`-o ${shown}: is an existing directory`, path, 'name a file inside it, e.g. -o DIR/image.tar');
  }
  const parent = dirname(abs);
  const pst = statSync(parent, { throwIfNoEntry: false });
  if (!pst?.isDirectory()) {
    throw new RfsError('RFS_OUTPUT', `-o ${shown}: the folder ${untrusted(parent, 300)} does not exist`, { subject: parent, hint: 'create it first (mkdir -p)' });
  }
  try {
    accessSync(parent, constants.W_OK | constants.X_OK);
  } catch (cause) {
    throw new RfsError('RFS_OUTPUT', `-o ${shown}: the folder ${untrusted(parent, 300)} is not writable`, { subject: parent, cause, hint: 'choose another -o' });
  }
}
