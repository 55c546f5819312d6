/**
 * The awk interpreter (busybox editors/awk.c's semantics), a POSIX subset evaluated over awkparse.ts's tree: BEGIN/END, patterns
 * and ranges, fields ($0, $n, NF, assignment rebuilds $0 with OFS), NR FNR FS OFS ORS RS(newline
 * only) FILENAME SUBSEP RSTART RLENGTH ENVIRON, associative arrays, `in`, delete, user functions,
 * if/while/do/for/for-in, next, exit, print/printf with > and >> redirection, and the functions
 * length substr index split sub gsub match sprintf tolower toupper int sqrt exp log sin cos atan2
 * rand srand. Not in: getline, `|` pipes, system(), RS other than a newline. Unlike Debian's
 * busybox-static (built without FEATURE_AWK_LIBM: "Math support is not compiled in"), `^` and the
 * math functions work, as in busybox images built with it.
 */
import type { WriteStream } from '../program.js';
import type { Ctx } from './common.js';
import { AwkSyntaxError, type Expr, type Program, type Stmt } from './awkparse.js';
import { builtin } from './awkfuncs.js';
import { sprintf } from './format.js';
import { compile } from './regex.js';
import { looksNumeric, numToStr, strnum, toNum, UNINIT, type V } from './awkvalue.js';

export class Next {}
export class Exit {
  constructor(readonly code: number) {}
}
class Return {
  constructor(readonly v: V) {}
}
class Break {}
class Continue {}

export class Awk {
  globals = new Map<string, V>();
  arrays = new Map<string, Map<string, V>>();
  private frames: Array<Map<string, V | Map<string, V>>> = [];
  fields: string[] = [''];
  private outputs = new Map<string, WriteStream>();
  private seed = 0;
  private reCache = new Map<string, RegExp>();

  constructor(
    private readonly c: Ctx,
    private readonly prog: Program,
  ) {
    for (const [k, v] of Object.entries({ FS: ' ', OFS: ' ', ORS: '\n', RS: '\n', SUBSEP: '\x1c', CONVFMT: '%.6g', OFMT: '%.6g', NR: 0, FNR: 0, NF: 0, RSTART: 0, RLENGTH: -1, FILENAME: '' }))
      this.globals.set(k, v);
    this.arrays.set('ENVIRON', new Map([...c.p.env].map(([k, v]) => [k, strnum(v)])));
  }

  str(v: V): string {
    if (typeof v === 'string') return v;
    if (typeof v === 'object') return v.s;
    return numToStr(v, this.get('CONVFMT') as string);
  }

  get(name: string): V {
    const f = this.frames[this.frames.length - 1];
    if (f?.has(name)) {
      const v = f.get(name)!;
      return v instanceof Map ? UNINIT : v;
    }
    if (name === 'NF') return this.fields.length - 1;
    return this.globals.get(name) ?? UNINIT;
  }

  set(name: string, v: V): void {
    const f = this.frames[this.frames.length - 1];
    if (f?.has(name)) f.set(name, v);
    else if (name === 'NF') this.setNF(toNum(v));
    else this.globals.set(name, v);
  }

  array(name: string): Map<string, V> {
    const f = this.frames[this.frames.length - 1];
    if (f?.has(name)) {
      let v = f.get(name);
      if (!(v instanceof Map)) f.set(name, (v = new Map()));
      return v;
    }
    let a = this.arrays.get(name);
    if (!a) this.arrays.set(name, (a = new Map()));
    return a;
  }

  regex(v: V | RegExp): RegExp {
    if (v instanceof RegExp) return v;
    const src = this.str(v);
    let re = this.reCache.get(src);
    if (!re) this.reCache.set(src, (re = compile(src, { extended: true })));
    return re;
  }

  setRecord(line: string): void {
    this.fields = [line, ...this.split(line, this.str(this.get('FS')))];
  }

  split(s: string, fs: string): string[] {
    if (fs === ' ') return s.split(/[ \t\n]+/).filter((x, i, all) => x !== '' || (i > 0 && i < all.length - 1));
    if (s === '') return [];
    if (fs.length === 1 && fs !== '\\') return s.split(fs);
    return s.split(this.regex(fs));
  }

  private setNF(n: number): void {
    this.fields.length = n + 1;
    for (let i = 1; i <= n; i++) this.fields[i] ??= '';
    this.rebuild();
  }

  private rebuild(): void {
    this.fields[0] = this.fields.slice(1).join(this.str(this.get('OFS')));
  }

  getField(i: number): V {
    if (i === 0) return strnum(this.fields[0]!);
    return i < this.fields.length ? strnum(this.fields[i]!) : UNINIT;
  }

