// Parse and validate an image spec (YAML or JSON). Keys are the CLI's long flag names
// (`profile:`, `mirror:`, `add-file:`); the older spellings (`profiles:`, `repos: { mirror }` …)
// still work and come back as deprecation warnings. Every problem of a file is reported at once,
// each at its `file:line:col` (RFS_BAD_CONFIG, subject: the first one). The accepted shape is
// documented in schema.json next to this file; test/spec checks the two agree.
import { MAX_LAYERS } from '../layers.js';
import { dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Node, Pair } from 'yaml';
import { RfsError } from '../../errors/index.js';
import type { RpmdbFlavour } from '../../types/index.js';
import { resolveKeyName } from '../../util/pgp/index.js';
import { nearest } from './suggest.js';
import { parseSetopts } from '../../repos/setopt.js';
import { checkModuleArgs } from '../dnf-options.js';
import { parseAddFile } from '../add-file.js';
import type { ImageSpec, SpecOutputFormat, SpecWarning } from './types.js';

export type { ImageSpec, SpecOutputFormat, SpecWarning } from './types.js';

const FORMATS: SpecOutputFormat[] = ['tar', 'oci-archive', 'oci', 'docker-archive', 'dir'];
const FLAVOURS: RpmdbFlavour[] = ['bdb-hash-v8', 'bdb-hash-v9', 'sqlite', 'ndb'];

/** the keys, each a long flag name of `rootfs-assemble <distro>` (distro and packages are its positionals) */
export const SPEC_KEYS = [
  'distro', 'packages', 'arch', 'platform', 'releasever', 'mirror', 'repofrompath', 'repo-file', 'enablerepo', 'disablerepo',
  'no-default-packages', 'exclude', 'weak-deps', 'no-weak-deps', 'setopt', 'skip-broken', 'best', 'nobest', 'module', 'nodocs', 'install-langs', 'gpgcheck', 'nogpgcheck', 'gpgkey',
  'profile', 'user', 'add-file', 'env', 'label', 'cmd', 'entrypoint', 'output', 'format', 'layers', 'rpmdb', 'rpmdb-path',
  'strict-scriptlets', 'run-scriptlets', 'repo-rewrite', 'image-mirror', 'clamp-mtime', 'lockfile', 'locked', 'sbom',
  'push', 'tls-verify', 'cert-dir', 'authfile', 'digest-file', 'from',
] as const;
type Key = (typeof SPEC_KEYS)[number];

/** older top-level spellings → the flag name */
export const DEPRECATED_KEYS: Readonly<Record<string, Key>> = { profiles: 'profile', users: 'user', files: 'add-file', labels: 'label' };
/** the older `repos:` block's keys → the top-level flag name */
export const DEPRECATED_REPO_KEYS: Readonly<Record<string, Key>> = {
  mirror: 'mirror', repofrompath: 'repofrompath', files: 'repo-file', enable: 'enablerepo', disable: 'disablerepo',
};
/** keys that set one option between them: giving two of a group is an error */
const GROUP: Partial<Record<Key, string>> = { nogpgcheck: 'gpgcheck', 'no-weak-deps': 'weak-deps', nobest: 'best' };

/** one problem at a node; caught per key or list item so that the rest is still checked */
class Problem extends Error {}

