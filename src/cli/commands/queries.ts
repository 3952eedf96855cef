// search, info and provides: dnf 4's output, so scripts that parse dnf's parse ours.
import { packageInfo } from '../../query/info.js';
import type { QueryPackage } from '../../query/options.js';
import { whatProvides } from '../../query/provides.js';
import { searchPackages } from '../../query/search.js';
import { parseCommandArgs, usageError } from '../args.js';
import { INFO_HELP, PROVIDES_HELP, SEARCH_HELP } from '../help.js';
import type { CliIO } from '../io.js';
import { QUERY_ARG_OPTIONS, formatSize, queryBase, section, showField as show } from './query-args.js';

export const SEARCH_OPTIONS = QUERY_ARG_OPTIONS;
export const PROVIDES_OPTIONS = QUERY_ARG_OPTIONS;
export const INFO_OPTIONS = { ...QUERY_ARG_OPTIONS, showduplicates: { type: 'boolean' } } as const;

export async function searchCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('search', argv, SEARCH_OPTIONS);
  if (values.help) { io.stdout.write(SEARCH_HELP); return 0; }
  const { base, args } = queryBase('search', values, positionals, io);
  if (!args.length) throw usageError('search', 'search: give at least one word to look for');
  const matches = await searchPackages({ ...base, keys: args });
  if (!matches.length) { io.stderr.write('No matches found.\n'); return 0; }
  let last = '';
  const out: string[] = [];
  for (const m of matches) {
    const names = m.fields.map((f) => (f === 'name' ? 'Name' : 'Summary')).join(' & ');
    const head = section(`${names} ${m.exact ? 'Exactly Matched' : 'Matched'}: ${m.keys.map(show).join(', ')}`);
    if (head !== last) out.push(head);
    last = head;
    out.push(`${show(m.package.name)}.${show(m.package.arch)} : ${show(m.package.summary)}`);
  }
  io.stdout.write(out.join('\n') + '\n');
  return 0;
}

const kv = (key: string, val: string): string => `${key.padEnd(12)} : ${val}`;

function infoBlock(p: QueryPackage): string {
  return [
    kv('Name', show(p.name)), ...(p.epoch ? [kv('Epoch', String(p.epoch))] : []), kv('Version', show(p.version)), kv('Release', show(p.release)),
    kv('Architecture', show(p.arch)), kv('Size', formatSize(p.downloadSize)), kv('Source', p.sourcerpm ? show(p.sourcerpm) : 'None'),
    kv('Repository', show(p.repo)), kv('Summary', show(p.summary)), kv('License', show(p.license)),
  ].join('\n');
}

export async function infoCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('info', argv, INFO_OPTIONS);
  if (values.help) { io.stdout.write(INFO_HELP); return 0; }
  const { base, args } = queryBase('info', values, positionals, io);
  const pkgs = await packageInfo({ ...base, ...(args.length ? { packages: args } : {}), ...(values.showduplicates ? { showduplicates: true } : {}) });
  if (!pkgs.length) { io.stderr.write('Error: No matching Packages to list\n'); return 1; }
  io.stdout.write(`Available Packages\n${pkgs.map((p) => `${infoBlock(p)}\n\n`).join('')}`);
  return 0;
}

const FROM_KEY = { filename: 'Filename    : ', provide: 'Provide    : ', other: 'Other       : ' } as const;

export async function providesCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('provides', argv, PROVIDES_OPTIONS);
  if (values.help) { io.stdout.write(PROVIDES_HELP); return 0; }
  const { base, args } = queryBase('provides', values, positionals, io);
  if (!args.length) throw usageError('provides', 'provides: give at least one provide, file or command');
  const matches = await whatProvides({ ...base, provides: args });
  if (!matches.length) {
    io.stderr.write('Error: No matches found. If searching for a file, try specifying the full path or using a wildcard prefix ("*/") at the beginning.\n');
    return 1;
  }
  const out: string[] = [];
  for (const m of matches) {
    out.push(`${show(m.package.nevra)} : ${show(m.package.summary)}`, `Repo        : ${show(m.package.repo)}`);
    let printed = false;
    for (const f of m.matchedFrom) {
      // dnf repeats the heading before each "Other" line
      if (!printed || f.kind === 'other') out.push('Matched from:');
      printed = true;
      out.push(FROM_KEY[f.kind] + show(f.value));
    }
    out.push('');
  }
  io.stdout.write(out.join('\n') + '\n');
  return 0;
}
