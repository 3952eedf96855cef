// The .d.ts a library user gets documents every option: build the declarations (tsc, as `npm
// run build` does), read them back with the TypeScript compiler API, and list every property of
// the option types that carries no doc comment. Pick<>'d types (PlanOptions) count too: their
// properties keep the declarations, and the comments, of AssembleOptions.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';

const ROOT = resolve(__dirname, '../..');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
/** the option objects of the public calls */
const OPTION_TYPES = ['AssembleOptions', 'PlanOptions', 'RepoSelection', 'InspectOptions', 'LoadReposOptions', 'FetcherOptions'];

/** `type.prop` for every property of the named exports of `entry` without a doc comment */
function undocumented(entry: string, names: string[]): string[] {
  const program = ts.createProgram([entry], {
    module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, noEmit: true, skipLibCheck: true,
    types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')],
  });
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(entry);
  const mod = file && checker.getSymbolAtLocation(file);
  if (!mod) throw new Error(`${entry}: not a module`);
  const exported = new Map(checker.getExportsOfModule(mod).map((s) => [s.name, s]));
  const out: string[] = [];
  for (const name of names) {
    const sym = exported.get(name);
    if (!sym) {
      out.push(`${name}: not exported`);
      continue;
    }
    const target = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
    const props = checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(target));
    if (props.length === 0) out.push(`${name}: no properties`);
    for (const p of props) {
      if (ts.displayPartsToString(p.getDocumentationComment(checker)).trim() === '') out.push(`${name}.${p.name}`);
    }
  }
  return out;
}

describe('the built .d.ts documents every option', () => {
  const tmp = tempDir('rfs-dts-');
  let out = '';
  beforeAll(async () => {
    out = join(tmp.dir, 'dist');
    // async: a worker blocked for a minute (tsc on a loaded machine) misses vitest's RPC deadline
    await promisify(execFile)(process.execPath, [TSC, '-p', join(ROOT, 'tsconfig.json'), '--emitDeclarationOnly', '--declarationMap', 'false', '--sourceMap', 'false', '--outDir', out], { cwd: ROOT });
  }, 300_000);
  afterAll(() => tmp.cleanup());

  it('every property of the public option types has a doc comment', () => {
    expect(undocumented(join(out, 'index.d.ts'), OPTION_TYPES)).toEqual([]);
  });

  it('the check finds an undocumented property, also through Pick<>', () => {
    const f = join(tmp.dir, 'probe.d.ts');
    writeFileSync(f, [
      'export interface Opts {', '  /** documented */', '  a?: string;', '  b?: number;', '}',
      "export type Picked = Pick<Opts, 'a' | 'b'>;", '',
    ].join('\n'));
    expect(undocumented(f, ['Opts', 'Picked', 'Missing'])).toEqual(['Opts.b', 'Picked.b', 'Missing: not exported']);
  });
});