  setField(i: number, v: string): void {
    if (i === 0) return this.setRecord(v);
    while (this.fields.length <= i) this.fields.push('');
    this.fields[i] = v;
    this.rebuild();
  }

  async output(text: string, redir?: { op: string; target: Expr }): Promise<void> {
    if (!redir) return this.c.out.write(text);
    const name = this.str(await this.eval(redir.target));
    let w = this.outputs.get(name);
    if (!w) {
      if (redir.op === '|') throw new AwkSyntaxError('pipes are not in the model');
      w = await this.c.fs.openWrite(name, { create: true, truncate: redir.op === '>', append: redir.op === '>>' });
      this.outputs.set(name, w);
    }
    await w.write(text);
  }

  closeAll(): void {
    for (const w of this.outputs.values()) w.close();
  }

  async exec(s: Stmt): Promise<void> {
    switch (s.k) {
      case 'expr':
        await this.eval(s.e);
        return;
      case 'print': {
        if (s.printf) {
          const vals = await Promise.all(s.args.map((a) => this.eval(a)));
          await this.output(this.format(vals), s.redir);
          return;
        }
        const parts: string[] = [];
        for (const a of s.args.length > 0 ? s.args : [{ k: 'field', e: { k: 'num', v: 0 } } as Expr]) {
          const v = await this.eval(a);
          parts.push(typeof v === 'number' ? numToStr(v, this.str(this.get('OFMT'))) : this.str(v));
        }
        await this.output(parts.join(this.str(this.get('OFS'))) + this.str(this.get('ORS')), s.redir);
        return;
      }
      case 'if':
        if (this.truth(await this.eval(s.c))) await this.exec(s.t);
        else if (s.f) await this.exec(s.f);
        return;
      case 'while':
        while (this.truth(await this.eval(s.c))) if (await this.loopBody(s.body)) break;
        return;
      case 'do':
        do if (await this.loopBody(s.body)) break;
        while (this.truth(await this.eval(s.c)));
        return;
      case 'for':
        if (s.init) await this.exec(s.init);
        while (!s.c || this.truth(await this.eval(s.c))) {
          if (await this.loopBody(s.body)) break;
          if (s.step) await this.exec(s.step);
        }
        return;
      case 'forin':
        for (const k of [...this.array(s.arr).keys()]) {
          this.set(s.v, strnum(k));
          if (await this.loopBody(s.body)) break;
        }
        return;
      case 'block':
        for (const b of s.body) await this.exec(b);
        return;
      case 'next':
        throw new Next();
      case 'break':
        throw new Break();
      case 'continue':
        throw new Continue();
      case 'nop':
        return;
      case 'exit':
        throw new Exit(s.e ? toNum(await this.eval(s.e)) : 0);
      case 'return':
        throw new Return(s.e ? await this.eval(s.e) : UNINIT);
      case 'delete':
        if (!s.subs) this.array(s.name).clear();
        else this.array(s.name).delete(await this.subscript(s.subs));
        return;
      case 'getline':
        return;
    }
  }

  /** Runs a loop body; true when it broke out. */
  private async loopBody(b: Stmt): Promise<boolean> {
    try {
      await this.exec(b);
    } catch (e) {
      if (e instanceof Break) return true;
      if (e instanceof Continue) return false;
      throw e;
    }
    return false;
  }

  truth(v: V): boolean {
    if (typeof v === 'number') return v !== 0;
    if (typeof v === 'object') return v.s === '' ? false : v.n !== 0 || !looksNumeric(v.s);
    return v !== '';
  }

  format(vals: V[]): string {
    let i = 1;
    return sprintf(this.str(vals[0] ?? ''), () => {
      if (i >= vals.length) return undefined;
      const v = vals[i++]!;
      return { s: () => this.str(v), n: () => toNum(v), isNum: typeof v === 'number' };
    });
  }

  async subscript(subs: Expr[]): Promise<string> {
    const parts: string[] = [];
    for (const e of subs) parts.push(this.str(await this.eval(e)));
    return parts.join(this.str(this.get('SUBSEP')));
  }

  private compare(a: V, b: V, op: string): boolean {
    const numeric = typeof a !== 'string' && typeof b !== 'string';
    const x = numeric ? toNum(a) : this.str(a);
    const y = numeric ? toNum(b) : this.str(b);
    switch (op) {
      case '<': return x < y;
      case '<=': return x <= y;
      case '>': return x > y;
      case '>=': return x >= y;
      case '==': return x === y;
      default: return x !== y;
    }
  }