class Ctx {
  readonly problems: { at: number; where: string; message: string }[] = [];
  readonly warnings: SpecWarning[] = [];
  /** `format:` waits for `output:`, which may come later in the file */
  format: SpecOutputFormat | undefined;
  constructor(readonly file: string, readonly lc: LineCounter, readonly base: string) {}
  at(node: Node | null | undefined): string {
    const off = node?.range?.[0];
    if (off === undefined) return this.file;
    const p = this.lc.linePos(off);
    return `${this.file}:${p.line}:${p.col}`;
  }
  fail(node: Node | null | undefined, msg: string): never {
    this.problems.push({ at: node?.range?.[0] ?? Infinity, where: this.at(node), message: msg });
    throw new Problem(msg);
  }
  guard<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      if (e instanceof Problem) return undefined;
      throw e;
    }
  }
  warn(node: Node | null | undefined, message: string): void {
    this.warnings.push({ subject: this.at(node), message: `${this.at(node)}: ${message}` });
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
/** each item through fn; a bad item is recorded and left out, the others still checked */
function each<T>(c: Ctx, n: unknown, what: string, fn: (item: unknown, i: number) => T): T[] {
  const out: T[] = [];
  list(c, n, what).forEach((x, i) => {
    const r = c.guard(() => fn(x, i));
    if (r !== undefined) out.push(r);
  });
  return out;
}
function strings(c: Ctx, n: unknown, what: string): string[] {
  return each(c, n, what, (x, i) => str(c, x, `${what}[${i}]`));
}
function pairs(c: Ctx, n: unknown, what: string): Pair<unknown, unknown>[] {
  if (!isMap(n)) c.fail(n as Node, `${what} must be a mapping`);
  return n.items;
}
function unknownKey(name: string, known: readonly string[]): string {
  const found = nearest(name, known);
  // suggest the flag name, not an older spelling of it
  const near = found === 'repos' ? undefined : found && (DEPRECATED_KEYS[found] ?? found);
  return `unknown key '${name}'${near ? ` (did you mean '${near}'?)` : ''}`;
}
function keyOf(c: Ctx, p: Pair<unknown, unknown>, allowed: readonly string[], what: string): string {
  const k = p.key;
  if (!isScalar(k) || typeof k.value !== 'string') c.fail(k as Node, `${what} keys must be strings`);
  if (!allowed.includes(k.value)) c.fail(k, unknownKey(k.value, allowed));
  return k.value;
}
/** a command as a list, or a string run by /bin/sh -c (as --cmd) */
function command(c: Ctx, n: unknown, what: string): string[] {
  if (isScalar(n)) return ['/bin/sh', '-c', str(c, n, what)];
  return strings(c, n, what);
}
function oneOf<T extends string>(c: Ctx, n: unknown, what: string, allowed: readonly T[]): T {
  const v = str(c, n, what);
  if (!allowed.includes(v as T)) {
    const near = nearest(v, allowed);
    c.fail(n as Node, `${what} must be one of ${allowed.join(', ')}${near ? ` (did you mean '${near}'?)` : ''}`);
  }
  return v as T;
}

function user(c: Ctx, u: unknown, i: number): { name: string; uid: number } {
  if (isScalar(u)) {
    const m = /^([a-z_][a-z0-9_.-]*\$?):(\d+)$/i.exec(str(c, u, `user[${i}]`));
    if (!m) c.fail(u, `user[${i}] must be NAME:UID`);
    return { name: m[1]!, uid: Number(m[2]) };
  }
  let name: string | undefined;
  let uid: number | undefined;
  for (const p of pairs(c, u, `user[${i}]`)) {
    const k = keyOf(c, p, ['name', 'uid'], `user[${i}]`);
    if (k === 'name') name = str(c, p.value, 'name');
    else {
      const v = p.value;
      if (!isScalar(v) || typeof v.value !== 'number' || !Number.isInteger(v.value) || v.value < 0) c.fail(v as Node, 'uid must be a non-negative integer');
      uid = v.value;
    }
  }
  if (name === undefined || uid === undefined) c.fail(u as Node, `user[${i}] needs name and uid`);
  return { name, uid };
}

function addFile(c: Ctx, f: unknown, i: number): { src: string; dest: string; mode?: number } {
  let src: string | undefined;
  let dest: string | undefined;
  let mode: number | undefined;
  if (isScalar(f)) {
    const s = str(c, f, `add-file[${i}]`);
    const a = parseAddFile(s);
    if (!a) c.fail(f, `add-file[${i}] must be SRC:DEST[:MODE] (DEST absolute, MODE octal)`);
    ({ src, dest, mode } = a);
  } else {
    for (const p of pairs(c, f, `add-file[${i}]`)) {
      const k = keyOf(c, p, ['src', 'dest', 'mode'], `add-file[${i}]`);
      if (k === 'src') src = str(c, p.value, 'src');
      else if (k === 'dest') dest = str(c, p.value, 'dest');
      else {
        const m = str(c, p.value, 'mode');
        if (!/^[0-7]{3,4}$/.test(m)) c.fail(p.value as Node, `add-file[${i}].mode must be octal digits such as "0755"`);
        mode = parseInt(m, 8);
      }
    }
  }
  if (src === undefined || dest === undefined) c.fail(f as Node, `add-file[${i}] needs src and dest`);
  if (!dest.startsWith('/')) c.fail(f as Node, `add-file[${i}]: dest must be an absolute path in the image`);
  return { src: c.path(src), dest, ...(mode !== undefined ? { mode } : {}) };
}

function repofrompath(c: Ctx, r: unknown, i: number): [string, string] {
  if (isScalar(r)) {
    const s = str(c, r, `repofrompath[${i}]`);
    const at = s.indexOf(',');
    if (at <= 0) c.fail(r, `repofrompath[${i}] must be ID,URL`);
    return [s.slice(0, at), s.slice(at + 1)];
  }
  let id: string | undefined;
  let url: string | undefined;
  for (const q of pairs(c, r, `repofrompath[${i}]`)) {
    if (keyOf(c, q, ['id', 'url'], `repofrompath[${i}]`) === 'id') id = str(c, q.value, 'id');
    else url = str(c, q.value, 'url');
  }
  if (id === undefined || url === undefined) c.fail(r as Node, `repofrompath[${i}] needs id and url`);
  return [id, /^[a-z][a-z0-9+.-]*:/i.test(url) ? url : c.path(url)];
}

function mapping(c: Ctx, n: unknown, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs(c, n, what)) {
    c.guard(() => {
      if (!isScalar(p.key)) c.fail(p.key as Node, `${what} keys must be strings`);
      out[String(p.key.value)] = isScalar(p.value) && p.value.value !== null ? String(p.value.value) : c.fail(p.value as Node, `${what}.${String(p.key.value)} must be a scalar`);
    });
  }
  return out;
}

