import { describe, expect, it } from 'vitest';
import { resolve } from '../../src/solver/index.js';
import type { CompsGroup } from '../../src/types/package.js';
import { poolOf, solve } from './helpers.js';

const group = (id: string, mandatory: string[], dflt: string[] = [], optional: string[] = []): CompsGroup =>
  ({ id, name: id.toUpperCase(), mandatory, default: dflt, optional, conditional: [] });

const TAGS = ['core-a', 'core-b', 'core-opt', 'std-a', 'extra-a', 'web-a', 'env-name-clash']
  .map((n) => `=Pkg: ${n} 1 1 noarch`).join('\n');

// comps environments as dnf installs them (dnf/comps.py _environment_install): the grouplist's
// groups with their mandatory and default packages; the optionlist is only recorded
describe('comps environments', () => {
  const pool = poolOf([
    {
      id: 'base', tags: TAGS,
      groups: [group('core', ['core-a'], ['core-b'], ['core-opt']), group('standard', ['std-a']), group('clash', ['env-name-clash'])],
      environments: [{ id: 'minimal-environment', name: 'Minimal Install', groups: ['core', 'missing-group'], options: ['standard'] },
        { id: 'clash', name: 'Clash', groups: ['standard'], options: [] }],
    },
    {
      id: 'app', tags: '=Pkg: app-only 1 1 noarch',
      groups: [group('web', ['web-a'])],
      // the same environment in a second repo adds a group (libcomps merges them)
      environments: [{ id: 'minimal-environment', name: 'Minimal Install', groups: ['web'], options: [] }],
    },
  ]);

  it('@^id installs the grouplist (mandatory + default), not the optionlist, merged over repos', () => {
    expect(solve(pool, ['@^minimal-environment'])).toEqual(['core-a-1-1.noarch@base', 'core-b-1-1.noarch@base', 'web-a-1-1.noarch@base']);
  });
  it('@id falls back to an environment when no group matches, by id or name', () => {
    expect(solve(pool, ['@minimal-environment'])).toEqual(solve(pool, ['@^minimal-environment']));
    expect(solve(pool, ['@minimal install'])).toEqual(solve(pool, ['@^minimal-environment']));
  });
  it('@id prefers a group of that id; @^id takes only the environment', () => {
    expect(solve(pool, ['@clash'])).toEqual(['env-name-clash-1-1.noarch@base']);
    expect(solve(pool, ['@^clash'])).toEqual(['std-a-1-1.noarch@base']);
  });
  it('@^id of a group that is no environment is not found', () => {
    const r = resolve(pool, { install: ['@^core'] });
    expect(r.ok ? [] : r.problems).toEqual([{ kind: 'not-found', request: '@^core', chain: [] }]);
  });
  it('reports members as requested, and skips a member that is only excluded', () => {
    const r = resolve(pool, { install: ['@^minimal-environment'] });
    expect(r.ok && r.transaction.reasons.get(r.transaction.packages[0]!)).toBe('requested (core-a)');
    const bad = resolve(pool, { install: ['@^minimal-environment'], exclude: ['core-a'] });
    // a group member that is only excluded is skipped, as dnf skips it ("No match for group package")
    expect(bad.ok && bad.transaction.packages.map((p) => p.name)).toEqual(['core-b', 'web-a']);
  });
});

// comps conditional members (<packagereq type="conditional" requires="gtk3">): dnf installs
// `(name if requires)`, so the member comes in exactly when the answer installs what it requires
describe('comps conditional members', () => {
  const tags = [
    '=Pkg: ui 1 1 noarch', '=Req: gtk3',
    '=Pkg: gtk3 1 1 noarch',
    '=Pkg: gtk2 1 1 noarch',
    '=Pkg: im-gtk3 1 1 noarch', '=Req: gtk3',
    '=Pkg: im-gtk2 1 1 noarch', '=Req: gtk2',
    '=Pkg: im-chain 1 1 noarch',
    '=Pkg: im-broken 1 1 noarch', '=Req: nothing-provides-this',
  ].join('\n');
  const im: CompsGroup = {
    id: 'input-methods', name: 'Input Methods', mandatory: ['ui'], default: [], optional: [],
    conditional: [
      { name: 'im-gtk3', requires: 'gtk3' }, { name: 'im-gtk2', requires: 'gtk2' },
      // met only once im-gtk3 is in: the fixpoint takes it on a second round
      { name: 'im-chain', requires: 'im-gtk3' },
      { name: 'not-in-any-repo', requires: 'gtk3' },
      // met, but not installable: left out without taking the others with it
      { name: 'im-broken', requires: 'gtk3' },
    ],
  };
  const pool = poolOf([{ id: 'base', tags, groups: [im] }]);

  it('installs a conditional member when its requires is installed, and not otherwise', () => {
    expect(solve(pool, ['@input-methods'])).toEqual(['gtk3-1-1.noarch@base', 'im-chain-1-1.noarch@base', 'im-gtk3-1-1.noarch@base', 'ui-1-1.noarch@base']);
  });
  it('a requested package meets the condition too', () => {
    expect(solve(pool, ['@input-methods', 'gtk2'])).toContain('im-gtk2-1-1.noarch@base');
    expect(solve(pool, ['@input-methods'])).not.toContain('im-gtk2-1-1.noarch@base');
  });
});
