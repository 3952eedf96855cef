// dnf repoquery: one formatted line per package (or dependency), sorted and de-duplicated;
// nothing at all when nothing matches (exit 0), as dnf.
import { untrusted } from '../../errors/index.js';
import { DEP_KINDS, type DepKind } from '../../query/options.js';
import { QUERY_TAGS, compileQueryFormat, DEFAULT_QUERYFORMAT } from '../../query/queryformat.js';
import { repoquery } from '../../query/repoquery.js';
import { parseCommandArgs, splitList, usageError } from '../args.js';
import { REPOQUERY_HELP } from '../help.js';
import type { CliIO } from '../io.js';
import { QUERY_ARG_OPTIONS, queryBase, showField } from './query-args.js';

const { arch: _targetArch, ...REPO_AND_RUN } = QUERY_ARG_OPTIONS;

export const REPOQUERY_OPTIONS = {
  ...REPO_AND_RUN,
  // dnf's repoquery --arch filters the results; --forcearch is the target arch (--arch elsewhere)
  arch: { type: 'string', multiple: true },
  archlist: { type: 'string', multiple: true },
  forcearch: { type: 'string' },
  queryformat: { type: 'string' },
  qf: { type: 'string' },
  nevra: { type: 'boolean' },
  nvr: { type: 'boolean' },
  envra: { type: 'boolean' },
  querytags: { type: 'boolean' },
  whatprovides: { type: 'string', multiple: true },
  whatrequires: { type: 'string', multiple: true },
  'latest-limit': { type: 'string' },
  ...Object.fromEntries(DEP_KINDS.map((k) => [k, { type: 'boolean' as const }])) as Record<DepKind, { type: 'boolean' }>,
} as const;

export async function repoqueryCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('repoquery', argv, REPOQUERY_OPTIONS);
  if (values.help) { io.stdout.write(REPOQUERY_HELP); return 0; }
  if (values.querytags) { io.stdout.write(`${QUERY_TAGS.join(', ')}\n`); return 0; }
  const qf = values.queryformat ?? values.qf
    ?? (values.nvr ? '%{name}-%{version}-%{release}' : values.envra ? '%{epoch}:%{name}-%{version}-%{release}.%{arch}' : DEFAULT_QUERYFORMAT);
  // checked before any network work: a mistyped tag is a usage error, exit 2
  const format = compileQueryFormat(qf, showField);
  const kinds = DEP_KINDS.filter((k) => values[k]);
  if (kinds.length > 1) throw usageError('repoquery', `repoquery: --${kinds[0]!} and --${kinds[1]!} both ask for a dependency list; give one`, `--${kinds[1]!}`);
  const latest = values['latest-limit'];
  if (latest !== undefined && !/^-?[1-9]\d*$/.test(latest)) {
    throw usageError('repoquery', `repoquery: --latest-limit ${untrusted(latest, 40)} is not a non-zero integer`, '--latest-limit');
  }
  const { base, args } = queryBase('repoquery', { ...values, arch: values.forcearch }, positionals, io);
  const archlist = splitList([...(values.arch ?? []), ...(values.archlist ?? [])]);
  const r = await repoquery({
    ...base,
    ...(args.length ? { packages: args } : {}),
    ...(values.whatprovides ? { whatprovides: splitList(values.whatprovides) } : {}),
    ...(values.whatrequires ? { whatrequires: splitList(values.whatrequires) } : {}),
    ...(archlist.length ? { archlist } : {}),
    ...(latest !== undefined ? { latestLimit: Number(latest) } : {}),
    ...(kinds[0] ? { depList: kinds[0] } : {}),
  });
  const lines = r.deps ? r.deps.map(showField) : [...new Set(r.packages.map(format))].sort();
  if (lines.length) io.stdout.write(lines.join('\n') + '\n');
  return 0;
}