/** `label: [K=V]` as on the command line, or a mapping */
function keyValues(c: Ctx, n: unknown, what: string, keyRe: RegExp): [string, string][] {
  if (isMap(n)) return Object.entries(mapping(c, n, what));
  return each(c, n, what, (x) => {
    const e = str(c, x, what);
    const i = e.indexOf('=');
    if (i <= 0 || !keyRe.test(e.slice(0, i))) c.fail(x as Node, `${what} entries must be KEY=VALUE, got '${e}'`);
    return [e.slice(0, i), e.slice(i + 1)] as [string, string];
  });
}

/** a --setopt/--module check's message and hint, as one spec problem */
const withHint = (e: unknown): string => (e instanceof RfsError ? `${e.message}${e.hint ? ` (${e.hint})` : ''}` : String(e));

type Handler = (c: Ctx, v: unknown, s: ImageSpec, k: Key, key: Node) => void;
const repos = (s: ImageSpec): NonNullable<ImageSpec['repos']> => (s.repos ??= {});
const HANDLERS: Record<Key, Handler> = {
  distro: (c, v, s, k) => {
    const d = str(c, v, k);
    if (!/^[a-z][a-z0-9-]*:[A-Za-z0-9._-]+$/.test(d)) c.fail(v as Node, `distro must look like centos:4.9, got '${d}'`);
    s.distro = d;
  },
  packages: (c, v, s, k) => { s.packages = strings(c, v, k); },
  arch: (c, v, s, k) => { s.arch = str(c, v, k); },
  platform: (c, v, s, k) => { s.platforms = strings(c, v, k); },
  releasever: (c, v, s, k) => { s.releasever = str(c, v, k); },
  mirror: (c, v, s, k) => { repos(s).mirror = str(c, v, k); },
  repofrompath: (c, v, s, k) => { repos(s).repofrompath = each(c, v, k, (r, i) => repofrompath(c, r, i)); },
  'repo-file': (c, v, s, k) => { repos(s).files = strings(c, v, k).map((f) => c.path(f)); },
  enablerepo: (c, v, s, k) => { repos(s).enable = strings(c, v, k); },
  disablerepo: (c, v, s, k) => { repos(s).disable = strings(c, v, k); },
  'no-default-packages': (c, v, s, k) => { s.noDefaultPackages = bool(c, v, k); },
  exclude: (c, v, s, k) => { s.exclude = strings(c, v, k); },
  'weak-deps': (c, v, s, k) => { s.weakDeps = bool(c, v, k); },
  'no-weak-deps': (c, v, s, k) => { s.weakDeps = !bool(c, v, k); },
  setopt: (c, v, s, k) => {
    s.setopt = strings(c, v, k);
    try { parseSetopts(s.setopt); } catch (e) { c.fail(v as Node, withHint(e)); }
  },
  'skip-broken': (c, v, s, k) => { s.skipBroken = bool(c, v, k); },
  best: (c, v, s, k) => { s.best = bool(c, v, k); },
  nobest: (c, v, s, k) => { s.best = !bool(c, v, k); },
  module: (c, v, s, k) => {
    s.modules = strings(c, v, k);
    try { checkModuleArgs(s.modules); } catch (e) { c.fail(v as Node, withHint(e)); }
  },
  nodocs: (c, v, s, k) => { s.nodocs = bool(c, v, k); },
  'install-langs': (c, v, s, k) => { s.installLangs = strings(c, v, k).flatMap((x) => x.split(/[:,]/)).filter(Boolean); },
  gpgcheck: (c, v, s, k) => { s.gpgcheck = bool(c, v, k); },
  nogpgcheck: (c, v, s, k) => { s.gpgcheck = !bool(c, v, k); },
  gpgkey: (c, v, s, k) => { s.gpgkey = strings(c, v, k).map((f) => resolveKeyName(f, c.base)); },
  profile: (c, v, s, k) => { s.profiles = strings(c, v, k); },
  user: (c, v, s, k) => { s.users = each(c, v, k, (u, i) => user(c, u, i)); },
  'add-file': (c, v, s, k) => { s.files = each(c, v, k, (f, i) => addFile(c, f, i)); },
  env: (c, v, s, k) => { s.env = keyValues(c, v, k, /^[A-Za-z_][A-Za-z0-9_]*$/).map(([a, b]) => `${a}=${b}`); },
  label: (c, v, s, k) => { s.labels = Object.fromEntries(keyValues(c, v, k, /./)); },
  cmd: (c, v, s, k) => { s.cmd = command(c, v, k); },
  entrypoint: (c, v, s, k) => { s.entrypoint = command(c, v, k); },
  output: (c, v, s, k) => {
    if (isScalar(v)) { s.output = { path: c.path(str(c, v, k)) }; return; }
    c.warn(v as Node, "'output: { path, format }' is deprecated: write 'output: PATH' and 'format: FMT'");
    let path: string | undefined;
    let format: SpecOutputFormat | undefined;
    for (const q of pairs(c, v, k)) {
      c.guard(() => {
        if (keyOf(c, q, ['path', 'format'], k) === 'path') path = c.path(str(c, q.value, 'output.path'));
        else format = oneOf(c, q.value, 'output.format', FORMATS);
      });
    }
    if (path === undefined) return c.fail(v as Node, 'output needs a path');
    s.output = { path, ...(format ? { format } : {}) };
  },
  format: (c, v, _s, k) => { c.format = oneOf(c, v, k, FORMATS); },
  layers: (c, v, s, k) => {
    const n = isScalar(v) ? v.value : undefined;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_LAYERS) return c.fail(v as Node, `${k} must be an integer 1..${MAX_LAYERS}`);
    s.layers = n;
  },
  rpmdb: (c, v, s, k) => { s.rpmdb = oneOf(c, v, k, FLAVOURS); },
  'rpmdb-path': (c, v, s, k) => { s.rpmdbPath = str(c, v, k); },
  'strict-scriptlets': (c, v, s, k) => { s.strictScriptlets = bool(c, v, k); },
  'run-scriptlets': (c, v, s, k) => {
    if (str(c, v, k) !== 'userns') c.fail(v as Node, 'run-scriptlets must be userns (leave it out to only emulate)');
    s.runScriptlets = 'userns';
  },
  'repo-rewrite': (c, v, s, k) => { s.repoRewrite = bool(c, v, k); },
  'image-mirror': (c, v, s, k) => { s.imageMirror = str(c, v, k); },
  'clamp-mtime': (c, v, s, k) => { s.clampMtime = bool(c, v, k); },
  lockfile: (c, v, s, k) => { s.lockfile = c.path(str(c, v, k)); },
  locked: (c, v, s, k) => { s.locked = c.path(str(c, v, k)); },
  sbom: (c, v, s, k) => { s.sbom = c.path(str(c, v, k)); },
  push: (c, v, s, k) => { s.push = str(c, v, k); },
  // a Dockerfile's FROM: a registry reference as it is, a file or layout (after its transport) against the spec's directory
  from: (c, v, s, k) => {
    const given = str(c, v, k);
    const m = /^(oci|oci-archive|docker-archive):(.+)$/.exec(given);
    s.from = given.startsWith('docker://') ? given : m ? `${m[1]}:${c.path(m[2]!)}` : c.path(given);
  },
  'tls-verify': (c, v, s, k) => { s.tlsVerify = bool(c, v, k); },
  'cert-dir': (c, v, s, k) => { s.certDir = c.path(str(c, v, k)); },
  authfile: (c, v, s, k) => { s.authFile = c.path(str(c, v, k)); },
  'digest-file': (c, v, s, k) => { s.digestFile = c.path(str(c, v, k)); },
};

