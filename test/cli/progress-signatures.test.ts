// How the CLI reports signatures: with the final lines (with --quiet only the unverified), key user ids escaped
// (a key fetched over the network is as hostile as any mirror byte), JSON events as they are.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createRenderer, type ProgressMode } from '../../src/cli/progress.js';
import type { AssembleEvent } from '../../src/index.js';

const SUMMARY: AssembleEvent = {
  kind: 'gpg:summary',
  verified: [{ keyId: '24c6a8a7f4a80eb5', fingerprint: '6341ab2753d78a78a7c27bb124c6a8a7f4a80eb5', userId: 'Evil \x1b[2J<x@y>', file: 'RPM-GPG-KEY-CentOS-7', packages: 3 }],
  unverified: [{ repo: 'local', reason: 'no-key', packages: 2 }, { repo: 'zz', reason: 'gpgcheck-off', packages: 1 }],
};

function render(mode: ProgressMode, events: AssembleEvent[]): string {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => { text += c.toString(); });
  const r = createRenderer(mode, out);
  for (const e of events) r(e);
  r.finish();
  return text;
}

describe('signature summary lines', () => {
  it('come right before the Wrote line, with the user id escaped', () => {
    const text = render('plain', [SUMMARY, { kind: 'warning', code: 'RFS_W_X', message: 'later warning' }, { kind: 'done', packages: 6, bytes: 1024, ms: 1500, output: 'x.tar' }]);
    expect(text.split('\n')).toEqual([
      'warning: later warning',
      'signatures: 3 package(s) verified with key 24c6a8a7f4a80eb5 (Evil \\x1b[2J<x@y>) from RPM-GPG-KEY-CentOS-7',
      'signatures: 2 package(s) from repo local NOT verified: no key given for the --repofrompath repo (--gpgkey)',
      'signatures: 1 package(s) from repo zz NOT verified: gpgcheck is off for the repo',
      'Wrote x.tar: 6 packages, 1.0 KiB in 1.5 s',
      '',
    ]);
  });
  it('with --quiet, only the unverified ones', () => {
    const text = render('quiet', [SUMMARY, { kind: 'done', packages: 6, bytes: 1024, ms: 1500, output: 'x.tar' }]);
    expect(text).toContain('2 package(s) from repo local NOT verified');
    expect(text).not.toContain('verified with key');
    expect(text).not.toContain('Wrote');
  });
  it('are not printed when the build fails after the check (no done event)', () => {
    expect(render('plain', [SUMMARY])).toBe('');
  });
  it('--json-progress passes the event through', () => {
    expect(JSON.parse(render('json', [SUMMARY]))).toEqual(SUMMARY);
  });
});
