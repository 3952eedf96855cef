// Parse and validate an image spec (YAML or JSON). Every error names the file, line and
// column of the offending node (RFS_BAD_CONFIG, subject `image.yaml:12:3`). The accepted
// shape is documented in schema.json next to this file; test/spec checks the two agree.
import { dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Node, Pair } from 'yaml';
import { RfsError } from '../../errors/index.js';
import type { RpmdbFlavour } from '../../types/index.js';
import type { ImageSpec, SpecOutputFormat } from './types.js';

export type { ImageSpec, SpecOutputFormat } from './types.js';

const FORMATS: SpecOutputFormat[] = ['tar', 'oci-archive', 'oci', 'docker-archive', 'dir'];
const FLAVOURS: RpmdbFlavour[] = ['bdb-hash-v8', 'bdb-hash-v9', 'sqlite', 'ndb'];

export const SPEC_KEYS = [
  'distro', 'arch', 'releasever', 'packages', 'no-default-packages', 'exclude', 'repos', 'profiles', 'users', 'files',
  'env', 'cmd', 'entrypoint', 'labels', 'output', 'nodocs', 'install-langs', 'weak-deps', 'gpgcheck', 'gpgkey', 'strict-scriptlets', 'run-scriptlets',
  'repo-rewrite', 'rpmdb', 'lockfile', 'locked', 'sbom',
] as const;
export const REPO_KEYS = ['mirror', 'repofrompath', 'files', 'enable', 'disable'] as const;

class Ctx {
  constructor(readonly file: string, readonly lc: LineCounter, readonly base: string) {}
  at(node: Node | null | undefined): string {
    const off = node?.range?.[0];
    if (off === undefined) return this.file;
    const p = this.lc.linePos(off);
    return `${this.file}:${p.line}:${p.col}`;
  }
  fail(node: Node | null | undefined, msg: string): never {
    const where = this.at(node);
    throw new RfsError('RFS_BAD_CONFIG', `reading image spec: ${where}: ${msg}`, { subject: where, hint: 'see the image spec schema (src/assemble/spec/schema.json)' });
  }
  path(p: string): string {
    return p === '-' || isAbsolute(p) ? p : resolve(this.base, p);
  }
}

function str(c: Ctx, n: unknown, what: string): string {
  if (!isScalar(n) || (typeof n.value !== 'string' && typeof n.value !== 'number') || String(n.value) === '') c.fail(n as Node, `${what} must be a non-empty string`);
  return String(n.value);
}
function bool(c: Ctx, n: unknown, what: string): boolean {
  if (!isScalar(n) || typeof n.value !== 'boolean') c.fail(n as Node, `${what} must be true or false`);
  return n.value;
}
function list(c: Ctx, n: unknown, what: string): unknown[] {
  if (isSeq(n)) return n.items;
  if (isScalar(n)) return [n];
  return c.fail(n as Node, `${what} must be a list`);
}
function strings(c: Ctx, n: unknown, what: string): string[] {
  return list(c, n, what).map((x, i) => str(c, x, `${what}[${i}]`));
}
function pairs(c: Ctx, n: unknown, what: string): Pair<unknown, unknown>[] {
  if (!isMap(n)) c.fail(n as Node, `${what} must be a mapping`);
  return n.items;
}
function keyOf(c: Ctx, p: Pair<unknown, unknown>, allowed: readonly string[], what: string): string {
  const k = p.key;
  if (!isScalar(k) || typeof k.value !== 'string') c.fail(k as Node, `${what} keys must be strings`);
  const name = k.value;
  if (!allowed.includes(name)) {
    const near = allowed.find((a) => a.replace(/-/g, '') === name.replace(/[-_]/g, '').toLowerCase());
    c.fail(k, `unknown key '${name}'${near ? ` (did you mean '${near}'?)` : ''}`);
  }
  return name;
}
/** a command as a list, or a string run by /bin/sh -c (as --cmd) */
function command(c: Ctx, n: unknown, what: string): string[] {
  if (isScalar(n)) return ['/bin/sh', '-c', str(c, n, what)];
  return strings(c, n, what);
}

