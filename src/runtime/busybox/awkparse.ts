/**
 * The awk language (POSIX awk, as busybox editors/awk.c reads it): a lexer that tells a regex `/.../`
 * from division by what came before, and a precedence-climbing parser into a small AST that
 * awkrun.ts evaluates.
 */

import { AwkSyntaxError, lex, type Tok } from './awklex.js';

export type Expr =
  | { k: 'num'; v: number }
  | { k: 'str'; v: string }
  | { k: 're'; src: string }
  | { k: 'var'; name: string }
  | { k: 'field'; e: Expr }
  | { k: 'index'; name: string; subs: Expr[] }
  | { k: 'assign'; op: string; target: Expr; e: Expr }
  | { k: 'cond'; c: Expr; a: Expr; b: Expr }
  | { k: 'bin'; op: string; a: Expr; b: Expr }
  | { k: 'un'; op: string; e: Expr }
  | { k: 'incdec'; op: '++' | '--'; prefix: boolean; target: Expr }
  | { k: 'in'; subs: Expr[]; name: string }
  | { k: 'match'; neg: boolean; a: Expr; re: Expr }
  | { k: 'call'; name: string; args: Expr[] }
  | { k: 'builtin'; name: string; args: Expr[] }
  | { k: 'group'; e: Expr };

export type Stmt =
  | { k: 'expr'; e: Expr }
  | { k: 'print'; args: Expr[]; printf: boolean; redir?: { op: string; target: Expr } }
  | { k: 'if'; c: Expr; t: Stmt; f?: Stmt }
  | { k: 'while'; c: Expr; body: Stmt }
  | { k: 'do'; c: Expr; body: Stmt }
  | { k: 'for'; init?: Stmt; c?: Expr; step?: Stmt; body: Stmt }
  | { k: 'forin'; v: string; arr: string; body: Stmt }
  | { k: 'block'; body: Stmt[] }
  | { k: 'next' | 'break' | 'continue' | 'nop' }
  | { k: 'exit' | 'return'; e?: Expr }
  | { k: 'delete'; name: string; subs?: Expr[] }
  | { k: 'getline'; target?: Expr };

export interface Rule {
  kind: 'begin' | 'end' | 'main';
  pattern?: Expr;
  range?: Expr;
  body?: Stmt;
  inRange?: boolean;
}

export interface Program {
  rules: Rule[];
  funcs: Map<string, { params: string[]; body: Stmt }>;
}

export { AwkSyntaxError };

export class Parser {
  private toks: Tok[];
  private i = 0;
  /** Inside print's arguments, `>` redirects instead of comparing. */
  private noGt = false;
  private noIn = false;

  constructor(src: string) {
    this.toks = lex(src);
  }

  private peek(o = 0): Tok {
    return this.toks[this.i + o]!;
  }
  private is(v: string, t?: Tok['t']): boolean {
    const k = this.peek();
    return k.v === v && (t === undefined || k.t === t) && k.t !== 'str';
  }
  private eat(v: string): boolean {
    if (this.is(v)) {
      this.i++;
      return true;
    }
    return false;
  }
  private expect(v: string): void {
    if (!this.eat(v)) throw new AwkSyntaxError(`Unexpected token '${this.peek().v || 'end of input'}'`);
  }
  private nls(): void {
    while (this.peek().t === 'nl') this.i++;
  }
  private optNl(): void {
    while (this.peek().t === 'nl' && this.peek().v === '\n') this.i++;
  }

  program(): Program {
    const p: Program = { rules: [], funcs: new Map() };
    this.nls();
    while (this.peek().t !== 'eof') {
      if (this.eat('BEGIN')) p.rules.push({ kind: 'begin', body: this.block() });
      else if (this.eat('END')) p.rules.push({ kind: 'end', body: this.block() });
      else if (this.eat('function')) {
        const name = this.peek().v;
        this.i++;
        this.expect('(');
        const params: string[] = [];
        while (!this.eat(')')) {
          params.push(this.peek().v);
          this.i++;
          this.eat(',');
          this.optNl();
        }
        this.optNl();
        p.funcs.set(name, { params, body: this.block() });
      } else {
        const r: Rule = { kind: 'main' };
        if (!this.is('{')) {
          r.pattern = this.expr();
          if (this.eat(',')) {
            this.optNl();
            r.range = this.expr();
          }
        }
        if (this.is('{')) r.body = this.block();
        p.rules.push(r);
      }
      this.nls();
    }
    return p;
  }

  private block(): Stmt {
    this.optNl();
    this.expect('{');
    const body: Stmt[] = [];
    this.nls();
    while (!this.eat('}')) {
      body.push(this.stmt());
      this.nls();
    }
    return { k: 'block', body };
  }

  private simpleEnd(): void {
    if (this.peek().t === 'nl') this.i++;
    else if (!this.is('}') && this.peek().t !== 'eof') throw new AwkSyntaxError(`Unexpected token '${this.peek().v}'`);
  }

  private body(): Stmt {
    this.optNl();
    if (this.peek().t === 'nl' && this.peek().v === ';') {
      this.i++;
      return { k: 'nop' };
    }
    return this.stmt();
  }

