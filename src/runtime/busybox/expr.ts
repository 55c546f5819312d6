/**
 * expr, test and [, printf (busybox coreutils/expr.c, test.c, printf.c): the evaluators busybox
 * shares between its applets and its shell's builtins.
 */
import type { ExitCode } from '../program.js';
import { applet, getopt } from './common.js';
import { sprintf } from './format.js';
import { compile } from './regex.js';

class ExprError extends Error {}

const isInt = (s: string) => /^\s*-?\d+\s*$/.test(s);

/** expr's grammar, loosest first: | & (= > >= < <= !=) (+ -) (* / %) : and the string keywords. */
class ExprParser {
  i = 0;
  constructor(private readonly a: string[]) {}
  private peek() {
    return this.a[this.i];
  }
  or(): string {
    let l = this.and();
    while (this.peek() === '|') {
      this.i++;
      const r = this.and();
      l = isNull(l) ? (isNull(r) ? '0' : r) : l;
    }
    return l;
  }
  private and(): string {
    let l = this.cmp();
    while (this.peek() === '&') {
      this.i++;
      const r = this.cmp();
      l = isNull(l) || isNull(r) ? '0' : l;
    }
    return l;
  }
  private cmp(): string {
    let l = this.add();
    for (;;) {
      const op = this.peek();
      if (!op || !['=', '==', '!=', '<', '<=', '>', '>='].includes(op)) return l;
      this.i++;
      const r = this.add();
      const c = isInt(l) && isInt(r) ? Number(l) - Number(r) : l < r ? -1 : l > r ? 1 : 0;
      const res = op === '=' || op === '==' ? c === 0 : op === '!=' ? c !== 0 : op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
      l = res ? '1' : '0';
    }
  }
  private num(s: string): number {
    if (!isInt(s)) throw new ExprError('non-numeric argument');
    return Number(s);
  }
  private add(): string {
    let l = this.mul();
    while (this.peek() === '+' || this.peek() === '-') {
      const op = this.a[this.i++];
      const r = this.mul();
      l = String(op === '+' ? this.num(l) + this.num(r) : this.num(l) - this.num(r));
    }
    return l;
  }
  private mul(): string {
    let l = this.colon();
    while (this.peek() === '*' || this.peek() === '/' || this.peek() === '%') {
      const op = this.a[this.i++];
      const r = this.colon();
      const x = this.num(l);
      const y = this.num(r);
      if (op !== '*' && y === 0) throw new ExprError('division by zero');
      l = String(op === '*' ? x * y : op === '/' ? Math.trunc(x / y) : x % y);
    }
    return l;
  }
  private colon(): string {
    let l = this.primary();
    while (this.peek() === ':') {
      this.i++;
      l = match(l, this.primary());
    }
    return l;
  }
  private primary(): string {
    const t = this.a[this.i++];
    if (t === undefined) throw new ExprError('syntax error');
    if (t === '(') {
      const v = this.or();
      if (this.a[this.i++] !== ')') throw new ExprError('syntax error');
      return v;
    }
    if (t === 'length') return String([...this.primary()].length);
    if (t === 'match') return match(this.primary(), this.primary());
    if (t === 'substr') {
      const s = [...this.primary()];
      const pos = this.num(this.primary());
      const len = this.num(this.primary());
      return pos < 1 || len < 1 ? '' : s.slice(pos - 1, pos - 1 + len).join('');
    }
    if (t === 'index') {
      const s = this.primary();
      const chars = this.primary();
      const i = [...s].findIndex((ch) => chars.includes(ch));
      return String(i + 1);
    }
    if (t === '+') return this.a[this.i++] ?? '';
    return t;
  }
}

const isNull = (s: string) => s === '' || (isInt(s) && Number(s) === 0);

