// A minimal terminal for progress tests: a grid of `width` columns with xterm's behaviour for what
// the renderer may send (\r, \n, printable text with auto-wrap, CSI K erase in line). Anything
// else throws, so a test also proves nothing unexpected is sent. A resize cuts rows (no reflow).
export class VirtualTerminal {
  private rows: string[][] = [[]];
  private row = 0;
  private col = 0;
  /** how often text ran past the last column and wrapped onto the next row */
  wraps = 0;

  constructor(public width: number) {}

  write(s: string): void {
    for (let i = 0; i < s.length; i++) {
      const c = s[i]!;
      if (c === '\r') this.col = 0;
      else if (c === '\n') {
        this.row++;
        this.col = 0;
      } else if (c === '\x1b') {
        const m = /^\x1b\[([0-9]*)K/.exec(s.slice(i));
        if (!m) throw new Error(`unexpected escape sequence ${JSON.stringify(s.slice(i, i + 8))}`);
        const line = this.line();
        const mode = m[1] || '0';
        if (mode === '0') line.length = Math.min(line.length, this.col);
        else if (mode === '2') line.length = 0;
        else for (let k = 0; k <= this.col && k < line.length; k++) line[k] = ' ';
        i += m[0].length - 1;
      } else if (c < ' ' || c === '\x7f') {
        throw new Error(`unexpected control character ${JSON.stringify(c)}`);
      } else {
        if (this.col >= this.width) {
          this.row++;
          this.col = 0;
          this.wraps++;
        }
        const line = this.line();
        while (line.length < this.col) line.push(' ');
        line[this.col++] = c;
      }
    }
  }

  resize(width: number): void {
    this.width = width;
    this.rows = this.rows.map((r) => r.slice(0, width));
    this.col = Math.min(this.col, width);
  }

  /** every row, trailing blanks cut */
  screen(): string[] {
    return this.rows.map((r) => r.join('').trimEnd());
  }

  /** the row the cursor is on */
  current(): string {
    return (this.rows[this.row] ?? []).join('').trimEnd();
  }

  private line(): string[] {
    while (this.rows.length <= this.row) this.rows.push([]);
    return this.rows[this.row]!;
  }
}
