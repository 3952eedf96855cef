// The query commands on real CentOS Stream 9 BaseOS metadata (../shared/realdata), compared
// line for line with the host's dnf 4 reading the same repodata. Skipped without either.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedPath } from '../helpers/realdata.js';
import { have, run, runCli } from './helpers.js';
import { matchOrderFree } from './query-output.js';

const REPO = sharedPath('realdata/repos/cs9-baseos-20220207');
const ok = existsSync(join(REPO, 'repodata', 'repomd.xml')) && have('dnf');
if (!ok) console.warn('[e2e query-realdata] skipped: needs ../shared/realdata/repos/cs9-baseos-20220207 and dnf');

describe.skipIf(!ok)('queries on CentOS Stream 9 BaseOS match dnf', () => {
  // made in beforeAll: a skipped suite's body still runs at collection, its afterAll does not
  let dir = '';
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'rfs-query-real-')); });
  afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });
  const url = pathToFileURL(REPO).toString();

  const CASES: string[][] = [
    ['repoquery'],
    ['repoquery', '--requires', 'bash', 'systemd'],
    ['repoquery', '--whatrequires', 'glibc'],
    ['repoquery', '--whatprovides', '/usr/bin/sh'],
    ['repoquery', '--whatprovides', 'libcrypto.so.3*'],
    ['repoquery', '--qf', '%{name}|%{sourcerpm}|%{buildtime}|%{installsize}|%{license}', 'kernel*'],
    ['repoquery', '--provides', 'openssl-libs'],
    ['search', 'ssh'],
    ['provides', 'sh'],
    ['provides', 'libssl.so.3()(64bit)'],
    ['provides', '*/bin/ls'],
    ['info', 'kernel', 'openssh*'],
  ];
  for (const [cmd, ...args] of CASES) {
    it(`${cmd} ${args.join(' ')}`, async () => {
      const a = await runCli([cmd!, '--repofrompath', `b,${url}`, '--cache-dir', join(dir, 'cache'), ...args]);
      const root = mkdtempSync(join(dir, 'root-'));
      const b = await run('dnf', ['-q', '--releasever=9', `--repofrompath=b,${url}`, '--repo=b', `--installroot=${root}`, '--setopt=reposdir=/dev/null',
        `--setopt=cachedir=${join(root, 'c')}`, cmd!, ...args], { ...process.env, LC_ALL: 'C.UTF-8' });
      expect(a.code).toBe(0);
      expect(b.code).toBe(0);
      // no descriptions or URLs in the metadata this tool reads (a description may span lines)
      const dnfOut = b.stdout.split('\n').filter((l) => !/^(Description  :|URL          :|             :)/.test(l)).join('\n');
      expect(a.stdout.trim()).not.toBe('');
      expect(matchOrderFree(a.stdout)).toBe(matchOrderFree(dnfOut));
    }, 120_000);
  }
});
