// primary.xml <rpm:entry> attributes -> rpm sense bits and an [E:]V[-R] string.
import { Sense } from '../types/index.js';

const FLAGS: Record<string, number> = {
  EQ: Sense.EQUAL, LT: Sense.LESS, LE: Sense.LESS | Sense.EQUAL, GT: Sense.GREATER, GE: Sense.GREATER | Sense.EQUAL,
};

export function senseOf(flags: string | undefined, pre: string | undefined): number {
  let f = flags ? FLAGS[flags] ?? 0 : 0;
  // createrepo writes pre="1" for Requires(pre)/PreReq; rpm flags those PREREQ + SCRIPT_PRE.
  if (pre === '1' || pre === 'true') f |= Sense.PREREQ | Sense.SCRIPT_PRE;
  return f;
}

/** createrepo writes epoch="0" even when the dep had none: an epoch of 0 is left out, as rpm would print it. */
export function evrString(epoch: string | undefined, ver: string | undefined, rel: string | undefined): string {
  if (!ver && !rel) return epoch && epoch !== '0' ? `${epoch}:` : '';
  let s = ver ?? '';
  if (epoch && epoch !== '0') s = `${epoch}:${s}`;
  if (rel) s += `-${rel}`;
  return s;
}
