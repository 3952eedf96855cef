// libsolv-style driver (ext/repo_rpmmd.c stateswitches[]): a table of
// (from state, element) -> (to state, collect text?) turns tokenizer events into
// start/end callbacks per known state; unknown subtrees are skipped whole.
import type { XmlHandler } from './xml.js';

export interface StateSwitch { from: number; element: string; to: number; content?: boolean }

export interface StateCallbacks {
  start(state: number, attrs: Record<string, string>): void;
  /** states whose start wants the raw attribute text instead (see XmlHandler.openRaw) */
  rawStates?: ReadonlySet<number>;
  startRaw?(state: number, raw: string): void;
  /** text is '' unless the switch asked for content */
  end(state: number, text: string): void;
}

export class StateMachine implements XmlHandler {
  private readonly table = new Map<number, Map<string, { to: number; content: boolean }>>();
  private readonly stack: number[];
  readonly rawElements: ReadonlySet<string> | undefined;
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
    const raw = cb.rawStates;
    this.rawElements = raw ? new Set(switches.filter((s) => raw.has(s.to)).map((s) => s.element)) : undefined;
  }

  get acceptsText(): boolean {
    return this.collecting && this.skip === 0;
  }

  openRaw(name: string, raw: string): boolean {
    if (this.skip) { this.skip++; return true; }
    const sw = this.table.get(this.stack[this.stack.length - 1]!)?.get(name);
    if (!sw) { this.skip = 1; return true; }
    if (!this.cb.rawStates?.has(sw.to) || !this.cb.startRaw) return false;
    this.stack.push(sw.to);
    this.collecting = false;
    this.buf = '';
    this.cb.startRaw(sw.to, raw);
    return true;
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