  private stmt(): Stmt {
    const t = this.peek();
    if (t.v === '{' && t.t === 'op') return this.block();
    if (t.t === 'kw') {
      this.i++;
      switch (t.v) {
        case 'if': {
          this.expect('(');
          const c = this.expr();
          this.expect(')');
          const s: Stmt = { k: 'if', c, t: this.body() };
          const save = this.i;
          this.nls();
          if (this.eat('else')) s.f = this.body();
          else this.i = save;
          return s;
        }
        case 'while': {
          this.expect('(');
          const c = this.expr();
          this.expect(')');
          return { k: 'while', c, body: this.body() };
        }
        case 'do': {
          const body = this.body();
          this.nls();
          this.expect('while');
          this.expect('(');
          const c = this.expr();
          this.expect(')');
          this.simpleEnd();
          return { k: 'do', c, body };
        }
        case 'for':
          return this.forStmt();
        case 'next':
        case 'break':
        case 'continue':
          this.simpleEnd();
          return { k: t.v };
        case 'exit':
        case 'return': {
          const s: Stmt = { k: t.v, e: this.peek().t === 'nl' || this.is('}') ? undefined : this.expr() };
          this.simpleEnd();
          return s;
        }
        case 'delete': {
          const name = this.peek().v;
          this.i++;
          let subs: Expr[] | undefined;
          if (this.eat('[')) {
            subs = this.exprList();
            this.expect(']');
          }
          this.simpleEnd();
          return { k: 'delete', name, subs };
        }
        case 'print':
        case 'printf':
          return this.print(t.v === 'printf');
        case 'getline':
          throw new AwkSyntaxError('getline is not in the model');
      }
      throw new AwkSyntaxError(`Unexpected token '${t.v}'`);
    }
    const e = this.expr();
    this.simpleEnd();
    return { k: 'expr', e };
  }

  private forStmt(): Stmt {
    this.expect('(');
    if (this.peek().t === 'name' && this.peek(1).v === 'in' && this.peek(2).t === 'name' && this.peek(3).v === ')') {
      const v = this.peek().v;
      const arr = this.peek(2).v;
      this.i += 4;
      return { k: 'forin', v, arr, body: this.body() };
    }
    const init = this.is(';') ? undefined : ({ k: 'expr', e: this.expr() } as Stmt);
    this.expect(';');
    this.optNl();
    const c = this.is(';') ? undefined : this.expr();
    this.expect(';');
    this.optNl();
    const step = this.is(')') ? undefined : ({ k: 'expr', e: this.expr() } as Stmt);
    this.expect(')');
    return { k: 'for', init, c, step, body: this.body() };
  }

  private print(printf: boolean): Stmt {
    this.noGt = true;
    let args: Expr[] = [];
    if (this.is('(')) {
      // `print (a, b)` or `print (a) b`: a parenthesised list, or the start of an expression.
      const save = this.i;
      this.i++;
      const list = this.exprList();
      if (this.eat(')') && (this.peek().t === 'nl' || this.is('}') || this.is('>') || this.is('>>') || this.is('|') || this.peek().t === 'eof')) args = list;
      else {
        this.i = save;
        args = this.exprList();
      }
    } else if (!(this.peek().t === 'nl' || this.is('}') || this.is('>') || this.is('>>') || this.is('|'))) args = this.exprList();
    this.noGt = false;
    const s: Stmt = { k: 'print', args, printf };
    const op = this.peek().v;
    if ((op === '>' || op === '>>' || op === '|') && this.peek().t === 'op') {
      this.i++;
      s.redir = { op, target: this.concat() };
    }
    this.simpleEnd();
    return s;
  }

  private exprList(): Expr[] {
    const out = [this.expr()];
    while (this.eat(',')) {
      this.optNl();
      out.push(this.expr());
    }
    return out;
  }

  expr(): Expr {
    return this.assignment();
  }

  private assignment(): Expr {
    const left = this.ternary();
    const op = this.peek().v;
    if (this.peek().t === 'op' && ['=', '+=', '-=', '*=', '/=', '%=', '^='].includes(op) && ['var', 'field', 'index'].includes(left.k)) {
      this.i++;
      this.optNl();
      return { k: 'assign', op, target: left, e: this.assignment() };
    }
    return left;
  }

  private ternary(): Expr {
    const c = this.binary(0);
    if (this.eat('?')) {
      this.optNl();
      const a = this.assignment();
      this.optNl();
      this.expect(':');
      this.optNl();
      return { k: 'cond', c, a, b: this.assignment() };
    }
    return c;
  }

