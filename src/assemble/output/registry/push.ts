// Push an OCI image layout (as --format oci writes it) to a registry: every blob (HEAD first, a
// cross-repository mount when another repo is known to hold it, else an upload: monolithic, or
// PATCH chunks for large blobs), then each manifest by digest and the top one by tag, last — so
// a failure part-way leaves no tag pointing at a partial image. Manifests go as the exact bytes
// of the layout, so the pushed digest is the local one. An index (several manifests, or an
// index blob) is pushed child first, whatever its depth.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { RfsError, untrusted } from '../../../errors/index.js';
import { checkedLocation } from '../../../fetch/index.js';
import type { EventSink } from '../../../types/index.js';
import { DOCKER_MANIFEST_LIST, OCI_INDEX, REF_NAME, SHA256_DIGEST, sha256Digest, type Descriptor } from '../oci-spec.js';
import { BlobLocations } from './blob-cache.js';
import { RegistryClient, type RegistryClientOptions, type Sent } from './client.js';
import { referenceText, type ImageReference } from './reference.js';

export interface PushOptions extends RegistryClientOptions {
  /** where blob locations are remembered for cross-repository mounts (none: no mounts) */
  blobCacheFile?: string;
  onEvent?: EventSink;
}

export interface PushResult {
  /** the reference pushed, REGISTRY/REPO:TAG */
  reference: string;
  /** digest of the manifest (or index) the tag names */
  digest: string;
  mediaType: string;
  blobs: { uploaded: number; existing: number; mounted: number; bytesUploaded: number };
}

const INDEX_TYPES = new Set([OCI_INDEX, DOCKER_MANIFEST_LIST]);
const DEFAULT_CHUNK = 64 << 20;

function chunkSize(env: NodeJS.ProcessEnv): number {
  const v = env.RFS_PUSH_CHUNK_SIZE;
  if (v === undefined || v === '') return DEFAULT_CHUNK;
  if (!/^\d+$/.test(v) || Number(v) < 1024) throw new RfsError('RFS_BAD_CONFIG', `reading RFS_PUSH_CHUNK_SIZE: '${v}' is not a byte count of at least 1024`, { hint: 'blobs larger than this are uploaded in PATCH chunks of this size (default 64 MiB)' });
  return Number(v);
}

function descriptorsOf(json: unknown, where: string): Descriptor[] {
  const list = (json as { manifests?: unknown }).manifests;
  if (!Array.isArray(list)) throw layoutError(where, 'no manifests list');
  return list.map((d) => checkDescriptor(d, where));
}

function checkDescriptor(d: unknown, where: string): Descriptor {
  const o = d as Partial<Descriptor> | null;
  if (!o || typeof o.mediaType !== 'string' || typeof o.digest !== 'string' || !SHA256_DIGEST.test(o.digest) || typeof o.size !== 'number') {
    throw layoutError(where, 'a descriptor without mediaType, sha256 digest and size');
  }
  return o as Descriptor;
}

function layoutError(where: string, why: string): RfsError {
  return new RfsError('RFS_OUTPUT', `reading the OCI layout ${where}: ${why}`, { subject: where });
}

