// libsolv testcase text (testtags repos + job lines) for --dump-testcase, so a real solve
// can be replayed with libsolv's `testsolv` and kept as a regression test.
import type { Dep } from '../types/deps.js';
import { formatDep } from '../version/index.js';
import { excludedSet, expandRequest, installonlySet } from './jobs.js';
import type { Pool, Solvable } from './pool.js';
import { resolve } from './resolve.js';
import { isRich, parseRich, type Rich } from './richdep.js';
import { RuleBuilder } from './rules.js';
import type { Request, ResolveOptions } from './types.js';

/** libsolv's testcase dependency syntax: & | <IF> <ELSE> <UNLESS> <WITH> <WITHOUT> */
function richToTestcase(r: Rich, top = true): string {
  const wrap = (s: string): string => (top ? s : `(${s})`);
  switch (r.op) {
    case 'dep': return formatDep(r.dep);
    case 'and': return wrap(r.args.map((a) => richToTestcase(a, false)).join(' & '));
    case 'or': return wrap(r.args.map((a) => richToTestcase(a, false)).join(' | '));
    case 'with': return wrap(r.args.map((a) => richToTestcase(a, false)).join(' <WITH> '));
    case 'without': return wrap(r.args.map((a) => richToTestcase(a, false)).join(' <WITHOUT> '));
    default: {
      const op = r.op === 'if' ? '<IF>' : '<UNLESS>';
      const base = `${richToTestcase(r.a, false)} ${op} ${richToTestcase(r.b, false)}`;
      return wrap(r.c ? `${base} <ELSE> ${richToTestcase(r.c, false)}` : base);
    }
  }
}

function depLine(d: Dep): string {
  return isRich(d.name) ? richToTestcase(parseRich(d.name)) : formatDep(d);
}

function pkgRef(s: Solvable, repoId: string): string {
  const p = s.pkg;
  const e = p.epoch ? `${p.epoch}:` : '';
  return `${p.name}-${e}${p.version}-${p.release}.${p.arch}@${repoId}`;
}

/** A testcase with the request and every package it could reach (excluded ones left out). */
export function writeTestcase(pool: Pool, request: Request, opts: ResolveOptions = {}): string {
  const excluded = excludedSet(pool, request.exclude ?? []);
  const { jobs } = expandRequest(pool, request.install, excluded);
  const rb = new RuleBuilder(pool, {
    weakDeps: opts.weakDeps ?? false, excluded, installonly: installonlySet(pool, opts.installonly ?? []),
    implicitObsoleteUsesColors: pool.scores !== null,
  });
  jobs.forEach((j, i) => rb.addJob(i, j.candidates));
  rb.build();
  const ids = [...rb.reachable].sort((a, b) => a - b);
  // file requirements become explicit provides so testsolv needs no file lists
  const fileReqs = new Set<string>();
  for (const id of ids) for (const d of pool.solvable(id).pkg.requires) if (d.name.startsWith('/')) fileReqs.add(d.name);
  const lines: string[] = ['# written by rootfs-assemble resolve --dump-testcase'];
  pool.repos.forEach((repo, ri) => {
    const mine = ids.filter((id) => pool.solvable(id).repoIndex === ri);
    if (!mine.length) return;
    // libsolv priority: higher wins; dnf priority: lower wins
    lines.push(`repo ${repo.id} ${-repo.priority}.${-repo.cost} testtags <inline>`);
    for (const id of mine) {
      const p = pool.solvable(id).pkg;
      const ev = p.epoch ? `${p.epoch}:${p.version}` : p.version;
      lines.push(`#>=Pkg: ${p.name} ${ev} ${p.release} ${p.arch}`);
      const tag = (t: string, deps: Dep[]): void => {
        for (const d of deps) if (!d.name.startsWith('rpmlib(')) lines.push(`#>=${t}: ${depLine(d)}`);
      };
      tag('Req', p.requires);
      tag('Prv', p.provides);
      for (const f of p.files) if (fileReqs.has(f)) lines.push(`#>=Prv: ${f}`);
      tag('Con', p.conflicts);
      tag('Obs', p.obsoletes);
      tag('Rec', p.recommends);
      tag('Sup', p.supplements);
      tag('Sug', p.suggests);
      tag('Enh', p.enhances);
    }
  });
  lines.push(`system ${pool.arch || 'unset'} rpm`);
  if (pool.scores) lines.push('poolflags implicitobsoleteusescolors');
  if (!opts.weakDeps) lines.push('solverflags ignorerecommended');
  for (const j of jobs) {
    const refs = j.candidates.map((id) => pkgRef(pool.solvable(id), pool.repos[pool.solvable(id).repoIndex]!.id));
    // [setarch]: a request that named the arch is exempt from multilib lock-step, as in libsolv;
    // --best is libsolv's forcebest, --skip-broken makes every job weak (dnf's strict=False)
    const flags = [...(j.setArch ? ['setarch'] : []), ...(opts.best ? ['forcebest'] : []), ...(opts.skipBroken ? ['weak'] : [])];
    lines.push(`job install oneof ${refs.join(' ')}${flags.length ? ` [${flags.join(',')}]` : ''}`);
  }
  const res = resolve(pool, request, opts);
  if (res.ok) {
    lines.push('result transaction,problems <inline>');
    const byPkg = new Map(ids.map((id) => [pool.solvable(id).pkg, id]));
    for (const p of res.transaction.packages) {
      const id = byPkg.get(p);
      if (id !== undefined) lines.push(`#>install ${pkgRef(pool.solvable(id), pool.repos[pool.solvable(id).repoIndex]!.id)}`);
    }
  } else {
    lines.push('# rootfs-assemble found no solution:');
    for (const p of res.problems) lines.push(`#   ${JSON.stringify(p)}`);
  }
  return lines.join('\n') + '\n';
}

