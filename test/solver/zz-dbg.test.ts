import { it } from 'vitest';
import { resolve } from '../../src/solver/index.js';
import { cs9Pool, dnfInstallSet } from './cs9.js';
const fmt = (p) => `${p.name}-${p.epoch ? `${p.epoch}:` : ''}${p.version}-${p.release}.${p.arch}`;
it('dbg', async () => {
  const { pool } = await cs9Pool();
  const names = [...pool.byName.keys()].sort();
  let seed = Number(process.env.SEED ?? 7);
  const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  let same = 0, both = 0, diff = 0;
  for (let i = 0; i < 45; i++) {
    const c = [names[Math.floor(rnd() * names.length)], names[Math.floor(rnd() * names.length)]];
    const r = resolve(pool, { install: c }, { weakDeps: i % 3 === 0 });
    const ours = r.ok ? r.transaction.packages.map(fmt).sort() : null;
    const d = dnfInstallSet(c, { weakDeps: i % 3 === 0 });
    if (!ours && !d) { both++; continue; }
    if (ours && d && ours.join() === d.join()) { same++; continue; }
    diff++;
    console.log('DIFF', c.join(' '), i % 3 === 0 ? 'weak' : '', 'ours', ours?.length, 'dnf', d?.length, 'extra', ours && d ? ours.filter(x => !d.includes(x)).join(' ') : '', 'missing', ours && d ? d.filter(x => !ours.includes(x)).join(' ') : '');
  }
  console.log('SUMMARY same', same, 'bothfail', both, 'diff', diff);
}, 900000);
