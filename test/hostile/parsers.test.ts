// Hostile YAML and XML a mirror can serve to parsers that build whole trees (the yaml package for
// modules.yaml, xml2js for metalinks): each is refused with a stable RfsError, within bounded
// memory, never a crash.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRfsError, RfsError } from '../../src/errors/index.js';
import { Fetcher } from '../../src/fetch/index.js';
import { parseModules } from '../../src/metadata/modules.js';
import { startStaticServer, type StaticServer } from '../helpers/http-server.js';
import { tempDir } from '../helpers/temp-dir.js';

const src = { url: 'http://127.0.0.1/modules.yaml', repo: 'hostile' };

function refused(fn: () => unknown): RfsError {
  try { fn(); } catch (err) {
    if (isRfsError(err)) return err;
    throw new Error(`not an RfsError: ${String(err)}`);
  }
  throw new Error('accepted');
}

describe('hostile modules.yaml', () => {
  it('still reads a real-looking stream and defaults document', () => {
    const text = '---\ndocument: modulemd\nversion: 2\ndata:\n  name: nodejs\n  stream: "18"\n  version: 8070020230101\n  context: abc\n  arch: x86_64\n'
      + '  artifacts:\n    rpms:\n    - nodejs-1:18.1-1.module_el8.x86_64\n...\n---\ndocument: modulemd-defaults\nversion: 1\ndata:\n  module: nodejs\n  stream: "18"\n  profiles:\n    "18": [common]\n...\n';
    const r = parseModules(text, src);
    expect(r.streams).toEqual([{ name: 'nodejs', stream: '18', version: '8070020230101', context: 'abc', arch: 'x86_64', artifacts: ['nodejs-1:18.1-1.module_el8.x86_64'] }]);
    expect(r.defaults).toEqual([{ name: 'nodejs', stream: '18', profiles: { 18: ['common'] } }]);
  });

  it('refuses an alias bomb ("billion laughs") as malformed metadata, not a crash', () => {
    let lol = '  l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 10; i++) lol += `  l${i}: &l${i} [${Array(10).fill(`*l${i - 1}`).join(', ')}]\n`;
    const e = refused(() => parseModules(`---\ndocument: modulemd\ndata:\n${lol}`, src));
    expect(e.code).toBe('RFS_METADATA_MALFORMED');
    expect(e.message).toMatch(/alias|resource exhaustion/i);
    expect(e.subject).toBe(src.url);
  });

  it('refuses more documents than any real modules.yaml holds, before holding them all', () => {
    const before = process.memoryUsage().rss;
    const e = refused(() => parseModules('---\na: 1\n'.repeat(100_001), src));
    expect(e.code).toBe('RFS_METADATA_MALFORMED');
    expect(e.message).toContain('more than 100000 documents');
    // parseAllDocuments held every document's tree (~530 MB for 200k); one at a time stays small
    expect(process.memoryUsage().rss - before).toBeLessThan(150 * 1024 * 1024);
  });

  it('refuses nesting deeper than the parser takes with an RfsError', () => {
    const e = refused(() => parseModules(`data: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`, src));
    expect(e.code).toBe('RFS_METADATA_MALFORMED');
  });
});

describe('hostile metalink', () => {
  const tmp = tempDir('rfs-hostile-parsers-');
  let server: StaticServer;
  beforeAll(async () => {
    const www = join(tmp.dir, 'www');
    mkdirSync(www);
    // 200k empty elements: ~1.4 MB, under the 4 MB fetch cap, ~100 MB as an xml2js tree
    writeFileSync(join(www, 'flood.metalink'), `<?xml version="1.0"?><metalink><files><file name="repomd.xml">${'<x/>'.repeat(200_000)}</file></files></metalink>`);
    server = await startStaticServer([{ prefix: '/', dir: www }]);
  });
  afterAll(async () => {
    await server?.close();
    tmp.cleanup();
  });

  it('refuses an element flood before xml2js builds its tree', async () => {
    const fetcher = new Fetcher({ cacheDir: join(tmp.dir, 'cache'), retries: 0 });
    try {
      const err: unknown = await fetcher.resolveMirrors({ id: 'm', metalink: `${server.url}flood.metalink`, enabled: true }).then(() => null, (e: unknown) => e);
      expect(isRfsError(err) && err.code).toBe('RFS_METADATA_MALFORMED');
      expect((err as RfsError).message).toContain('more than 50000 elements');
    } finally { await fetcher.close(); }
  });
});
