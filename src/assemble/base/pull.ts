// --from docker://REGISTRY/REPO[:TAG|@sha256:HEX]: the manifest (through an index to the build's
// platform), its config and its layers, each layer downloaded into the work dir under a temp
// name, hashed as it streams and bounded by its descriptor's size, renamed to
// blobs/sha256/HEX only when digest and size match. A failure leaves no blob under a final name.
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open as openFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { RfsError, toRfsError, untrusted } from '../../errors/index.js';
import { AttemptError } from '../../fetch/index.js';
import type { EventSink } from '../../types/index.js';
import { RegistryClient, registryErrors } from '../output/registry/client.js';
import { parseImageReference } from '../output/registry/reference.js';
import { sha256Digest } from '../output/oci-spec.js';
import { checkArch, choosePlatform, parseImageConfig } from './config.js';
import { DOC_MAX, parseJson, type Descriptor, type Refuse } from './docs.js';
import { MANIFEST_TYPES, parseManifest, type ManifestDoc } from './pull-docs.js';
import type { BaseImage, BaseLayer } from './types.js';

export interface PullOptions {
  /** where the layers are downloaded to (blobs/sha256/HEX) */
  workDir: string;
  /** the build's rpm arch: an index's entry for linux on it is pulled */
  arch: string;
  authFile?: string;
  certDir?: string;
  tlsVerify?: boolean;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  onEvent?: EventSink;
}

const PROGRESS_STEP = 1 << 20;

