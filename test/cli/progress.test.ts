// The progress renderer: once the command is finished (an error may follow), nothing more is drawn.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createRenderer } from '../../src/cli/progress.js';

function capture(): { out: PassThrough; text: () => string } {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  return { out, text: () => Buffer.concat(chunks).toString() };
}

describe('progress renderer', () => {
  for (const mode of ['plain', 'json', 'tty'] as const) {
    it(`${mode}: prints retries, and nothing at all after finish()`, () => {
      const { out, text } = capture();
      const r = createRenderer(mode, out);
      r({ kind: 'fetch:retry', url: 'http://m/a.rpm', attempt: 2, reason: 'HTTP 500', delayMs: 500 });
      const before = text();
      expect(before).toMatch(/a\.rpm/);
      r.finish();
      const finished = text();
      r({ kind: 'fetch:retry', url: 'http://m/b.rpm', attempt: 2, reason: 'HTTP 500', delayMs: 500 });
      r({ kind: 'warning', code: 'X', message: 'late' });
      r({ kind: 'phase:start', phase: 'download' });
      r.finish();
      expect(text()).toBe(finished);
    });
  }
});

describe('retry lines', () => {
  it('escape control characters a mirror put in an href', () => {
    const { out, text } = capture();
    const r = createRenderer('plain', out);
    r({ kind: 'fetch:retry', url: 'http://m/a\x1b[2J.rpm', attempt: 2, reason: 'HTTP 500', delayMs: 500 });
    expect(text()).toContain('http://m/a\\x1b[2J.rpm');
    expect(text()).not.toContain('\x1b');
  });
});

describe('warning and not-reproduced lines', () => {
  it('escape control characters that package metadata or a scriptlet carried', () => {
    const { out, text } = capture();
    const r = createRenderer('plain', out);
    r({ kind: 'warning', code: 'RFS_W_SKIPPED', message: "skipping 'x' (--skip-broken): nothing provides evil\x1b]0;owned\x07 needed by x" });
    r({ kind: 'scriptlet:skipped', nevra: 'p-1-1.noarch', scriptlet: 'post', firstLine: 'echo \x1b[2J', reason: 'unhandled command: \x9b31m' });
    expect(text()).toContain('evil\\x1b]0;owned\\x07');
    expect(text()).toContain('echo \\x1b[2J');
    expect(text()).toContain('\\x9b31m');
    expect(text()).not.toMatch(/[\x1b\x07\x9b]/);
  });
});
