// Base images for the --from tests: layer tars written by Python's tarfile (an independent
// writer), an OCI layout around them, and a dump of the tree they apply to.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { applyBase } from '../../src/assemble/base/apply.js';
import { openBase } from '../../src/assemble/base/open.js';
import { ImageTree, readContentSync } from '../../src/assemble/tree.js';

export const hasPython = spawnSync('python3', ['-c', 'import tarfile'], { stdio: 'ignore' }).status === 0;
export const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

const PY = `
import sys, tarfile, io, json
t = tarfile.open(sys.argv[1], 'w', format=tarfile.PAX_FORMAT)
for m in json.loads(sys.argv[2]):
    i = tarfile.TarInfo(m['path']); i.mtime = 1700000000
    i.type = {'file': tarfile.REGTYPE, 'dir': tarfile.DIRTYPE, 'symlink': tarfile.SYMTYPE, 'hardlink': tarfile.LNKTYPE, 'char': tarfile.CHRTYPE}[m.get('type', 'file')]
    i.mode = m.get('mode', 0o755 if i.type == tarfile.DIRTYPE else 0o644)
    i.uid = m.get('uid', 0); i.gid = m.get('gid', 0); i.uname = m.get('uname', ''); i.gname = m.get('gname', '')
    i.linkname = m.get('link', ''); i.devmajor = m.get('major', 0); i.devminor = m.get('minor', 0)
    if 'xattr' in m: i.pax_headers = {'SCHILY.xattr.' + k: bytes.fromhex(v).decode('utf-8', 'surrogateescape') for k, v in m['xattr'].items()}
    data = m.get('data', '').encode() + bytes(m.get('zeros', 0))
    i.size = len(data) if i.type == tarfile.REGTYPE else 0
    t.addfile(i, io.BytesIO(data) if i.type == tarfile.REGTYPE else None)
t.close()
`;

export interface M { path: string; type?: string; mode?: number; uid?: number; gid?: number; link?: string; data?: string; zeros?: number; major?: number; minor?: number; xattr?: Record<string, string> }

export function layerTar(file: string, members: M[]): Buffer {
  execFileSync('python3', ['-c', PY, file, JSON.stringify(members)]);
  return readFileSync(file);
}

const sha = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function putBlob(dir: string, b: Uint8Array): { digest: string; size: number } {
  const digest = sha(b);
  writeFileSync(join(dir, 'blobs', 'sha256', digest.slice(7)), b);
  return { digest, size: b.length };
}

export interface LayoutOpts { gzip?: boolean[]; diffIds?: string[]; arch?: string; ref?: string }

/** An OCI layout holding one image of `layers` (plain tars), some gzip-compressed. */
export function ociLayout(dir: string, layers: Buffer[], o: LayoutOpts = {}): void {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const descs = layers.map((l, i) => {
    const gz = o.gzip?.[i] ?? false;
    return { mediaType: `application/vnd.oci.image.layer.v1.tar${gz ? '+gzip' : ''}`, ...putBlob(dir, gz ? gzipSync(l) : l) };
  });
  const config = {
    architecture: o.arch ?? 'amd64', os: 'linux', config: { Env: ['PATH=/usr/bin'], Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: o.diffIds ?? layers.map(sha) }, history: layers.map(() => ({ created_by: 'test' })),
  };
  const cfg = { mediaType: 'application/vnd.oci.image.config.v1+json', ...putBlob(dir, Buffer.from(JSON.stringify(config))) };
  const manifest = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: cfg, layers: descs };
  const md = { mediaType: manifest.mediaType, ...putBlob(dir, Buffer.from(JSON.stringify(manifest))), annotations: { 'org.opencontainers.image.ref.name': o.ref ?? 'base' } };
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [md] }));
}

/** Every node as one comparable line (content as its text). */
export function dump(tree: ImageTree): string[] {
  return [...tree.walk()].map(([p, n]) => {
    const data = n.type === 'file' && n.content ? Buffer.from(readContentSync(n.content)).toString() : '';
    return `${p} ${n.type} ${n.mode.toString(8)} ${n.user}:${n.group}${n.linkTarget ? ` -> ${n.linkTarget}` : ''}${n.caps ? ` caps=${n.caps}` : ''}${n.devMajor !== undefined ? ` dev=${n.devMajor},${n.devMinor}` : ''}${data ? ` "${data}"` : ''}`;
  });
}

export async function load(source: string, workDir: string, opts: { maxBytes?: number; maxEntries?: number } = {}): Promise<ImageTree> {
  const base = await openBase(source, { workDir, arch: 'x86_64' });
  const tree = new ImageTree(0);
  await applyBase(base, tree, { workDir, ...opts });
  return tree;
}

export async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('expected a failure');
}