export async function pullBase(ref: string, opts: PullOptions): Promise<BaseImage> {
  const image = parseImageReference(ref, { pull: true });
  const client = new RegistryClient(image, {
    purpose: 'pull', ...(opts.env ? { env: opts.env } : {}), ...(opts.authFile !== undefined ? { authFile: opts.authFile } : {}),
    ...(opts.certDir !== undefined ? { certDir: opts.certDir } : {}), ...(opts.tlsVerify !== undefined ? { tlsVerify: opts.tlsVerify } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
  });
  const repo = image.repository;
  const scopes = [`repository:${repo}:pull`];
  const blobDir = join(opts.workDir, 'blobs', 'sha256');
  const written = new Set<string>();
  const layerJobs = new Map<string, Promise<string>>();
  const refuseAt = (subject: string): Refuse => (why, hint) => new RfsError('RFS_REGISTRY', `${client.what}: ${why}`, { subject, ...(hint ? { hint } : {}) });

  /** A manifest or index by tag or digest; `want`: the digest (and size) it must have. */
  const manifest = async (reference: string, want?: { digest: string; size?: number }): Promise<ManifestDoc> => {
    const path = `/v2/${repo}/manifests/${reference}`;
    const res = await client.retrying(`getting ${path}`, () => client.send('GET', path, { headers: { accept: MANIFEST_TYPES.join(', ') }, scopes, ok: [200, 404], maxBytes: DOC_MAX }));
    const url = client.url(path);
    const refuse = refuseAt(url);
    if (res.status === 404) throw refuse(`no manifest ${untrusted(reference, 100)} in ${untrusted(repo, 200)} (HTTP 404 ${registryErrors(res.text, res.truncated)})`, 'is the repository name and tag right?');
    if (res.truncated) throw refuse(`the manifest is larger than ${DOC_MAX} bytes`, 'real manifests are a few KiB: is this an OCI distribution registry?');
    const got = sha256Digest(res.bytes);
    if (want && got !== want.digest) throw refuse(`the manifest sent for ${want.digest} hashes to ${got}`, 'the registry or a proxy changed it: nothing of it is used');
    if (want?.size !== undefined && res.bytes.length !== want.size) throw refuse(`the manifest ${want.digest} is ${res.bytes.length} bytes, its descriptor says ${want.size}`);
    const h = res.headers['docker-content-digest'];
    const claimed = Array.isArray(h) ? h[0] : h;
    if (claimed !== undefined && /^sha256:/.test(claimed) && claimed !== got) throw refuse(`the manifest hashes to ${got}, the registry says ${untrusted(claimed, 100)}`, 'the registry or a proxy changed it');
    const ct = res.headers['content-type'];
    return parseManifest(res.bytes, Array.isArray(ct) ? ct[0] : ct, refuse);
  };

  /** One blob, streamed into `sink` per attempt: more bytes than the descriptor says stop it, digest and size are checked at the end. */
  const fetchBlob = async (d: Descriptor, sink: () => Promise<{ write: (c: Uint8Array) => Promise<void>; done: () => Promise<void>; drop: () => Promise<void> }>): Promise<void> => {
    const path = `/v2/${repo}/blobs/${d.digest}`;
    const url = client.url(path);
    const refuse = refuseAt(url);
    const emit = opts.onEvent ?? ((): void => undefined);
    let attempt = 0;
    await client.retrying(`downloading ${d.digest}`, async () => {
      const opened = await client.openBlob(path, { scopes, size: d.size });
      emit({ kind: 'fetch:start', url, bytesTotal: d.size, attempt: ++attempt });
      let out: Awaited<ReturnType<typeof sink>> | undefined;
      try {
        out = await sink();
        const hash = createHash('sha256');
        let n = 0;
        let next = PROGRESS_STEP;
        try {
          for await (const c of opened.body) {
            if (n + c.length > d.size) {
              opened.cancel();
              throw new AttemptError(refuse(`the blob ${d.digest} is longer than the ${d.size} bytes its descriptor says`, 'the registry sends something else than the manifest names'), false);
            }
            hash.update(c);
            await out.write(c);
            n += c.length;
            if (n >= next) {
              next = n + PROGRESS_STEP;
              emit({ kind: 'fetch:progress', url, bytes: n, bytesTotal: d.size });
            }
          }
        } catch (cause) {
          throw client.streamError(opened.url, cause);
        }
        if (n !== d.size) throw new AttemptError(refuse(`the blob ${d.digest} ended after ${n} of ${d.size} bytes`), true);
        const got = `sha256:${hash.digest('hex')}`;
        if (got !== d.digest) throw new AttemptError(refuse(`the blob ${d.digest} hashes to ${got}`, 'the registry or its storage sent other bytes: nothing of it is used'), false);
        await out.done();
        emit({ kind: 'fetch:done', url, bytes: n, fromCache: false });
      } catch (err) {
        opened.cancel();
        await out?.drop();
        throw err;
      }
    });
  };

  const configOf = async (d: Descriptor): Promise<Uint8Array> => {
    const chunks: Uint8Array[] = [];
    await fetchBlob(d, async () => {
      chunks.length = 0;
      return { write: async (c) => { chunks.push(c); }, done: async () => undefined, drop: async () => undefined };
    });
    return Buffer.concat(chunks);
  };

  /** A layer named twice in the manifest is downloaded once. */
  const layerFile = (d: Descriptor): Promise<string> => {
    let job = layerJobs.get(d.digest);
    if (!job) {
      job = downloadLayer(d);
      layerJobs.set(d.digest, job);
    }
    return job;
  };

  const downloadLayer = async (d: Descriptor): Promise<string> => {
    const final = join(blobDir, d.digest.slice('sha256:'.length));
    await fetchBlob(d, async () => {
      const temp = join(blobDir, `.${randomUUID()}.partial`);
      const fh = await onDisk(temp, () => openFile(temp, 'wx', 0o600));
      return {
        write: async (c) => { await onDisk(temp, () => fh.write(c)); },
        done: async () => { await onDisk(temp, async () => { await fh.close(); await rename(temp, final); }); written.add(final); },
        drop: async () => { await fh.close().catch(() => undefined); await rm(temp, { force: true }); },
      };
    });
    return final;
  };

  try {
    await client.ping();
    let doc = await manifest(image.digest ?? image.tag, image.digest !== undefined ? { digest: image.digest } : undefined);
    if (doc.kind === 'index') {
      const entry = choosePlatform(doc.manifests, opts.arch, MANIFEST_TYPES, refuseAt(client.url(`/v2/${repo}/manifests/${image.digest ?? image.tag}`)));
      doc = await manifest(entry.digest, { digest: entry.digest, size: entry.size });
      if (doc.kind !== 'manifest') throw refuseAt(entry.digest)(`the index entry ${entry.digest} is another index`, 'nested indexes are not followed');
    }
    const m = doc;
    const refuseConfig = refuseAt(client.url(`/v2/${repo}/blobs/${m.config.digest}`));
    const { config, diffIds } = parseImageConfig(parseJson(await configOf(m.config), 'the image config', refuseConfig), m.layers.length, refuseConfig);
    checkArch(config, opts.arch, refuseConfig);
    await onDisk(blobDir, () => mkdir(blobDir, { recursive: true }));
    const limit = pLimit(3);
    // every download settles before a failure is thrown: none is left writing after the cleanup
    const settled = await Promise.allSettled(m.layers.map((l) => limit(() => layerFile(l))));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    const layers: BaseLayer[] = m.layers.map((l, i) => ({
      file: join(blobDir, l.digest.slice('sha256:'.length)), offset: 0, digest: l.digest, size: l.size, mediaType: l.mediaType, diffId: diffIds[i]!,
    }));
    return { kind: 'registry', source: ref.startsWith('docker://') ? ref : `docker://${ref}`, config, layers };
  } catch (err) {
    await Promise.all([...written].map((f) => rm(f, { force: true })));
    throw err;
  } finally {
    await client.close();
  }
}

/** A work-dir failure is the disk's (full, unwritable), not the registry's: never retried. */
async function onDisk<T>(path: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (cause) {
    const e = toRfsError(cause, 'RFS_OUTPUT');
    throw e.code === 'RFS_DISK_FULL' ? e : new RfsError('RFS_OUTPUT', `writing the pulled base image to ${path}: ${e.message}`, { subject: path, cause, hint: 'the work dir must be writable' });
  }
}
