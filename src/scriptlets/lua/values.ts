// Lua values in JS: nil = undefined, boolean, number (a Lua 5.1 number is a double), string
// (bytes as latin1 chars, see lexer.ts), LuaTable, LuaFunction.

import { Buffer } from 'node:buffer';
import { numberToString } from './printf-num.js';

export type LuaValue = undefined | boolean | number | string | LuaTable | LuaFunction;

/** A Lua error value: what `error` raises and `pcall` catches. */
export class LuaError extends Error {
  constructor(readonly value: LuaValue) {
    super(typeof value === 'string' ? value : typeof value === 'number' ? fmtNum(value) : `(error object is a ${luaType(value)} value)`);
  }
}

/** Stops the script for good (a bound was hit, or something we cannot reproduce); pcall does not catch it. */
export class LuaAbort extends Error {}

export class LuaFunction {
  constructor(readonly name: string, readonly call: (args: LuaValue[]) => LuaValue[]) {}
}

export class LuaTable {
  /** 1..arr.length, the last one never nil */
  arr: LuaValue[] = [];
  /** other keys; a key set to nil stays as a tombstone so that `next` keeps its place */
  hash = new Map<Exclude<LuaValue, undefined>, LuaValue>();
  metatable: LuaTable | undefined;
  private keys: Exclude<LuaValue, undefined>[] | undefined;
  private keyAt: Map<Exclude<LuaValue, undefined>, number> | undefined;

  get(k: LuaValue): LuaValue {
    if (typeof k === 'number') {
      if (Number.isInteger(k) && k >= 1 && k <= this.arr.length) return this.arr[k - 1];
      if (k === 0) k = 0; // -0
    }
    return k === undefined ? undefined : this.hash.get(k);
  }

  /** returns true when a new key was created (the caller counts them) */
  set(k: LuaValue, v: LuaValue): boolean {
    if (k === undefined) throw new LuaError('table index is nil');
    if (typeof k === 'number') {
      if (Number.isNaN(k)) throw new LuaError('table index is NaN');
      if (k === 0) k = 0;
      if (Number.isInteger(k) && k >= 1 && k <= this.arr.length + 1) {
        if (k <= this.arr.length) {
          this.arr[k - 1] = v;
          if (v === undefined && k === this.arr.length) while (this.arr.length && this.arr[this.arr.length - 1] === undefined) this.arr.pop();
          return false;
        }
        if (v === undefined) { if (this.hash.has(k)) this.hash.set(k, undefined); return false; }
        this.arr.push(v);
        const fresh = !this.hash.has(k);
        if (!fresh) this.hash.delete(k);
        // pull following integer keys over from the hash part
        for (let n = this.arr.length + 1; this.hash.get(n) !== undefined; n++) { this.arr.push(this.hash.get(n)); this.hash.delete(n); }
        this.keys = undefined;
        return fresh;
      }
    }
    const had = this.hash.has(k);
    if (!had && v === undefined) return false;
    this.hash.set(k, v);
    if (!had) this.keys = undefined;
    return !had;
  }

  length(): number {
    if (this.arr.length) return this.arr.length;
    // a border in the hash part (tables filled from a high index down)
    let n = 0;
    while (this.hash.get(n + 1) !== undefined) n++;
    return n;
  }

  /** `next(t, k)`: [key, value] after k, or undefined at the end */
  next(k: LuaValue): [LuaValue, LuaValue] | undefined {
    let i = 0;
    if (k !== undefined) {
      if (typeof k === 'number' && Number.isInteger(k) && k >= 1 && k <= this.arr.length) i = k;
      else {
        this.index();
        const at = this.keyAt!.get(typeof k === 'number' && k === 0 ? 0 : k);
        if (at === undefined) throw new LuaError("invalid key to 'next'");
        i = this.arr.length + at + 1;
      }
    }
    for (; i < this.arr.length; i++) if (this.arr[i] !== undefined) return [i + 1, this.arr[i]];
    this.index();
    for (let j = i - this.arr.length; j < this.keys!.length; j++) {
      const key = this.keys![j]!;
      const v = this.hash.get(key);
      if (v !== undefined) return [key, v];
    }
    return undefined;
  }

  private index(): void {
    if (this.keys) return;
    this.keys = [...this.hash.keys()];
    this.keyAt = new Map(this.keys.map((key, n) => [key, n]));
  }
}

export function luaType(v: LuaValue): string {
  if (v === undefined) return 'nil';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'string') return 'string';
  return v instanceof LuaTable ? 'table' : 'function';
}

export function truthy(v: LuaValue): boolean {
  return v !== undefined && v !== false;
}

/** tostring of a number: C's %.14g (see printf-num.ts) */
export const fmtNum = numberToString;

/** lua_str2number: decimal or hex, surrounding blanks allowed */
export function str2num(s: string): number | undefined {
  const t = s.replace(/^[ \t\n\r\f\v]+|[ \t\n\r\f\v]+$/g, '');
  if (/^[+-]?0[xX][0-9a-fA-F]+$/.test(t)) { const v = parseInt(t.replace(/^[+-]/, ''), 16); return t.startsWith('-') ? -v : v; }
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return Number(t);
  return undefined;
}

export function tonum(v: LuaValue): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return str2num(v);
  return undefined;
}

/** UTF-8 text -> byte string */
export function toBytes(s: string): string {
  return Buffer.from(s, 'utf8').toString('latin1');
}

/** byte string -> UTF-8 text (for messages and the log) */
export function fromBytes(s: string): string {
  return Buffer.from(s, 'latin1').toString('utf8');
}