/** `STRING : REGEX`: anchored at the start; the first group's text, else the match length. */
function match(s: string, re: string): string {
  const m = new RegExp('^(?:' + compile(re, { extended: false }).source + ')').exec(s);
  if (/\\\(/.test(re)) return m?.[1] ?? '';
  return String(m ? m[0].length : 0);
}

export const expr = applet('expr', async (c) => {
  const args = c.p.argv.slice(1);
  if (args.length === 0) {
    await c.error('too few arguments');
    return 2;
  }
  let v: string;
  try {
    const p = new ExprParser(args);
    v = p.or();
    if (p.i < args.length) throw new ExprError('syntax error');
  } catch (e) {
    if (!(e instanceof ExprError)) throw e;
    await c.error(e.message);
    return 2;
  }
  await c.out.write(v + '\n');
  return isNull(v) ? 1 : 0;
});

/** printf's escapes in the format (and in %b's argument): \n \t \\ \NNN ... `\c` stops all output. */
function unescape(s: string): { text: string; stop: boolean } {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch !== '\\' || i + 1 >= s.length) {
      out += ch;
      continue;
    }
    const n = s[++i]!;
    const oct = /^0?[0-7]{1,3}/.exec(s.slice(i));
    if (/[0-7]/.test(n) && oct) {
      out += String.fromCharCode(parseInt(oct[0], 8) & 255);
      i += oct[0].length - 1;
      continue;
    }
    if (n === 'c') return { text: out, stop: true };
    const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', '"': '"', "'": "'" };
    out += map[n] ?? '\\' + n;
  }
  return { text: out, stop: false };
}

/** A printf number: decimal, 0x hex, 0 octal, 'c (a character's code); null when invalid. */
function printfNumber(s: string): number | null {
  if (/^['"]/.test(s)) return s.codePointAt(1) ?? 0;
  const t = s.trim();
  if (/^[-+]?0[xX][0-9a-fA-F]+$/.test(t)) return parseInt(t, 16);
  if (/^[-+]?0[0-7]+$/.test(t)) return parseInt(t, 8);
  if (/^[-+]?\d+$/.test(t)) return Number(t);
  return null;
}

export const printf = applet('printf', async (c): Promise<ExitCode> => {
  const a = await getopt(c, '+');
  if (!a) return 1;
  const [fmt, ...args] = a.args;
  if (fmt === undefined) return c.usage();
  const f = unescape(fmt).text;
  // The conversions in order: %b takes its argument's escapes, %d and friends want an integer.
  const convs = [...f.matchAll(/%[-+ #0]*(?:\*|\d+)?(?:\.(?:\*|\d*))?[hlLqjzt]*([diouxXcseEfFgGaAb%])/g)].map((m) => m[1]!).filter((x) => x !== '%');
  const g = f.replace(/(%[-+ #0]*(?:\*|\d+)?(?:\.(?:\*|\d*))?)b/g, '$1s');
  let status: ExitCode = 0;
  let k = 0;
  let out = '';
  let stop = false;
  do {
    const start = k;
    const bad: string[] = [];
    let conv = 0;
    out += sprintf(g, () => {
      const kind = convs[conv++ % Math.max(1, convs.length)];
      const s = k < args.length ? args[k++]! : undefined;
      if (s === undefined) return { s: () => '', n: () => 0 };
      if (kind === 'b') {
        const u = unescape(s);
        if (u.stop) stop = true;
        return { s: () => u.text, n: () => 0 };
      }
      return {
        s: () => s,
        n: () => {
          const n = printfNumber(s);
          if (n !== null) return n;
          const fl = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(s) ? Number(s) : null;
          if (fl === null || (kind !== undefined && 'diouxXc'.includes(kind))) bad.push(s);
          // busybox prints 0 for a number it rejects (`printf %d 3.5` prints 0).
          return fl === null || (kind !== undefined && 'diouxXc'.includes(kind)) ? 0 : fl;
        },
      };
    });
    for (const b of bad) {
      status = 1;
      await c.out.flush();
      await c.error(`invalid number '${b}'`);
    }
    if (stop || k === start) break;
  } while (k < args.length);
  if (stop) out = out.slice(0, out.length);
  await c.out.write(out);
  return status;
});
