// An image spec file says what the command line says; this maps one onto the other.
import type { ImageSpec } from './spec/index.js';
import type { AssembleOptions } from './options.js';

type SpecOptions = Omit<AssembleOptions, 'output'> & { output?: AssembleOptions['output'] };

export function specToOptions(spec: ImageSpec): SpecOptions {
  const r = spec.repos;
  const o: SpecOptions = { packages: spec.packages };
  if (spec.distro) o.distro = spec.distro;
  if (spec.arch) o.arch = spec.arch;
  if (spec.platforms) o.platforms = spec.platforms;
  if (spec.releasever) o.releasever = spec.releasever;
  if (spec.noDefaultPackages) o.noDefaultPackages = true;
  if (spec.exclude) o.exclude = spec.exclude;
  if (r?.mirror) o.mirror = r.mirror;
  if (spec.imageMirror) o.imageMirror = spec.imageMirror;
  if (r?.repofrompath) o.repofrompath = r.repofrompath;
  if (r?.files) o.repoFiles = r.files;
  if (r?.enable) o.enablerepo = r.enable;
  if (r?.disable) o.disablerepo = r.disable;
  if (spec.profiles) o.profiles = spec.profiles;
  if (spec.users) o.users = spec.users;
  if (spec.files) o.addFiles = spec.files;
  if (spec.env) o.env = spec.env;
  if (spec.cmd) o.cmd = spec.cmd;
  if (spec.entrypoint) o.entrypoint = spec.entrypoint;
  if (spec.labels) o.labels = spec.labels;
  if (spec.output) o.output = spec.output;
  if (spec.nodocs !== undefined) o.nodocs = spec.nodocs;
  if (spec.installLangs) o.installLangs = spec.installLangs;
  if (spec.weakDeps !== undefined) o.weakDeps = spec.weakDeps;
  if (spec.setopt) o.setopt = spec.setopt;
  if (spec.skipBroken !== undefined) o.skipBroken = spec.skipBroken;
  if (spec.best !== undefined) o.best = spec.best;
  if (spec.modules) o.modules = spec.modules;
  if (spec.gpgcheck !== undefined) o.gpgcheck = spec.gpgcheck;
  if (spec.gpgkey) o.gpgkeys = spec.gpgkey;
  if (spec.strictScriptlets !== undefined) o.strictScriptlets = spec.strictScriptlets;
  if (spec.runScriptlets) o.runScriptlets = spec.runScriptlets;
  if (spec.repoRewrite !== undefined) o.repoRewrite = spec.repoRewrite;
  if (spec.layers !== undefined) o.layers = spec.layers;
  if (spec.from) o.from = spec.from;
  if (spec.rpmdb) o.rpmdb = spec.rpmdb;
  if (spec.rpmdbPath) o.rpmdbPath = spec.rpmdbPath;
  if (spec.clampMtime !== undefined) o.clampMtime = spec.clampMtime;
  if (spec.lockfile) o.lockfile = spec.lockfile;
  if (spec.locked) o.locked = spec.locked;
  if (spec.sbom) o.sbom = spec.sbom;
  if (spec.push) o.push = spec.push;
  if (spec.tlsVerify !== undefined) o.tlsVerify = spec.tlsVerify;
  if (spec.certDir) o.certDir = spec.certDir;
  if (spec.authFile) o.authFile = spec.authFile;
  if (spec.digestFile) o.digestFile = spec.digestFile;
  return o;
}