const ALL_NAMES = [...SPEC_KEYS, ...Object.keys(DEPRECATED_KEYS), 'repos'];

export function parseImageSpec(text: string, fileName: string): ImageSpec {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  const c = new Ctx(fileName, lc, dirname(resolve(fileName)));
  for (const err of doc.errors) {
    const p = lc.linePos(err.pos[0]);
    c.problems.push({ at: err.pos[0], where: `${fileName}:${p.line}:${p.col}`, message: err.message.split('\n')[0] ?? 'YAML syntax error' });
  }
  const spec: ImageSpec = { fileName, packages: [] };
  if (doc.errors.length === 0) {
    const seen = new Map<string, string>(); // option group → the key that set it, where
    const apply = (k: Key, v: unknown, keyNode: Node, written: string): void => {
      const group = GROUP[k] ?? k;
      const before = seen.get(group);
      if (before) c.fail(keyNode, `'${written}' sets the same option as ${before}: give one`);
      seen.set(group, `'${written}' at ${c.at(keyNode)}`);
      HANDLERS[k](c, v, spec, k, keyNode);
    };
    c.guard(() => {
      for (const p of pairs(c, doc.contents, 'the image spec')) {
        c.guard(() => {
          const name = keyOf(c, p, ALL_NAMES, 'the image spec');
          const keyNode = p.key as Node;
          if (name === 'repos') {
            for (const q of pairs(c, p.value, 'repos')) {
              c.guard(() => {
                const old = keyOf(c, q, Object.keys(DEPRECATED_REPO_KEYS), 'repos');
                const k = DEPRECATED_REPO_KEYS[old]!;
                c.warn(q.key as Node, `'repos.${old}' is deprecated: write '${k}' at the top level`);
                apply(k, q.value, q.key as Node, `repos.${old}`);
              });
            }
            return;
          }
          const k = DEPRECATED_KEYS[name] ?? (name as Key);
          if (k !== name) c.warn(keyNode, `'${name}' is deprecated: write '${k}'`);
          apply(k, p.value, keyNode, name);
        });
      }
    });
    const pendingFormat = c.format;
    if (pendingFormat) {
      if (!spec.output) c.guard(() => c.fail(doc.contents, "'format' needs 'output' (the image's path)"));
      else if (spec.output.format && spec.output.format !== pendingFormat) c.guard(() => c.fail(doc.contents, `'format: ${pendingFormat}' contradicts output.format '${spec.output?.format}'`));
      else spec.output.format = pendingFormat;
    }
    if (c.problems.length === 0 && !spec.distro && !spec.repos?.repofrompath && !spec.repos?.files) {
      c.guard(() => c.fail(doc.contents, 'name a distro (distro: centos:4.9) or repositories (repofrompath / repo-file)'));
    }
  }
  if (c.problems.length > 0) throw specError(c);
  if (c.warnings.length > 0) spec.warnings = c.warnings;
  return spec;
}

function specError(c: Ctx): RfsError {
  const ps = [...c.problems].sort((a, b) => a.at - b.at);
  const first = ps[0]!;
  const message = ps.length === 1
    ? `reading image spec: ${first.where}: ${first.message}`
    : `reading image spec: ${ps.length} problems:\n${ps.map((p) => `  ${p.where}: ${p.message}`).join('\n')}`;
  return new RfsError('RFS_BAD_CONFIG', message, { subject: first.where, hint: 'see the image spec schema (src/assemble/spec/schema.json)' });
}
