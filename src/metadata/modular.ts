// dnf's modular filtering: packages of streams that are neither default nor enabled are hidden,
// and so are non-modular packages whose names an active stream provides (modules win), except
// in repos with module_hotfixes.
import type { RepoPackage } from '../types/index.js';
import type { LoadedRepo } from './load.js';

export function nevraKey(p: RepoPackage): string {
  return `${p.name}-${p.epoch}:${p.version}-${p.release}.${p.arch}`;
}

/** "name-[epoch:]version-release.arch" -> "name-epoch:version-release.arch" */
function normalizeArtifact(a: string): string {
  const m = /^(.*)-(?:(\d+):)?([^-:]+)-([^-]+)\.([^.]+)$/.exec(a);
  return m ? `${m[1]}-${m[2] ?? '0'}:${m[3]}-${m[4]}.${m[5]}` : a;
}

/** Filters `packages` of every repo in place. enable: "name:stream" overriding the defaults. */
export function filterModular(repos: LoadedRepo[], opts: { enable?: string[] } = {}): void {
  const active = new Map<string, string>();
  for (const r of repos) for (const d of r.modules?.defaults ?? []) if (d.stream) active.set(d.name, d.stream);
  for (const e of opts.enable ?? []) {
    const [name, stream] = e.split(':');
    if (name && stream) active.set(name, stream);
  }
  const modularNevra = new Set<string>();
  const activeNevra = new Set<string>();
  const activeNames = new Set<string>();
  const modularNames = new Set<string>();
  let any = false;
  for (const r of repos) {
    for (const s of r.modules?.streams ?? []) {
      any = true;
      const on = active.get(s.name) === s.stream;
      for (const a of s.artifacts) {
        const k = normalizeArtifact(a);
        modularNevra.add(k);
        const name = k.replace(/-\d+:[^-:]+-[^-]+\.[^.]+$/, '');
        modularNames.add(name);
        if (on) { activeNevra.add(k); activeNames.add(name); }
      }
    }
  }
  if (!any) return;
  for (const r of repos) {
    if (r.config.moduleHotfixes) continue;
    r.packages = r.packages.filter((p) => {
      // most names are in no module at all (activeNames is a subset): skip building the key
      if (!modularNames.has(p.name)) return true;
      const k = nevraKey(p);
      if (modularNevra.has(k)) return activeNevra.has(k);
      return !activeNames.has(p.name);
    });
  }
}