function users(c: Ctx, n: unknown): { name: string; uid: number }[] {
  return list(c, n, 'users').map((u, i) => {
    if (isScalar(u)) {
      const m = /^([a-z_][a-z0-9_.-]*\$?):(\d+)$/i.exec(str(c, u, `users[${i}]`));
      if (!m) c.fail(u, `users[${i}] must be NAME:UID`);
      return { name: m[1]!, uid: Number(m[2]) };
    }
    let name: string | undefined;
    let uid: number | undefined;
    for (const p of pairs(c, u, `users[${i}]`)) {
      const k = keyOf(c, p, ['name', 'uid'], `users[${i}]`);
      if (k === 'name') name = str(c, p.value, 'name');
      else {
        const v = p.value;
        if (!isScalar(v) || typeof v.value !== 'number' || !Number.isInteger(v.value) || v.value < 0) c.fail(v as Node, 'uid must be a non-negative integer');
        uid = v.value;
      }
    }
    if (name === undefined || uid === undefined) c.fail(u as Node, `users[${i}] needs name and uid`);
    return { name, uid };
  });
}

function files(c: Ctx, n: unknown): { src: string; dest: string }[] {
  return list(c, n, 'files').map((f, i) => {
    let src: string | undefined;
    let dest: string | undefined;
    if (isScalar(f)) {
      const s = str(c, f, `files[${i}]`);
      const at = s.lastIndexOf(':');
      if (at <= 0) c.fail(f, `files[${i}] must be SRC:DEST`);
      [src, dest] = [s.slice(0, at), s.slice(at + 1)];
    } else {
      for (const p of pairs(c, f, `files[${i}]`)) {
        const k = keyOf(c, p, ['src', 'dest'], `files[${i}]`);
        if (k === 'src') src = str(c, p.value, 'src');
        else dest = str(c, p.value, 'dest');
      }
    }
    if (src === undefined || dest === undefined) c.fail(f as Node, `files[${i}] needs src and dest`);
    if (!dest.startsWith('/')) c.fail(f as Node, `files[${i}]: dest must be an absolute path in the image`);
    return { src: c.path(src), dest };
  });
}

function repos(c: Ctx, n: unknown): NonNullable<ImageSpec['repos']> {
  const out: NonNullable<ImageSpec['repos']> = {};
  for (const p of pairs(c, n, 'repos')) {
    const k = keyOf(c, p, REPO_KEYS, 'repos');
    if (k === 'mirror') out.mirror = str(c, p.value, 'repos.mirror');
    else if (k === 'files') out.files = strings(c, p.value, 'repos.files').map((f) => c.path(f));
    else if (k === 'enable') out.enable = strings(c, p.value, 'repos.enable');
    else if (k === 'disable') out.disable = strings(c, p.value, 'repos.disable');
    else {
      out.repofrompath = list(c, p.value, 'repos.repofrompath').map((r, i) => {
        if (isScalar(r)) {
          const s = str(c, r, `repofrompath[${i}]`);
          const at = s.indexOf(',');
          if (at <= 0) c.fail(r, `repofrompath[${i}] must be ID,URL`);
          return [s.slice(0, at), s.slice(at + 1)] as [string, string];
        }
        let id: string | undefined;
        let url: string | undefined;
        for (const q of pairs(c, r, `repofrompath[${i}]`)) {
          if (keyOf(c, q, ['id', 'url'], `repofrompath[${i}]`) === 'id') id = str(c, q.value, 'id');
          else url = str(c, q.value, 'url');
        }
        if (id === undefined || url === undefined) c.fail(r as Node, `repofrompath[${i}] needs id and url`);
        return [id, /^[a-z][a-z0-9+.-]*:/i.test(url) ? url : c.path(url)] as [string, string];
      });
    }
  }
  return out;
}

function mapping(c: Ctx, n: unknown, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs(c, n, what)) {
    if (!isScalar(p.key)) c.fail(p.key as Node, `${what} keys must be strings`);
    out[String(p.key.value)] = isScalar(p.value) && p.value.value !== null ? String(p.value.value) : c.fail(p.value as Node, `${what}.${String(p.key.value)} must be a scalar`);
  }
  return out;
}

