// The OCI image config JSON (image-spec config.md) built from ImageConfig. Key order is fixed
// and labels are sorted, so the same inputs give the same digest.
import { compareStrings } from '../../util/compare.js';
import { GOVERNED_KEYS } from '../base/inherit.js';
import type { BaseConfig } from '../base/types.js';
import type { ImageConfig, WriteOutputOptions } from './types.js';

const ARCH: Record<string, { architecture: string; variant?: string }> = {
  x86_64: { architecture: 'amd64' }, amd64: { architecture: 'amd64' },
  aarch64: { architecture: 'arm64', variant: 'v8' }, arm64: { architecture: 'arm64', variant: 'v8' },
  i386: { architecture: '386' }, i486: { architecture: '386' }, i586: { architecture: '386' },
  i686: { architecture: '386' }, athlon: { architecture: '386' }, '386': { architecture: '386' },
  ppc64le: { architecture: 'ppc64le' }, ppc64: { architecture: 'ppc64' }, s390x: { architecture: 's390x' },
  armv7hl: { architecture: 'arm', variant: 'v7' }, armhfp: { architecture: 'arm', variant: 'v7' }, armv7l: { architecture: 'arm', variant: 'v7' },
  armv6hl: { architecture: 'arm', variant: 'v6' }, riscv64: { architecture: 'riscv64' },
};

/** rpm arch -> OCI/Go arch (+ variant); unknown arches (ia64, ppc) pass through as named. */
export function ociArch(rpmArch: string): { architecture: string; variant?: string } {
  return ARCH[rpmArch] ?? { architecture: rpmArch };
}

function sortedObject(rec: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(rec).sort(([a], [b]) => compareStrings(a, b)));
}

/**
 * `diffIds` and `comments` are our layers' (a comment each for package-chunked images; without,
 * the one default entry). Over a `base`, its diff_ids and history come first, and its platform
 * and its config's keys ImageConfig does not govern are kept.
 */
export function ociConfigJson(config: ImageConfig, diffIds: string[], comments?: string[], base?: WriteOutputOptions['base']): Uint8Array {
  const arch = ociArch(config.architecture);
  const platform = base?.config?.architecture !== undefined
    ? { architecture: base.config.architecture, ...(base.config.variant !== undefined ? { variant: base.config.variant } : {}), os: base.config.os ?? config.os }
    : { architecture: arch.architecture, ...(arch.variant !== undefined ? { variant: arch.variant } : {}), os: config.os };
  const entry = (comment: string): Record<string, unknown> => ({ created: config.created, created_by: 'rootfs-assemble', comment });
  const own = comments !== undefined && comments.length > 0
    ? comments.map(entry)
    : [entry(config.labels.summary ?? 'assembled from RPM packages')];
  const doc = {
    created: config.created,
    ...platform,
    config: innerConfig(config, base?.config),
    rootfs: { type: 'layers', diff_ids: [...(base?.layers.map((l) => l.diffId) ?? []), ...diffIds] },
    history: [...(base ? baseHistory(base.layers.length, base.config) : []), ...own],
  };
  return new TextEncoder().encode(JSON.stringify(doc));
}

function innerConfig(config: ImageConfig, base: BaseConfig | undefined): Record<string, unknown> {
  const inner: Record<string, unknown> = {};
  if (config.user !== undefined) inner.User = config.user;
  inner.Env = config.env;
  if (config.entrypoint !== undefined) inner.Entrypoint = config.entrypoint;
  if (config.cmd !== undefined) inner.Cmd = config.cmd;
  if (config.volumes !== undefined && config.volumes.length > 0) {
    inner.Volumes = Object.fromEntries([...config.volumes].sort().map((v) => [v, {}]));
  }
  if (config.workingDir !== undefined) inner.WorkingDir = config.workingDir;
  inner.Labels = sortedObject(config.labels);
  if (config.stopSignal !== undefined) inner.StopSignal = config.stopSignal;
  // the base's other keys (ExposedPorts, Healthcheck, Shell, ...) after ours, by name
  const rest = Object.keys(base?.config ?? {}).filter((k) => !GOVERNED_KEYS.has(k)).sort(compareStrings);
  for (const k of rest) inner[k] = base!.config[k];
  return inner;
}

/**
 * The base's history as stored when it names one entry per layer (empty_layer ones aside), as
 * the config must; else one entry per base layer, so history and diff_ids still agree.
 */
function baseHistory(layers: number, base: BaseConfig | undefined): Record<string, unknown>[] {
  const stored = base?.history ?? [];
  if (stored.filter((h) => h.empty_layer !== true).length === layers) return stored;
  return Array.from({ length: layers }, () => ({ created_by: 'rootfs-assemble --from', comment: 'base image layer' }));
}

/** Reference for archives: explicit, else "<name>:<version>" from labels, made valid. */
export function imageRef(config: ImageConfig, ref?: string): { name: string; tag: string } {
  const raw = ref ?? `${config.labels.name ?? 'rootfs'}:${config.labels.version ?? 'latest'}`;
  const colon = raw.lastIndexOf(':');
  const hasTag = colon > raw.lastIndexOf('/');
  const name = (hasTag ? raw.slice(0, colon) : raw).toLowerCase().replace(/[^a-z0-9._/:-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '') || 'rootfs';
  const tag = (hasTag ? raw.slice(colon + 1) : 'latest').replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[.-]+/, '').slice(0, 128) || 'latest';
  return { name, tag };
}
