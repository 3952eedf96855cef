// `--from SOURCE`: skopeo-style transports (oci:, oci-archive:, docker-archive:, docker://) and
// plain paths (an OCI layout directory, an image archive, a rootfs tar, a rootfs directory), read
// into a BaseImage whose every blob has been checked against its digest.
import { closeSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { RfsError, untrusted } from '../../errors/index.js';
import { sniffCodec } from '../../decompress/index.js';
import { archiveStore, dirStore } from './blobs.js';
import { readDirCaps } from './dir-caps.js';
import { openDockerArchive } from './docker-archive.js';
import { openOci } from './oci.js';
import { dirLayer, scanTar, tarLayer } from './rootfs.js';
import { pullBase, type PullOptions } from './pull.js';
import type { BaseImage } from './types.js';

/** workDir: where decoded copies (an .xz rootfs, a directory's tar) and pulled blobs go; the caller removes it */
export type OpenBaseOptions = PullOptions;

/** "PATH[:REF]" split at the first ':', as skopeo's oci and docker-archive transports do. */
function pathAndRef(rest: string): { path: string; ref?: string } {
  const i = rest.indexOf(':');
  return i < 0 ? { path: rest } : { path: rest.slice(0, i), ...(i + 1 < rest.length ? { ref: rest.slice(i + 1) } : {}) };
}

function statOf(path: string, source: string): Stats {
  try {
    return statSync(path);
  } catch (e) {
    throw new RfsError('RFS_USAGE', `reading base image: ${untrusted(path)} does not exist or cannot be read`, {
      subject: source, cause: e, hint: 'give an OCI layout directory, an image archive (oci-archive:, docker-archive:), a rootfs tar or directory, or docker://REF',
    });
  }
}

function head(file: string): Uint8Array {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(6);
    return b.subarray(0, readSync(fd, b, 0, 6, 0));
  } finally {
    closeSync(fd);
  }
}

export async function openBase(source: string, opts: OpenBaseOptions): Promise<BaseImage> {
  const { arch, signal } = opts;
  const sig = signal ? { signal } : {};
  if (source.startsWith('docker://')) return pullBase(source.slice('docker://'.length), opts);
  const m = /^(oci|oci-archive|docker-archive):(.*)$/s.exec(source);
  if (m) {
    const { path, ref } = pathAndRef(m[2]!);
    const st = statOf(path, source);
    const r = ref !== undefined ? { ref } : {};
    if (m[1] === 'oci') {
      if (!st.isDirectory()) throw new RfsError('RFS_USAGE', 'reading base image: oci: names a layout directory', { subject: source });
      return openOci(dirStore(path, source), { kind: 'oci', arch, ...r, ...sig });
    }
    if (!st.isFile()) throw new RfsError('RFS_USAGE', `reading base image: ${m[1]}: names an archive file`, { subject: source });
    const store = await archiveStore(path, source, signal);
    return m[1] === 'oci-archive'
      ? openOci(store, { kind: 'oci-archive', arch, ...r, ...sig })
      : openDockerArchive(store, { arch, ...r, ...sig });
  }
  const st = statOf(source, source);
  mkdirSync(opts.workDir, { recursive: true });
  if (st.isDirectory()) {
    const layout = dirStore(source, source);
    if (layout.member('oci-layout')) return openOci(layout, { kind: 'oci', arch, ...sig });
    const { caps, unread } = readDirCaps(source);
    if (unread) opts.onEvent?.({ kind: 'warning', code: 'RFS_W_BASE_CAPS', message: `file capabilities of the base directory were not read: ${unread}; they are not in the image`, subject: source });
    return { kind: 'dir', source, layers: [await dirLayer(source, opts.workDir, caps, signal)] };
  }
  if (!st.isFile()) throw new RfsError('RFS_USAGE', 'reading base image: not a file or directory', { subject: source });
  const codec = sniffCodec(head(source));
  if (codec === 'none') {
    // an uncompressed tar: an image archive by its top-level members, else a rootfs
    const scan = await scanTar(source, 'none', source, signal);
    if (scan.top.has('oci-layout')) return openOci(await archiveStore(source, source, signal), { kind: 'oci-archive', arch, ...sig });
    if (scan.top.has('manifest.json')) return openDockerArchive(await archiveStore(source, source, signal), { arch, ...sig });
    return { kind: 'tar', source, layers: [{ file: source, offset: 0, digest: scan.digest, size: st.size, mediaType: 'application/vnd.oci.image.layer.v1.tar', diffId: scan.diffId }] };
  }
  return { kind: 'tar', source, layers: [await tarLayer(source, codec, source, opts.workDir, signal)] };
}
