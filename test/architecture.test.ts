// The one-way layer rule of docs/style.md, checked on every import in src/.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname, '..', 'src');

/** layer -> layers it may import (itself always allowed) */
const ALLOWED: Record<string, string[]> = {
  types: [],
  errors: ['types'],
  util: ['types', 'errors'],
  version: ['types', 'errors'],
  repos: ['types', 'errors', 'util'],
  fetch: ['types', 'errors', 'util', 'decompress'],
  decompress: ['types', 'errors', 'util'],
  metadata: ['types', 'errors', 'util', 'decompress', 'version'],
  rpm: ['types', 'errors', 'util', 'decompress'],
  tar: ['types', 'errors', 'util'],
  rpmdb: ['types', 'errors', 'util', 'rpm'],
  solver: ['types', 'errors', 'util', 'version'],
  // the scriptlet interpreters work on types/imagefs.ts's ImageFS; version for trigger conditions
  scriptlets: ['types', 'errors', 'util', 'version'],
  assemble: ['types', 'errors', 'util', 'version', 'repos', 'fetch', 'decompress', 'metadata', 'rpm', 'tar', 'rpmdb', 'solver', 'scriptlets'],
  query: ['types', 'errors', 'util', 'version', 'repos', 'fetch', 'decompress', 'metadata', 'rpm', 'tar', 'rpmdb', 'solver', 'scriptlets', 'assemble'],
  cli: ['types', 'errors', 'util', 'version', 'repos', 'fetch', 'decompress', 'metadata', 'rpm', 'tar', 'rpmdb', 'solver', 'scriptlets', 'assemble', 'query'],
};

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** the src files a file imports (relative imports, type-only ones included) */
function importsOf(f: string): string[] {
  return [...readFileSync(f, 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"](\.[^'"]+)['"]/g)].map((m) => {
    const t = resolve(dirname(f), m[1]!);
    if (t.endsWith('.js')) return t.slice(0, -3) + '.ts';
    return existsSync(join(t, 'index.ts')) ? join(t, 'index.ts') : t;
  });
}

/** every import cycle, as a path a -> b -> ... -> a, found by depth-first search */
function importCycles(files: string[]): string[] {
  const graph = new Map(files.map((f) => [f, importsOf(f).filter((t) => t !== f)]));
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[] = [];
  const visit = (f: string): void => {
    state.set(f, 'open');
    stack.push(f);
    for (const t of graph.get(f) ?? []) {
      if (!graph.has(t)) continue;
      if (state.get(t) === 'open') cycles.push([...stack.slice(stack.indexOf(t)), t].map((x) => relative(SRC, x)).join(' -> '));
      else if (!state.has(t)) visit(t);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of files) if (!state.has(f)) visit(f);
  return cycles;
}

describe('architecture', () => {
  const files = walk(SRC);
  it('every source file sits in a known layer', () => {
    for (const f of files) {
      const rel = relative(SRC, f);
      if (rel === 'index.ts') continue;
      expect(Object.keys(ALLOWED), rel).toContain(rel.split('/')[0]);
    }
  });
  it('imports only go down the layers', () => {
    const bad: string[] = [];
    for (const f of files) {
      const rel = relative(SRC, f);
      const layer = rel.split('/')[0]!;
      if (rel === 'index.ts') continue;
      const src = readFileSync(f, 'utf8');
      for (const m of src.matchAll(/(?:from|import)\s*\(?\s*['"](\.[^'"]+)['"]/g)) {
        const target = relative(SRC, resolve(dirname(f), m[1]!)).split('/')[0]!;
        if (target !== layer && !ALLOWED[layer]!.includes(target)) bad.push(`${rel} -> ${m[1]}`);
      }
    }
    expect(bad).toEqual([]);
  });
  it('no import cycles among src files', () => {
    expect(importCycles(files)).toEqual([]);
  });
  it('only the CLI prints', () => {
    const bad = files.filter((f) => {
      const rel = relative(SRC, f);
      return !rel.startsWith('cli/') && /\bconsole\.(log|error|warn|info)|process\.(stdout|stderr)\.write/.test(readFileSync(f, 'utf8'));
    });
    expect(bad.map((f) => relative(SRC, f))).toEqual([]);
  });
});
