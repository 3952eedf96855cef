// --push REGISTRY/REPO:TAG (or -o docker://REGISTRY/REPO:TAG): the image is written as the oci
// output is, into the build's work folder, and that layout is pushed (output/registry).
import { join } from 'node:path';
import { RfsError } from '../errors/index.js';
import type { EventSink } from '../types/index.js';
import type { AssembleOptions } from './options.js';
import { parseImageReference, type ImageReference } from './output/registry/reference.js';
import type { PushResult } from './output/registry/index.js';

/** The registry target of a build, if it pushes; a contradictory request is RFS_USAGE. */
export function pushTargetOf(o: Pick<AssembleOptions, 'push' | 'output' | 'digestFile'>): ImageReference | undefined {
  const viaOutput = o.output?.path.startsWith('docker://') ? o.output.path : undefined;
  if (o.push !== undefined && o.output !== undefined && viaOutput === undefined) {
    throw new RfsError('RFS_USAGE', `--push ${o.push} with -o ${o.output.path}: a build either pushes or writes a file`, {
      subject: o.output.path, hint: 'give one of them (build twice with the same SOURCE_DATE_EPOCH for both: the layers are identical)',
    });
  }
  const target = o.push ?? viaOutput;
  if (target === undefined) {
    if (o.output === undefined) throw new RfsError('RFS_USAGE', 'assembling: no output: give output (-o) or push (--push)');
    const format = o.output.format ?? 'tar';
    if (o.digestFile !== undefined && format !== 'oci' && format !== 'oci-archive') {
      throw new RfsError('RFS_USAGE', `--digest-file: --format ${format} has no image digest`, { subject: o.digestFile, hint: 'use it with --push, --format oci or --format oci-archive' });
    }
    return undefined;
  }
  if (o.output?.format !== undefined && o.output.format !== 'oci') {
    throw new RfsError('RFS_USAGE', `--format ${o.output.format}: a push sends an OCI image`, { subject: target, hint: 'drop --format' });
  }
  return parseImageReference(target);
}

export async function pushBuilt(layoutDir: string, ref: ImageReference, o: AssembleOptions, cacheDir: string, emit: EventSink): Promise<PushResult> {
  // the registry client (and undici) only for a push
  const { pushLayout } = await import('./output/registry/push.js');
  return pushLayout(layoutDir, ref, {
    blobCacheFile: join(cacheDir, 'registry-blobs.json'),
    onEvent: emit,
    ...(o.tlsVerify !== undefined ? { tlsVerify: o.tlsVerify } : {}),
    ...(o.certDir !== undefined ? { certDir: o.certDir } : {}),
    ...(o.authFile !== undefined ? { authFile: o.authFile } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.hostEnv ? { env: o.hostEnv } : {}),
  });
}
