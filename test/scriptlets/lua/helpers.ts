// Runs Lua snippets through our interpreter and, when it is installed, through lua5.1.
import { spawnSync } from 'node:child_process';
import { ImageTree } from '../../../src/assemble/tree.js';
import { RunRecord } from '../../../src/scriptlets/context.js';
import { runLua } from '../../../src/scriptlets/lua/run.js';
import type { Limits } from '../../../src/scriptlets/lua/interp.js';

export const hasLua51 = spawnSync('lua5.1', ['-v'], { encoding: 'utf8' }).status === 0;

/** stdout of the real Lua 5.1 (errors to stderr end the run with status 1) */
export function realLua(src: string): { out: string; status: number | null } {
  const r = spawnSync('lua5.1', ['-'], { input: src, encoding: 'latin1' });
  return { out: r.stdout, status: r.status };
}

export function ourLua(src: string, opts: { tree?: ImageTree; limits?: Limits } = {}): { out: string; status: number; problems: string[]; actions: string[] } {
  const rec = new RunRecord();
  const tree = opts.tree ?? new ImageTree(1_700_000_000);
  const r = runLua(src, { fs: tree, now: 1_700_000_000, pubkeys: [], installed: new Set() }, rec, () => undefined, opts.limits ? { limits: opts.limits } : {});
  return { out: Buffer.from(r.output, 'latin1').toString('latin1'), status: r.status, problems: rec.problems, actions: rec.actions };
}
