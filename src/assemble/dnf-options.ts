// dnf's solver options as the build, `resolve` and planInstall read them: --setopt main keys
// folded into the flags they mirror (a setopt wins over the flag, as dnf 4 applies setopts last),
// the --best default per era, and --module streams checked against the repos' modules.yaml.
import { RfsError, untrusted } from '../errors/index.js';
import type { LoadedRepo } from '../metadata/load.js';
import { parseSetopts, type RepoSetopt } from '../repos/setopt.js';
import type { DistroRelease } from '../types/index.js';
import { didYouMean } from '../util/suggest.js';
import type { AssembleOptions } from './options.js';

type Solving = Pick<AssembleOptions, 'setopt' | 'weakDeps' | 'nodocs' | 'exclude' | 'best' | 'skipBroken'>;

/** The options with the main --setopt keys applied over the flags. */
export function withMainSetopts<T extends Solving>(opts: T): T {
  const out: T = { ...opts };
  for (const { key, value } of parseSetopts(opts.setopt ?? []).main) {
    const list = Array.isArray(value) ? value : [];
    switch (key) {
      case 'best': out.best = value === true; break;
      case 'skip_broken': out.skipBroken = value === true; break;
      case 'strict': out.skipBroken = value !== true; break;
      case 'install_weak_deps': out.weakDeps = value === true; break;
      // nodocs is the only tsflag taken (parseSetopts refuses the others); empty clears
      case 'tsflags': out.nodocs = list.includes('nodocs'); break;
      case 'exclude': case 'excludepkgs': out.exclude = list.length ? [...(out.exclude ?? []), ...list] : []; break;
    }
  }
  return out;
}

/** --setopt REPOID.KEY=VALUE and the main gpgcheck default, for applyRepoOptions. */
export function repoSetoptsOf(setopt: readonly string[] | undefined): { repoSetopts?: RepoSetopt[]; gpgcheck?: boolean } {
  const s = parseSetopts(setopt ?? []);
  const gpg = s.main.filter((m) => m.key === 'gpgcheck').pop();
  return { ...(s.repo.length ? { repoSetopts: s.repo } : {}), ...(gpg ? { gpgcheck: gpg.value === true } : {}) };
}

/**
 * best when neither --best nor --nobest says: EL8+ ship best=True in dnf.conf and yum never
 * fell back to an older version of a requested package; Fedora's dnf.conf says best=False.
 */
export function bestFor(best: boolean | undefined, distro: DistroRelease | null): boolean {
  return best ?? distro?.distro !== 'fedora';
}

const usage = (message: string, subject: string, hint: string): RfsError => new RfsError('RFS_USAGE', message, { subject, hint });

/** Check NAME:STREAM syntax and that no module is named twice (before anything is fetched). */
export function checkModuleArgs(modules: readonly string[]): void {
  const seen = new Map<string, string>();
  for (const m of modules) {
    const [name, stream, extra] = m.split(':');
    if (!name || !stream || extra !== undefined) throw usage(`--module ${untrusted(m, 80)}: expected NAME:STREAM`, untrusted(m, 80), 'e.g. --module nodejs:18 (as dnf module enable nodejs:18)');
    const prev = seen.get(name);
    if (prev !== undefined && prev !== stream) {
      throw usage(`--module: two streams of module ${untrusted(name, 80)} (${untrusted(prev, 40)} and ${untrusted(stream, 40)})`, untrusted(name, 80), 'enable one stream per module, as dnf module enable does');
    }
    seen.set(name, stream);
  }
}

/** Each --module must name a stream some repo's modules.yaml defines. */
export function checkModulesExist(modules: readonly string[], loaded: readonly LoadedRepo[]): void {
  if (!modules.length) return;
  const streams = new Map<string, Set<string>>();
  for (const r of loaded) for (const s of r.modules?.streams ?? []) {
    const set = streams.get(s.name) ?? new Set<string>();
    set.add(s.stream);
    streams.set(s.name, set);
  }
  if (!streams.size) {
    throw usage(`--module ${untrusted(modules[0]!, 80)}: no enabled repo has module metadata (modules.yaml)`, loaded.map((r) => r.config.id).join(','),
      'module streams exist in EL8+/Fedora modular repos (e.g. AppStream); these repos have none: drop --module');
  }
  const t = (s: string): string => untrusted(s, 80);
  for (const m of modules) {
    const [name = '', stream = ''] = m.split(':');
    const known = streams.get(name);
    if (!known) {
      const names = [...streams.keys()].sort();
      const near = didYouMean(name, names);
      throw usage(`--module ${t(m)}: no module ${t(name)} in the enabled repos`, t(m), `${near ? `${near} ` : ''}modules: ${names.slice(0, 40).map(t).join(', ')}${names.length > 40 ? ', ...' : ''}`);
    }
    if (!known.has(stream)) {
      const list = [...known].sort();
      const near = didYouMean(stream, list);
      throw usage(`--module ${t(m)}: module ${t(name)} has no stream ${t(stream)}`, t(m), `${near ? `${near} ` : ''}streams of ${t(name)}: ${list.map(t).join(', ')}`);
    }
  }
}
