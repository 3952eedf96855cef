// The Lua 5.1 syntax tree the parser builds and the interpreter walks.

export type Expr =
  | { t: 'nil' } | { t: 'true' } | { t: 'false' } | { t: 'vararg' }
  | { t: 'num'; v: number }
  | { t: 'str'; v: string }
  | { t: 'func'; f: FuncBody }
  | { t: 'name'; name: string }
  | { t: 'index'; obj: Expr; key: Expr }
  | { t: 'call'; fn: Expr; args: Expr[]; line: number }
  | { t: 'method'; obj: Expr; name: string; args: Expr[]; line: number }
  | { t: 'table'; items: TableItem[] }
  | { t: 'bin'; op: string; l: Expr; r: Expr }
  | { t: 'un'; op: string; e: Expr }
  | { t: 'paren'; e: Expr };

export type TableItem = { key?: Expr; value: Expr };

export interface FuncBody { name: string; params: string[]; vararg: boolean; body: Block }

export type Block = Stat[];

export type Stat =
  | { t: 'local'; names: string[]; exprs: Expr[] }
  | { t: 'assign'; targets: Expr[]; exprs: Expr[] }
  | { t: 'call'; call: Expr }
  | { t: 'do'; body: Block }
  | { t: 'while'; cond: Expr; body: Block }
  | { t: 'repeat'; body: Block; cond: Expr }
  | { t: 'if'; clauses: { cond: Expr; body: Block }[]; orelse?: Block }
  | { t: 'fornum'; v: string; start: Expr; limit: Expr; step?: Expr; body: Block }
  | { t: 'forin'; names: string[]; exprs: Expr[]; body: Block }
  | { t: 'localfunc'; name: string; f: FuncBody }
  | { t: 'return'; exprs: Expr[] }
  | { t: 'break' };