export function parseImageSpec(text: string, fileName: string): ImageSpec {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  const c = new Ctx(fileName, lc, dirname(resolve(fileName)));
  const err = doc.errors[0];
  if (err) {
    const p = lc.linePos(err.pos[0]);
    const where = `${fileName}:${p.line}:${p.col}`;
    throw new RfsError('RFS_BAD_CONFIG', `reading image spec: ${where}: ${err.message.split('\n')[0]}`, { subject: where, cause: err });
  }
  const spec: ImageSpec = { fileName, packages: [] };
  for (const p of pairs(c, doc.contents, 'the image spec')) {
    const k = keyOf(c, p, SPEC_KEYS, 'the image spec') as (typeof SPEC_KEYS)[number];
    const v = p.value;
    switch (k) {
      case 'distro': {
        const d = str(c, v, k);
        if (!/^[a-z][a-z0-9-]*:[A-Za-z0-9._-]+$/.test(d)) c.fail(v as Node, `distro must look like centos:4.9, got '${d}'`);
        spec.distro = d;
        break;
      }
      case 'arch': spec.arch = str(c, v, k); break;
      case 'releasever': spec.releasever = str(c, v, k); break;
      case 'packages': spec.packages = strings(c, v, k); break;
      case 'no-default-packages': spec.noDefaultPackages = bool(c, v, k); break;
      case 'exclude': spec.exclude = strings(c, v, k); break;
      case 'repos': spec.repos = repos(c, v); break;
      case 'profiles': spec.profiles = strings(c, v, k); break;
      case 'users': spec.users = users(c, v); break;
      case 'files': spec.files = files(c, v); break;
      case 'env':
        spec.env = isMap(v) ? Object.entries(mapping(c, v, k)).map(([a, b]) => `${a}=${b}`) : strings(c, v, k).map((e, i) => {
          if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(e)) c.fail((isSeq(v) ? v.items[i] : v) as Node, `env entries must be KEY=VALUE, got '${e}'`);
          return e;
        });
        break;
      case 'cmd': spec.cmd = command(c, v, k); break;
      case 'entrypoint': spec.entrypoint = command(c, v, k); break;
      case 'labels': spec.labels = mapping(c, v, k); break;
      case 'output': {
        if (isScalar(v)) { spec.output = { path: c.path(str(c, v, k)) }; break; }
        let path: string | undefined;
        let format: SpecOutputFormat | undefined;
        for (const q of pairs(c, v, k)) {
          if (keyOf(c, q, ['path', 'format'], k) === 'path') path = c.path(str(c, q.value, 'output.path'));
          else {
            const f = str(c, q.value, 'output.format');
            if (!FORMATS.includes(f as SpecOutputFormat)) c.fail(q.value as Node, `output.format must be one of ${FORMATS.join(', ')}`);
            format = f as SpecOutputFormat;
          }
        }
        if (path === undefined) return c.fail(v as Node, 'output needs a path');
        spec.output = { path, ...(format ? { format } : {}) };
        break;
      }
      case 'nodocs': spec.nodocs = bool(c, v, k); break;
      case 'install-langs': spec.installLangs = strings(c, v, k).flatMap((s) => s.split(/[:,]/)).filter(Boolean); break;
      case 'weak-deps': spec.weakDeps = bool(c, v, k); break;
      case 'gpgcheck': spec.gpgcheck = bool(c, v, k); break;
      case 'gpgkey': spec.gpgkey = strings(c, v, k).map((f) => (/^[a-z][a-z0-9+.-]*:/i.test(f) ? f : c.path(f))); break;
      case 'strict-scriptlets': spec.strictScriptlets = bool(c, v, k); break;
      case 'run-scriptlets': {
        const r = str(c, v, k);
        if (r !== 'userns') c.fail(v as Node, 'run-scriptlets must be userns (leave it out to only emulate)');
        spec.runScriptlets = 'userns';
        break;
      }
      case 'repo-rewrite': spec.repoRewrite = bool(c, v, k); break;
      case 'rpmdb': {
        const f = str(c, v, k);
        if (!FLAVOURS.includes(f as RpmdbFlavour)) c.fail(v as Node, `rpmdb must be one of ${FLAVOURS.join(', ')}`);
        spec.rpmdb = f as RpmdbFlavour;
        break;
      }
      case 'lockfile': spec.lockfile = c.path(str(c, v, k)); break;
      case 'locked': spec.locked = c.path(str(c, v, k)); break;
      case 'sbom': spec.sbom = c.path(str(c, v, k)); break;
    }
  }
  if (!spec.distro && !spec.repos?.repofrompath && !spec.repos?.files) {
    c.fail(doc.contents, 'name a distro (distro: centos:4.9) or repositories (repos.repofrompath / repos.files)');
  }
  return spec;
}
