import { it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { cs9Pool } from './cs9.js';
import { resolve } from '../../src/solver/index.js';
it('dbg', async () => {
  const { pool } = await cs9Pool();
  const lines: string[] = [];
  resolve(pool, { install: ['tomcat', 'maven'] }, { trace: (m) => lines.push(m) });
  writeFileSync('/tmp/ours-trace.txt', lines.join('\n') + '\n');
}, 300000);
