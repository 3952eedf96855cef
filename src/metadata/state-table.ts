// libsolv-style driver (ext/repo_rpmmd.c stateswitches[]): a table of
// (from state, element) -> (to state, collect text?) turns tokenizer events into
// start/end callbacks per known state; unknown subtrees are skipped whole.
import type { XmlHandler } from './xml.js';

export interface StateSwitch { from: number; element: string; to: number; content?: boolean }

export interface StateCallbacks {
  start(state: number, attrs: Record<string, string>): void;
  /** text is '' unless the switch asked for content */
  end(state: number, text: string): void;
}

export class StateMachine implements XmlHandler {
  private readonly table = new Map<number, Map<string, { to: number; content: boolean }>>();
  private readonly stack: number[];
  private skip = 0;
  private collecting = false;
  private buf = '';

  constructor(switches: readonly StateSwitch[], private readonly cb: StateCallbacks, start = 0) {
    for (const s of switches) {
      let m = this.table.get(s.from);
      if (!m) { m = new Map(); this.table.set(s.from, m); }
      m.set(s.element, { to: s.to, content: s.content === true });
    }
    this.stack = [start];
  }

  open(name: string, attrs: Record<string, string>): void {
    if (this.skip) { this.skip++; return; }
    const sw = this.table.get(this.stack[this.stack.length - 1]!)?.get(name);
    if (!sw) { this.skip = 1; return; }
    this.stack.push(sw.to);
    this.collecting = sw.content;
    this.buf = '';
    this.cb.start(sw.to, attrs);
  }

  close(): void {
    if (this.skip) { this.skip--; return; }
    const st = this.stack.pop()!;
    const t = this.collecting ? this.buf : '';
    this.collecting = false;
    this.buf = '';
    this.cb.end(st, t);
  }

  text(s: string): void {
    if (this.collecting && !this.skip) this.buf += s;
  }
}
