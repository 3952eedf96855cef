import { it } from 'vitest';
import { cs9Pool } from './cs9.js';
it('dbg', async () => {
  const { pool } = await cs9Pool();
  const idm = pool.named('idm-pki-tools').map(id => pool.solvable(id)).pop();
  for (const d of idm.pkg.requires) { const p = pool.whatProvides(d); if (!p.length) console.log('MISSING', d.name, d.flags, d.version); }
  const l = pool.named('lksctp-tools-doc').map(id => pool.solvable(id)).pop();
  for (const d of l.pkg.requires) { const p = pool.whatProvides(d); if (!p.length) console.log('MISSING2', d.name, d.flags, d.version); }
}, 300000);
