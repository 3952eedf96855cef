// Reads an oci-archive with an independent reader (Python's tarfile): the manifest's layers in
// order, each one's members (type, mode, owner, content hash, link), and the config's history.
import { execFileSync } from 'node:child_process';

export interface LayerMember { type: string; mode: number; uid: number; gid: number; size: number; sha: string; link: string }
export interface ReadLayer { digest: string; diffId: string; comment: string; members: [string, LayerMember][] }

const READ_PY = `
import hashlib, json, sys, tarfile
types = {tarfile.REGTYPE: 'file', tarfile.AREGTYPE: 'file', tarfile.DIRTYPE: 'dir', tarfile.SYMTYPE: 'symlink',
         tarfile.LNKTYPE: 'hardlink', tarfile.CHRTYPE: 'char', tarfile.BLKTYPE: 'block', tarfile.FIFOTYPE: 'fifo'}
outer = tarfile.open(sys.argv[1])
def blob(d): return outer.extractfile('blobs/' + d.replace(':', '/'))
index = json.load(outer.extractfile('index.json'))
manifest = json.load(blob(index['manifests'][0]['digest']))
config = json.load(blob(manifest['config']['digest']))
out = []
for i, l in enumerate(manifest['layers']):
    members = []
    raw = hashlib.sha256()
    with tarfile.open(fileobj=blob(l['digest']), mode='r:*') as t:
        for m in t:
            sha = hashlib.sha256(t.extractfile(m).read()).hexdigest() if m.isreg() else ''
            members.append([m.name, {'type': types.get(m.type, str(m.type)), 'mode': m.mode, 'uid': m.uid, 'gid': m.gid,
                                     'size': m.size, 'sha': sha, 'link': m.linkname}])
    out.append({'digest': l['digest'], 'diffId': config['rootfs']['diff_ids'][i], 'comment': config['history'][i]['comment'], 'members': members})
print(json.dumps(out))
`;

export function readOciArchive(file: string): ReadLayer[] {
  return JSON.parse(execFileSync('python3', ['-c', READ_PY, file], { encoding: 'utf8', maxBuffer: 1 << 28 })) as ReadLayer[];
}

/** The layers applied in order (no whiteouts are expected: any .wh. entry is an error). */
export function mergedView(layers: ReadLayer[]): Map<string, LayerMember> {
  const view = new Map<string, LayerMember>();
  for (const l of layers) {
    for (const [name, m] of l.members) {
      if (/(^|\/)\.wh\./.test(name)) throw new Error(`unexpected whiteout ${name}`);
      view.set(name, m);
    }
  }
  return view;
}
