import type { Evr } from '../types/deps.js';
import { rpmvercmp } from './rpmvercmp.js';

/**
 * Split `[E:]V[-R]` as rpm's parseEVR does: the epoch is the leading digits before a ':',
 * the release is everything after the last '-'.
 */
export function parseEvr(s: string): Evr {
  let epoch: number | null = null;
  let rest = s;
  let k = 0;
  while (k < s.length && s.charCodeAt(k) >= 48 && s.charCodeAt(k) <= 57) k++;
  if (s[k] === ':') {
    epoch = k === 0 ? 0 : Number(s.slice(0, k));
    rest = s.slice(k + 1);
  }
  const dash = rest.lastIndexOf('-');
  if (dash < 0) return { epoch, version: rest, release: '' };
  return { epoch, version: rest.slice(0, dash), release: rest.slice(dash + 1) };
}

/** Compare two package EVRs (a missing epoch counts as 0, as rpm does for packages). */
export function compareEvr(a: Evr, b: Evr): -1 | 0 | 1 {
  const ea = a.epoch ?? 0;
  const eb = b.epoch ?? 0;
  if (ea !== eb) return ea < eb ? -1 : 1;
  const v = rpmvercmp(a.version, b.version);
  if (v !== 0) return v;
  return rpmvercmp(a.release, b.release);
}

/** Format an EVR the way rpm prints it: epoch only when given and non-zero is NOT assumed. */
export function formatEvr(e: Evr): string {
  const ep = e.epoch !== null && e.epoch !== 0 ? `${e.epoch}:` : '';
  return e.release ? `${ep}${e.version}-${e.release}` : `${ep}${e.version}`;
}
