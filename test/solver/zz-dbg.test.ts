import { it } from 'vitest';
import { resolve } from '../../src/solver/index.js';
import { cs9Pool, dnfInstallSet } from './cs9.js';
const fmt = (p) => `${p.name}-${p.epoch ? `${p.epoch}:` : ''}${p.version}-${p.release}.${p.arch}`;
it('dbg', async () => {
  const { pool } = await cs9Pool();
  for (const c of [['maven','tomcat'],['tomcat','maven']]) {
    const r = resolve(pool, { install: c });
    const ours = r.ok ? r.transaction.packages.map(fmt).sort() : null;
    const d = dnfInstallSet(c);
    console.log(c.join(' '), 'extra', ours.filter(x => !d.includes(x)).join(' '), '\nmissing', d.filter(x => !ours.includes(x)).join(' '));
    if (r.ok) for (const p of r.transaction.packages) if (!d.includes(fmt(p))) console.log('  why', fmt(p), r.transaction.reasons.get(p));
  }
}, 300000);
