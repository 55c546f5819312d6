/**
 * $((...)) as busybox's shell/math.c evaluates it: signed 64-bit integers, C's operators and
 * precedence, assignment operators, ++/--, ?:, variables read as numbers (unset or empty is 0),
 * 0x hex, leading-0 octal and base#digits. Errors carry ash's texts ("arithmetic syntax error",
 * "divide by zero").
 */

export class ArithError extends Error {}

export interface ArithVars {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
}

type Tok = { k: 'num'; v: bigint } | { k: 'name'; v: string } | { k: 'op'; v: string } | { k: 'end' };

const OPS = [
  '<<=', '>>=', '**',
  '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '+=', '-=', '*=', '/=', '%=', '&=', '^=', '|=',
  '+', '-', '*', '/', '%', '<', '>', '&', '^', '|', '!', '~', '?', ':', '(', ')', '=', ',',
];

const wrap = (n: bigint) => BigInt.asIntN(64, n);

export function parseNumber(text: string): bigint {
  const s = text.trim();
  let m: RegExpExecArray | null;
  if ((m = /^([+-]?)(0[xX][0-9a-fA-F]+)$/.exec(s))) return wrap(BigInt(m[1] === '-' ? '-' + m[2] : m[2]!));
  if ((m = /^([+-]?)0([0-7]+)$/.exec(s))) return wrap(BigInt((m[1] === '-' ? '-' : '') + '0o' + m[2]));
  if ((m = /^([+-]?)(\d+)#([0-9a-zA-Z@_]+)$/.exec(s))) {
    const base = Number(m[2]);
    let v = 0n;
    for (const c of m[3]!) {
      const d = /\d/.test(c) ? c.charCodeAt(0) - 48 : /[a-z]/.test(c) ? c.charCodeAt(0) - 87 : /[A-Z]/.test(c) ? c.charCodeAt(0) - 29 : c === '@' ? 62 : 63;
      if (d >= base) throw new ArithError('arithmetic syntax error');
      v = v * BigInt(base) + BigInt(d);
    }
    return wrap(m[1] === '-' ? -v : v);
  }
  if (/^[+-]?\d+$/.test(s)) return wrap(BigInt(s));
  throw new ArithError('arithmetic syntax error');
}

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const num = /^(0[xX][0-9a-fA-F]+|\d+#[0-9a-zA-Z@_]+|\d+)/.exec(src.slice(i));
    if (num) {
      if (/^[A-Za-z_]/.test(src.slice(i + num[0].length))) throw new ArithError('arithmetic syntax error');
      out.push({ k: 'num', v: parseNumber(num[0]) });
      i += num[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (name) {
      out.push({ k: 'name', v: name[0] });
      i += name[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new ArithError('arithmetic syntax error');
    out.push({ k: 'op', v: op });
    i += op.length;
  }
  out.push({ k: 'end' });
  return out;
}

const BINARY: Record<string, number> = {
  ',': 1, '||': 4, '&&': 5, '|': 6, '^': 7, '&': 8, '==': 9, '!=': 9, '<': 10, '<=': 10, '>': 10, '>=': 10,
  '<<': 11, '>>': 11, '+': 12, '-': 12, '*': 13, '/': 13, '%': 13, '**': 14,
};
const ASSIGN = new Set(['=', '+=', '-=', '*=', '/=', '%=', '<<=', '>>=', '&=', '^=', '|=']);

/** A value, and the variable it came from when it can be assigned to. */
interface Val {
  v: bigint;
  name?: string;
}

class Evaluator {
  private i = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly vars: ArithVars,
  ) {}

  private peek(): Tok {
    return this.toks[this.i]!;
  }
  private isOp(v: string): boolean {
    const t = this.peek();
    return t.k === 'op' && t.v === v;
  }
  private take(): Tok {
    return this.toks[this.i++]!;
  }

  run(): bigint {
    if (this.peek().k === 'end') return 0n;
    const v = this.expr(1, true).v;
    if (this.peek().k !== 'end') throw new ArithError('arithmetic syntax error');
    return v;
  }

  private read(name: string): bigint {
    const s = this.vars.get(name);
    if (s === undefined || s === '') return 0n;
    return parseNumber(s);
  }

  /** Precedence climbing; `live` false evaluates without side effects (the untaken side of && || ?:). */
  private expr(minPrec: number, live: boolean): Val {
    let left = this.unary(live);
    for (;;) {
      const t = this.peek();
      if (t.k !== 'op') break;
      if (ASSIGN.has(t.v) && minPrec <= 2) {
        if (!left.name) throw new ArithError('arithmetic syntax error');
        this.take();
        const right = this.expr(2, live).v;
        const cur = live ? this.read(left.name) : 0n;
        const v = t.v === '=' ? right : this.binop(t.v.slice(0, -1), cur, right, live);
        if (live) this.vars.set(left.name, String(v));
        left = { v };
        continue;
      }
      if (t.v === '?' && minPrec <= 3) {
        this.take();
        const c = left.v !== 0n;
        const a = this.expr(1, live && c).v;
        if (!this.isOp(':')) throw new ArithError('arithmetic syntax error');
        this.take();
        const b = this.expr(3, live && !c).v;
        left = { v: c ? a : b };
        continue;
      }
      const prec = BINARY[t.v];
      if (prec === undefined || prec < minPrec) break;
      this.take();
      if (t.v === '&&' || t.v === '||') {
        const short = t.v === '&&' ? left.v === 0n : left.v !== 0n;
        const right = this.expr(prec + 1, live && !short).v;
        left = { v: short ? (t.v === '||' ? 1n : 0n) : right !== 0n ? 1n : 0n };
        continue;
      }
      const right = this.expr(t.v === '**' ? prec : prec + 1, live).v;
      left = { v: this.binop(t.v, left.v, right, live) };
    }
    return left;
  }

  private binop(op: string, a: bigint, b: bigint, live: boolean): bigint {
    switch (op) {
      case ',': return b;
      case '|': return a | b;
      case '^': return a ^ b;
      case '&': return a & b;
      case '==': return a === b ? 1n : 0n;
      case '!=': return a !== b ? 1n : 0n;
      case '<': return a < b ? 1n : 0n;
      case '<=': return a <= b ? 1n : 0n;
      case '>': return a > b ? 1n : 0n;
      case '>=': return a >= b ? 1n : 0n;
      case '<<': return wrap(a << (b & 63n));
      case '>>': return a >> (b & 63n);
      case '+': return wrap(a + b);
      case '-': return wrap(a - b);
      case '*': return wrap(a * b);
      case '**':
        if (b < 0n) throw new ArithError('exponent less than 0');
        return wrap(a ** b);
      case '/':
      case '%':
        if (b === 0n) {
          if (!live) return 0n;
          throw new ArithError('divide by zero');
        }
        return wrap(op === '/' ? a / b : a % b);
      default:
        throw new ArithError('arithmetic syntax error');
    }
  }

  private unary(live: boolean): Val {
    const t = this.take();
    if (t.k === 'num') return { v: t.v };
    if (t.k === 'name') {
      if (this.isOp('++') || this.isOp('--')) {
        const op = (this.take() as { v: string }).v;
        const cur = live ? this.read(t.v) : 0n;
        if (live) this.vars.set(t.v, String(wrap(op === '++' ? cur + 1n : cur - 1n)));
        return { v: cur };
      }
      return { v: live ? this.read(t.v) : 0n, name: t.v };
    }
    if (t.k !== 'op') throw new ArithError('arithmetic syntax error');
    switch (t.v) {
      case '(': {
        const v = this.expr(1, live);
        if (!this.isOp(')')) throw new ArithError('arithmetic syntax error');
        this.take();
        return { v: v.v };
      }
      case '++':
      case '--': {
        const n = this.take();
        if (n.k !== 'name') throw new ArithError('arithmetic syntax error');
        const v = wrap((live ? this.read(n.v) : 0n) + (t.v === '++' ? 1n : -1n));
        if (live) this.vars.set(n.v, String(v));
        return { v };
      }
      case '-':
        return { v: wrap(-this.unary(live).v) };
      case '+':
        return { v: this.unary(live).v };
      case '!':
        return { v: this.unary(live).v === 0n ? 1n : 0n };
      case '~':
        return { v: ~this.unary(live).v };
      default:
        throw new ArithError('arithmetic syntax error');
    }
  }
}

/** Evaluates an expanded arithmetic expression. */
export function evalArith(text: string, vars: ArithVars): bigint {
  return new Evaluator(tokenize(text), vars).run();
}
