// The parts of a base image's config (--from) a derived image inherits, read defensively: the
// config is the base's, untrusted; a value of the wrong shape is not inherited.

export interface Inherited {
  env: string[];
  labels: Record<string, string>;
  cmd?: string[];
  entrypoint?: string[];
  user?: string;
  workingDir?: string;
  stopSignal?: string;
  volumes?: string[];
}

const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const record = (v: unknown): Record<string, unknown> | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : undefined);

/** The image-spec `config` object's User, Env, Entrypoint, Cmd, WorkingDir, Labels, StopSignal and Volumes. */
export function inheritedConfig(config: Record<string, unknown>): Inherited {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(record(config.Labels) ?? {})) if (typeof v === 'string') labels[k] = v;
  const volumes = Object.keys(record(config.Volumes) ?? {});
  const out: Inherited = { env: (strings(config.Env) ?? []).filter((kv) => kv.includes('=')), labels };
  const cmd = strings(config.Cmd);
  const entrypoint = strings(config.Entrypoint);
  if (cmd) out.cmd = cmd;
  if (entrypoint) out.entrypoint = entrypoint;
  const user = text(config.User);
  const workingDir = text(config.WorkingDir);
  const stopSignal = text(config.StopSignal);
  if (user !== undefined) out.user = user;
  if (workingDir !== undefined) out.workingDir = workingDir;
  if (stopSignal !== undefined) out.stopSignal = stopSignal;
  if (volumes.length > 0) out.volumes = volumes;
  return out;
}

/** The config keys ImageConfig governs; a base's other keys (ExposedPorts, Healthcheck, Shell, ...) pass through. */
export const GOVERNED_KEYS = new Set(['User', 'Env', 'Entrypoint', 'Cmd', 'Volumes', 'WorkingDir', 'Labels', 'StopSignal']);