export async function pushLayout(layoutDir: string, ref: ImageReference, opts: PushOptions = {}): Promise<PushResult> {
  const env = opts.env ?? process.env;
  const chunk = chunkSize(env);
  const client = new RegistryClient(ref, opts);
  const locations = new BlobLocations(opts.blobCacheFile);
  const repo = ref.repository;
  const scope = `repository:${repo}:pull,push`;
  const stats = { uploaded: 0, existing: 0, mounted: 0, bytesUploaded: 0 };
  const done = new Set<string>();
  const blobPath = (digest: string): string => join(layoutDir, 'blobs', ...digest.split(':'));
  const limit = pLimit(3);

  const readBlob = async (d: Descriptor): Promise<Uint8Array> => {
    const bytes = await readFile(blobPath(d.digest));
    if (sha256Digest(bytes) !== d.digest) throw layoutError(blobPath(d.digest), `its sha256 is not ${d.digest}`);
    return bytes;
  };

  /** Put the bytes of a blob (or chunk) at an upload location; returns the next location. */
  const upload = async (location: string, d: Descriptor): Promise<void> => {
    const file = blobPath(d.digest);
    const size = (await stat(file)).size;
    if (size !== d.size) throw layoutError(file, `${size} bytes, the manifest says ${d.size}`);
    let loc = location;
    let sent: Sent;
    const octets = { 'content-type': 'application/octet-stream' };
    if (size <= chunk) {
      const u = new URL(loc);
      u.searchParams.set('digest', d.digest);
      sent = await client.send('PUT', u.href, { headers: octets, body: () => createReadStream(file), size, scopes: [scope], ok: [201] });
    } else {
      for (let start = 0; start < size; start += chunk) {
        const end = Math.min(size, start + chunk) - 1;
        const res = await client.send('PATCH', loc, {
          headers: { ...octets, 'content-range': `${start}-${end}` }, body: () => createReadStream(file, { start, end }), size: end - start + 1, scopes: [scope], ok: [202],
        });
        loc = locationOf(res, loc);
      }
      const u = new URL(loc);
      u.searchParams.set('digest', d.digest);
      sent = await client.send('PUT', u.href, { headers: { 'content-length': '0' }, scopes: [scope], ok: [201] });
    }
    checkDigestHeader(sent, d.digest, 'blob');
    stats.uploaded++;
    stats.bytesUploaded += size;
  };

  /** The upload's next URL, checked as redirects are (`from`: the URL that answered). */
  const locationOf = (res: Sent, from: string): string => {
    const l = res.headers.location;
    const loc = Array.isArray(l) ? l[0] : l;
    if (!loc) throw new RfsError('RFS_REGISTRY', `${client.what}: the registry answered ${res.status} without a Location for the upload`, { subject: from });
    const next = checkedLocation(from, loc, 'upload Location');
    if ('refused' in next) throw new RfsError('RFS_REGISTRY', `${client.what}: ${next.refused}`, { subject: from, hint: next.hint });
    return next.url;
  };

  const checkDigestHeader = (res: Sent, digest: string, what: string): void => {
    const h = res.headers['docker-content-digest'];
    const got = Array.isArray(h) ? h[0] : h;
    if (got !== undefined && got !== digest) {
      throw new RfsError('RFS_REGISTRY', `${client.what}: the registry stored the ${what} ${digest} as ${untrusted(got, 100)}`, { subject: digest, hint: 'a proxy or the registry changed the content' });
    }
  };

  const ensureBlob = async (d: Descriptor): Promise<void> => {
    if (done.has(d.digest)) return;
    done.add(d.digest);
    const path = `/v2/${repo}/blobs/${d.digest}`;
    const uploads = `/v2/${repo}/blobs/uploads/`;
    await client.retrying(`pushing blob ${d.digest}`, async () => {
      const head = await client.send('HEAD', path, { scopes: [scope], ok: [200, 404, 307, 302] });
      if (head.status !== 404) {
        stats.existing++;
        return;
      }
      let session: { res: Sent; url: string } | undefined;
      for (const from of locations.reposFor(ref.registry, d.digest, repo)) {
        const url = client.url(`${uploads}?${new URLSearchParams({ mount: d.digest, from }).toString()}`);
        const res = await client.send('POST', url, { scopes: [scope, `repository:${from}:pull`], ok: [201, 202] });
        if (res.status === 201) {
          stats.mounted++;
          return;
        }
        session = { res, url }; // not mountable from there: the registry opened an upload instead
        break;
      }
      session ??= { res: await client.send('POST', uploads, { scopes: [scope], ok: [202] }), url: client.url(uploads) };
      await upload(locationOf(session.res, session.url), d);
    });
  };

  /** A manifest (its blobs first) or an index (its manifests first), then itself under `reference`. */
  const pushManifest = async (d: Descriptor, reference: string, bytes?: Uint8Array): Promise<void> => {
    const body = bytes ?? (await readBlob(d));
    const json: unknown = JSON.parse(Buffer.from(body).toString('utf8'));
    if (INDEX_TYPES.has(d.mediaType)) {
      for (const child of descriptorsOf(json, blobPath(d.digest))) await pushManifest(child, child.digest);
    } else {
      const m = json as { config?: unknown; layers?: unknown };
      const blobs = [checkDescriptor(m.config, blobPath(d.digest)), ...(Array.isArray(m.layers) ? m.layers : []).map((l) => checkDescriptor(l, blobPath(d.digest)))];
      await Promise.all(blobs.map((b) => limit(() => ensureBlob(b))));
    }
    const res = await client.retrying(`pushing manifest ${d.digest}`, () =>
      client.send('PUT', `/v2/${repo}/manifests/${reference}`, { headers: { 'content-type': d.mediaType }, body, scopes: [scope], ok: [201, 200] }));
    checkDigestHeader(res, d.digest, 'manifest');
  };

  try {
    await client.ping();
    const indexFile = join(layoutDir, 'index.json');
    const top = descriptorsOf(JSON.parse(await readFile(indexFile, 'utf8')), indexFile);
    let pushed: Descriptor;
    if (top.length === 1) {
      pushed = top[0]!;
      await pushManifest(pushed, ref.tag);
    } else {
      // several images in the layout: one index of them under the tag (ref.name annotations are the layout's, not the registry's)
      const index = new TextEncoder().encode(JSON.stringify({
        schemaVersion: 2, mediaType: OCI_INDEX,
        manifests: top.map(({ annotations, ...rest }) => {
          const kept = Object.fromEntries(Object.entries(annotations ?? {}).filter(([k]) => k !== REF_NAME));
          return Object.keys(kept).length > 0 ? { ...rest, annotations: kept } : rest;
        }),
      }));
      pushed = { mediaType: OCI_INDEX, digest: sha256Digest(index), size: index.length };
      await pushManifest(pushed, ref.tag, index);
    }
    locations.record(ref.registry, repo, done);
    locations.save();
    return { reference: referenceText(ref), digest: pushed.digest, mediaType: pushed.mediaType, blobs: stats };
  } finally {
    await client.close();
  }
}