  // Levels, loosest first: || && in ~ compare concat additive multiplicative.
  private binary(level: number): Expr {
    if (level === 4) return this.compare();
    let left = this.binary(level + 1);
    for (;;) {
      const t = this.peek();
      if (level === 0 && t.v === '||' && t.t === 'op') {
        this.i++;
        this.optNl();
        left = { k: 'bin', op: '||', a: left, b: this.binary(1) };
      } else if (level === 1 && t.v === '&&' && t.t === 'op') {
        this.i++;
        this.optNl();
        left = { k: 'bin', op: '&&', a: left, b: this.binary(2) };
      } else if (level === 2 && t.v === 'in' && t.t === 'kw' && !this.noIn) {
        this.i++;
        const name = this.peek().v;
        this.i++;
        left = { k: 'in', subs: left.k === 'group' && left.e.k === 'bin' && left.e.op === ',' ? flatten(left.e) : [left], name };
      } else if (level === 3 && (t.v === '~' || t.v === '!~') && t.t === 'op') {
        this.i++;
        left = { k: 'match', neg: t.v === '!~', a: left, re: this.binary(4) };
      } else return left;
    }
  }

  private compare(): Expr {
    const left = this.concat();
    const t = this.peek();
    if (t.t === 'op' && ['<', '<=', '!=', '==', '>=', '>'].includes(t.v) && !(this.noGt && t.v === '>')) {
      this.i++;
      return { k: 'bin', op: t.v, a: left, b: this.concat() };
    }
    return left;
  }

  private startsOperand(): boolean {
    const t = this.peek();
    if (['num', 'str', 're', 'name', 'funcname', 'builtin'].includes(t.t)) return true;
    return t.t === 'op' && ['$', '(', '!', '++', '--', '-', '+'].includes(t.v) && !(t.v === '-' || t.v === '+');
  }

  private concat(): Expr {
    let left = this.additive();
    while (this.startsOperand() && !(this.peek().t === 'kw')) left = { k: 'bin', op: 'concat', a: left, b: this.additive() };
    return left;
  }

  private additive(): Expr {
    let left = this.multiplicative();
    while ((this.is('+') || this.is('-')) && this.peek().t === 'op') {
      const op = this.peek().v;
      this.i++;
      left = { k: 'bin', op, a: left, b: this.multiplicative() };
    }
    return left;
  }

  private multiplicative(): Expr {
    let left = this.unary();
    while ((this.is('*') || this.is('/') || this.is('%')) && this.peek().t === 'op') {
      const op = this.peek().v;
      this.i++;
      left = { k: 'bin', op, a: left, b: this.unary() };
    }
    return left;
  }

  private unary(): Expr {
    const t = this.peek();
    if (t.t === 'op' && (t.v === '!' || t.v === '-' || t.v === '+')) {
      this.i++;
      return { k: 'un', op: t.v, e: this.unary() };
    }
    return this.power();
  }

  private power(): Expr {
    const base = this.postfix();
    if (this.eat('^')) return { k: 'bin', op: '^', a: base, b: this.unary() };
    return base;
  }

  private postfix(): Expr {
    const t = this.peek();
    if (t.t === 'op' && (t.v === '++' || t.v === '--')) {
      this.i++;
      return { k: 'incdec', op: t.v, prefix: true, target: this.postfix() };
    }
    const e = this.primary();
    const n = this.peek();
    if (n.t === 'op' && (n.v === '++' || n.v === '--') && ['var', 'field', 'index'].includes(e.k)) {
      this.i++;
      return { k: 'incdec', op: n.v, prefix: false, target: e };
    }
    return e;
  }

  private primary(): Expr {
    const t = this.peek();
    this.i++;
    switch (t.t) {
      case 'num':
        return { k: 'num', v: Number(t.v) };
      case 'str':
        return { k: 'str', v: t.v };
      case 're':
        return { k: 're', src: t.v };
      case 'funcname': {
        this.expect('(');
        const args = this.is(')') ? [] : this.exprList();
        this.expect(')');
        return { k: 'call', name: t.v, args };
      }
      case 'builtin': {
        if (!this.is('(')) return { k: 'builtin', name: t.v, args: [] };
        this.i++;
        const args = this.is(')') ? [] : this.exprList();
        this.expect(')');
        return { k: 'builtin', name: t.v, args };
      }
      case 'name':
        if (this.eat('[')) {
          const subs = this.exprList();
          this.expect(']');
          return { k: 'index', name: t.v, subs };
        }
        return { k: 'var', name: t.v };
      case 'op':
        if (t.v === '$') return { k: 'field', e: this.postfixNoIncdec() };
        if (t.v === '(') {
          const saveGt = this.noGt;
          this.noGt = false;
          let e = this.expr();
          while (this.eat(',')) e = { k: 'bin', op: ',', a: e, b: this.expr() };
          this.noGt = saveGt;
          this.expect(')');
          return { k: 'group', e };
        }
    }
    throw new AwkSyntaxError(`Unexpected token '${t.v || 'end of input'}'`);
  }

  private postfixNoIncdec(): Expr {
    const t = this.peek();
    if (t.t === 'op' && (t.v === '++' || t.v === '--')) {
      this.i++;
      return { k: 'incdec', op: t.v, prefix: true, target: this.primary() };
    }
    if (t.t === 'op' && t.v === '-') {
      this.i++;
      return { k: 'un', op: '-', e: this.primary() };
    }
    return this.primary();
  }
}

function flatten(e: Expr): Expr[] {
  return e.k === 'bin' && e.op === ',' ? [...flatten(e.a), ...flatten(e.b)] : [e];
}