  async assignTo(target: Expr, v: V): Promise<V> {
    const stored = typeof v === 'object' ? v : v;
    if (target.k === 'var') this.set(target.name, stored);
    else if (target.k === 'field') this.setField(toNum(await this.eval(target.e)), this.str(v));
    else if (target.k === 'index') this.array(target.name).set(await this.subscript(target.subs), stored);
    return v;
  }

  async eval(e: Expr): Promise<V> {
    switch (e.k) {
      case 'num': return e.v;
      case 'str': return e.v;
      case 're': return this.regex(e.src).test(this.fields[0]!) ? 1 : 0;
      case 'group': return this.eval(e.e);
      case 'var': return this.get(e.name);
      case 'field': return this.getField(toNum(await this.eval(e.e)));
      case 'index': return this.array(e.name).get(await this.subscript(e.subs)) ?? UNINIT;
      case 'in': return this.array(e.name).has(await this.subscript(e.subs)) ? 1 : 0;
      case 'cond': return this.truth(await this.eval(e.c)) ? this.eval(e.a) : this.eval(e.b);
      case 'match': {
        const re = e.re.k === 're' ? this.regex(e.re.src) : this.regex(await this.eval(e.re));
        return re.test(this.str(await this.eval(e.a))) !== e.neg ? 1 : 0;
      }
      case 'un': {
        const v = await this.eval(e.e);
        return e.op === '!' ? (this.truth(v) ? 0 : 1) : e.op === '-' ? -toNum(v) : toNum(v);
      }
      case 'incdec': {
        const old = toNum(await this.eval(e.target));
        const nv = e.op === '++' ? old + 1 : old - 1;
        await this.assignTo(e.target, nv);
        return e.prefix ? nv : old;
      }
      case 'assign': {
        let v = await this.eval(e.e);
        if (e.op !== '=') v = arith(e.op[0]!, toNum(await this.eval(e.target)), toNum(v));
        return this.assignTo(e.target, typeof v === 'object' ? v : v);
      }
      case 'bin': return this.binary(e.op, e.a, e.b);
      case 'call': return this.call(e.name, e.args);
      case 'builtin':
        return builtin(this, e.name, e.args);
    }
  }

  private async binary(op: string, ea: Expr, eb: Expr): Promise<V> {
    if (op === '&&') return this.truth(await this.eval(ea)) && this.truth(await this.eval(eb)) ? 1 : 0;
    if (op === '||') return this.truth(await this.eval(ea)) || this.truth(await this.eval(eb)) ? 1 : 0;
    const a = await this.eval(ea);
    const b = await this.eval(eb);
    if (op === 'concat' || op === ',') return this.str(a) + (op === ',' ? this.str(this.get('SUBSEP')) : '') + this.str(b);
    if (['<', '<=', '>', '>=', '==', '!='].includes(op)) return this.compare(a, b, op) ? 1 : 0;
    return arith(op, toNum(a), toNum(b));
  }

  private async call(name: string, args: Expr[]): Promise<V> {
    const f = this.prog.funcs.get(name);
    if (!f) throw new AwkSyntaxError(`Call to undefined function`);
    const frame = new Map<string, V | Map<string, V>>();
    for (let i = 0; i < f.params.length; i++) {
      const a = args[i];
      const p = f.params[i]!;
      // An array argument is passed by reference; anything else by value.
      if (a && a.k === 'var' && (this.arrays.has(a.name) || this.frames[this.frames.length - 1]?.get(a.name) instanceof Map)) frame.set(p, this.array(a.name));
      else frame.set(p, a ? await this.eval(a) : UNINIT);
    }
    this.frames.push(frame);
    try {
      await this.exec(f.body);
      return UNINIT;
    } catch (e) {
      if (e instanceof Return) return e.v;
      throw e;
    } finally {
      this.frames.pop();
    }
  }

  rand(): number {
    // A linear congruential generator: awk's rand() need only be repeatable for a seed.
    this.seed = (this.seed * 1103515245 + 12345) % 2147483648;
    return this.seed / 2147483648;
  }
  srand(seed: number): number {
    const old = this.seed;
    this.seed = Math.trunc(seed);
    return old;
  }
}

function arith(op: string, x: number, y: number): number {
  switch (op) {
    case '+': return x + y;
    case '-': return x - y;
    case '*': return x * y;
    case '/':
      if (y === 0) throw new AwkSyntaxError('Division by zero');
      return x / y;
    case '%':
      if (y === 0) throw new AwkSyntaxError('Division by zero');
      return x % y;
    case '^': return x ** y;
  }
  return 0;
}

