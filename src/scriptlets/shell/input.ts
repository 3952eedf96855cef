// Standard input inside the scriptlet shell, and `read`: a here-document, a redirected file,
// a pipe or a file trigger's path list is consumed a line at a time by `read`, and whole by
// any other command that reads it, as with a real file descriptor.

export class Input {
  private pos = 0;
  constructor(private readonly text: string) {}
  static readonly empty = new Input('');
  rest(): string {
    const r = this.text.slice(this.pos);
    this.pos = this.text.length;
    return r;
  }
  /** the next line without its newline, and whether a newline ended it; undefined at EOF */
  line(): { text: string; complete: boolean } | undefined {
    if (this.pos >= this.text.length) return undefined;
    const nl = this.text.indexOf('\n', this.pos);
    const end = nl < 0 ? this.text.length : nl;
    const text = this.text.slice(this.pos, end);
    this.pos = nl < 0 ? end : nl + 1;
    return { text, complete: nl >= 0 };
  }
}

const WS = ' \t\n';

/**
 * `read [-r] [-p prompt] [name...]`: one line, split on `ifs` the way sh does (IFS whitespace
 * trims and collapses, other IFS characters separate single fields; the last name takes the
 * rest). Status 1 at end of input, also when the last line had no newline (its fields are set).
 */
export function readBuiltin(argv: string[], stdin: Input, ifs: string): { status: number; assign: [string, string][]; problems: string[] } {
  const problems: string[] = [];
  let names = argv.slice(1);
  let raw = false;
  while (names[0]?.startsWith('-') && names[0] !== '-') {
    const opt = names.shift()!;
    if (opt === '-r') raw = true;
    else if (opt === '-p') names.shift(); // the prompt goes to stderr
    else {
      problems.push(`read ${opt} is not emulated`);
      if (['-t', '-u', '-d', '-n', '-N'].includes(opt)) names.shift();
    }
  }
  if (names.length === 0) names = ['REPLY'];
  let got = stdin.line();
  if (got === undefined) return { status: 1, assign: names.map((n) => [n, '']), problems };
  let line = got.text;
  // without -r a backslash escapes the next character and a trailing one joins the next line
  while (!raw && /(^|[^\\])(\\\\)*\\$/.test(line) && got?.complete) {
    line = line.slice(0, -1);
    got = stdin.line();
    line += got?.text ?? '';
  }
  if (!raw) line = line.replace(/\\(.)/g, '$1');
  const ws = [...ifs].filter((c) => WS.includes(c)).join('');
  const other = [...ifs].filter((c) => !WS.includes(c)).join('');
  const esc = (t: string) => t.replace(/[\]\\^-]/g, '\\$&');
  if (ws) line = line.replace(new RegExp(`^[${esc(ws)}]+|[${esc(ws)}]+$`, 'g'), '');
  const sep = new RegExp(other ? `[${esc(ws)}]*[${esc(other)}][${esc(ws)}]*|[${esc(ws)}]+` : ws ? `[${esc(ws)}]+` : '(?!)');
  const assign: [string, string][] = [];
  names.forEach((n, i) => {
    if (i === names.length - 1) {
      assign.push([n, line]);
      return;
    }
    const m = sep.exec(line);
    if (!m) {
      assign.push([n, line]);
      line = '';
      return;
    }
    assign.push([n, line.slice(0, m.index)]);
    line = line.slice(m.index + m[0].length);
  });
  return { status: got?.complete ? 0 : 1, assign, problems };
}
