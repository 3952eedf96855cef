// Lists the test files that reach ../shared: those importing test/helpers/realdata.ts, directly or
// through other test helpers. .ci/run runs them a second time with ../shared hidden.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
const TARGET = join(ROOT, 'test/helpers/realdata.ts');

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name === 'fixtures' || e.name.startsWith('.')) return [];
    const p = join(dir, e.name);
    return e.isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function imports(file) {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)]
    .map((m) => resolve(dirname(file), m[1].replace(/\.js$/, '.ts')))
    .filter((p) => existsSync(p));
}

const memo = new Map();
function reaches(file, seen = new Set()) {
  if (file === TARGET) return true;
  if (memo.has(file)) return memo.get(file);
  if (seen.has(file)) return false;
  seen.add(file);
  const r = imports(file).some((f) => reaches(f, seen));
  memo.set(file, r);
  return r;
}

const tests = walk(join(ROOT, 'test')).filter((f) => f.endsWith('.test.ts') && reaches(f));
if (tests.length === 0) throw new Error('no test reaches test/helpers/realdata.ts: the list is broken');
console.log(tests.map((f) => relative(ROOT, f)).sort().join('\n'));
