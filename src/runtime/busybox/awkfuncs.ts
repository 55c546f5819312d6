/** awk's built-in functions (POSIX awk, "String Functions" and "Arithmetic Functions"). */
import type { Expr } from './awkparse.js';
import { AwkSyntaxError } from './awkparse.js';
import type { Awk } from './awk.js';
import { strnum, toNum, UNINIT, type V } from './awkvalue.js';

/** The target of sub/gsub/split's array: an lvalue expression. */
async function substitute(awk: Awk, args: Expr[], global: boolean): Promise<V> {
  const [reE, replE, targetE] = args;
  if (!reE || !replE) throw new AwkSyntaxError('Too few arguments for builtin');
  const re = reE.k === 're' ? awk.regex(reE.src) : awk.regex(await awk.eval(reE));
  const repl = awk.str(await awk.eval(replE));
  const target: Expr = targetE ?? { k: 'field', e: { k: 'num', v: 0 } };
  const s = awk.str(await awk.eval(target));
  const g = new RegExp(re.source, re.flags.replace('g', '') + 'g');
  let out = '';
  let last = 0;
  let n = 0;
  let prevEnd = -1;
  for (let m = g.exec(s); m; m = g.exec(s)) {
    if (m[0] === '' && m.index === prevEnd) {
      g.lastIndex++;
      continue;
    }
    n++;
    // In the replacement `&` is the match and `\&` a literal ampersand.
    out += s.slice(last, m.index) + repl.replace(/\\\\|\\&|&/g, (t) => (t === '&' ? m![0] : t === '\\&' ? '&' : '\\'));
    last = prevEnd = m.index + m[0].length;
    if (m[0] === '') g.lastIndex++;
    if (!global) break;
  }
  if (n > 0) await awk.assignTo(target, out + s.slice(last));
  return n;
}

export async function builtin(awk: Awk, name: string, args: Expr[]): Promise<V> {
  const val = async (i: number): Promise<V> => (args[i] ? awk.eval(args[i]!) : UNINIT);
  const str = async (i: number) => awk.str(await val(i));
  const num = async (i: number) => toNum(await val(i));
  switch (name) {
    case 'length': {
      const a = args[0];
      if (a && a.k === 'var' && awk.arrays.has(a.name)) return awk.array(a.name).size;
      return [...(args.length === 0 ? awk.fields[0]! : await str(0))].length;
    }
    case 'substr': {
      // busybox clamps the start to the string and keeps the length (substr("abc", 0, 2) is "ab",
      // where POSIX's rule gives "a").
      const s = [...(await str(0))];
      const from = Math.min(Math.max(Math.trunc(await num(1)) - 1, 0), s.length);
      const n = args.length > 2 ? Math.max(Math.trunc(await num(2)), 0) : s.length - from;
      return s.slice(from, from + n).join('');
    }
    case 'index': {
      const i = (await str(0)).indexOf(await str(1));
      return i + 1;
    }
    case 'split': {
      const s = await str(0);
      const arrE = args[1];
      if (!arrE || arrE.k !== 'var') throw new AwkSyntaxError('split: second argument must be an array');
      const arr = awk.array(arrE.name);
      arr.clear();
      const sepE = args[2];
      const parts = sepE
        ? sepE.k === 're'
          ? s === '' ? [] : s.split(awk.regex(sepE.src))
          : awk.split(s, awk.str(await awk.eval(sepE)))
        : awk.split(s, awk.str(awk.get('FS')));
      parts.forEach((p, i) => arr.set(String(i + 1), strnum(p)));
      return parts.length;
    }
    case 'sub':
      return substitute(awk, args, false);
    case 'gsub':
      return substitute(awk, args, true);
    case 'match': {
      const s = await str(0);
      const reE = args[1];
      const re = reE?.k === 're' ? awk.regex(reE.src) : awk.regex(await val(1));
      const m = re.exec(s);
      awk.set('RSTART', m ? m.index + 1 : 0);
      awk.set('RLENGTH', m ? m[0].length : -1);
      return m ? m.index + 1 : 0;
    }
    case 'sprintf': {
      const vals: V[] = [];
      for (let i = 0; i < args.length; i++) vals.push(await val(i));
      return awk.format(vals);
    }
    case 'tolower':
      return (await str(0)).toLowerCase();
    case 'toupper':
      return (await str(0)).toUpperCase();
    case 'int':
      return Math.trunc(await num(0));
    case 'sqrt':
      return Math.sqrt(await num(0));
    case 'exp':
      return Math.exp(await num(0));
    case 'log':
      return Math.log(await num(0));
    case 'sin':
      return Math.sin(await num(0));
    case 'cos':
      return Math.cos(await num(0));
    case 'atan2':
      return Math.atan2(await num(0), await num(1));
    case 'rand':
      return awk.rand();
    case 'srand':
      return awk.srand(args.length > 0 ? await num(0) : 0);
    case 'close':
    case 'fflush':
      return 0;
    case 'system':
      throw new AwkSyntaxError('system() is not in the model');
  }
  throw new AwkSyntaxError(`Unknown function ${name}`);
}
