import { it } from 'vitest';
import { cs9Pool } from './cs9.js';
it('dbg', async () => {
  const { pool } = await cs9Pool();
  const tomcat = pool.named('tomcat').map(id => pool.solvable(id)).sort((a,b)=>b.id-a.id)[0];
  console.log('REQ', tomcat.pkg.requires.map(d => `${d.name}|${d.flags}|${d.version}`).join('\nREQ '));
  const maven = pool.named('maven').map(id => pool.solvable(id));
  for (const m of maven) console.log('MVN', m.nevra, m.pkg.requires.map(d => `${d.name}|${d.flags}`).join(', '));
}, 300000);
