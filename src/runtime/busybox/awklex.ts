/**
 * awk's tokens: a regex `/.../` is told from division by what came before it (an operand before
 * means division), keywords and built-in function names are their own kinds, and a name directly
 * followed by `(` is a function call.
 */
export class AwkSyntaxError extends Error {}

const BUILTINS = new Set(['length', 'substr', 'index', 'split', 'sub', 'gsub', 'match', 'sprintf', 'tolower', 'toupper', 'int', 'sqrt', 'exp', 'log', 'sin', 'cos', 'atan2', 'rand', 'srand', 'system', 'close', 'fflush']);
const KEYWORDS = new Set(['BEGIN', 'END', 'function', 'func', 'if', 'else', 'while', 'for', 'do', 'break', 'continue', 'next', 'exit', 'return', 'delete', 'in', 'getline', 'print', 'printf']);

export interface Tok {
  t: 'num' | 'str' | 're' | 'name' | 'funcname' | 'builtin' | 'kw' | 'op' | 'nl' | 'eof';
  v: string;
}

const ESC: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', '/': '/', a: '\x07', b: '\b', f: '\f', v: '\v' };

export function lex(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  const operandEnd = () => {
    const p = toks[toks.length - 1];
    return !!p && (['num', 'str', 'name', 'builtin'].includes(p.t) || (p.t === 'op' && [')', ']', '$', '++', '--'].includes(p.v)));
  };
  while (i < src.length) {
    const ch = src[i]!;
    if (ch === '\\' && src[i + 1] === '\n') {
      i += 2;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      i++;
      continue;
    }
    if (ch === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (ch === '\n' || ch === ';') {
      toks.push({ t: 'nl', v: ch });
      i++;
      continue;
    }
    let m = /^(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?)/.exec(src.slice(i));
    if (m) {
      toks.push({ t: 'num', v: m[0] });
      i += m[0].length;
      continue;
    }
    if (ch === '"') {
      let s = '';
      i++;
      while (i < src.length && src[i] !== '"') {
        if (src[i] === '\\' && i + 1 < src.length) {
          const e = src[i + 1]!;
          const oct = /^[0-7]{1,3}/.exec(src.slice(i + 1));
          if (oct) {
            s += String.fromCharCode(parseInt(oct[0], 8));
            i += 1 + oct[0].length;
            continue;
          }
          s += ESC[e] ?? '\\' + e;
          i += 2;
          continue;
        }
        s += src[i++];
      }
      if (i >= src.length) throw new AwkSyntaxError('Unexpected end of string');
      i++;
      toks.push({ t: 'str', v: s });
      continue;
    }
    if (ch === '/' && !operandEnd()) {
      let s = '';
      i++;
      while (i < src.length && src[i] !== '/') {
        if (src[i] === '\n') throw new AwkSyntaxError('Unexpected end of string');
        if (src[i] === '\\' && src[i + 1] === '/') {
          s += '/';
          i += 2;
          continue;
        }
        if (src[i] === '\\' && i + 1 < src.length) {
          s += src[i]! + src[i + 1]!;
          i += 2;
          continue;
        }
        s += src[i++];
      }
      i++;
      toks.push({ t: 're', v: s });
      continue;
    }
    m = /^[A-Za-z_]\w*/.exec(src.slice(i));
    if (m) {
      const w = m[0];
      i += w.length;
      if (KEYWORDS.has(w)) toks.push({ t: 'kw', v: w === 'func' ? 'function' : w });
      else if (BUILTINS.has(w)) toks.push({ t: 'builtin', v: w });
      else toks.push({ t: src[i] === '(' ? 'funcname' : 'name', v: w });
      continue;
    }
    m = /^(\+\+|--|\+=|-=|\*=|\/=|%=|\^=|\*\*=|\*\*|==|!=|<=|>=|&&|\|\||>>|!~|[-+*/%^!<>=~?:,(){}[\]$|])/.exec(src.slice(i));
    if (!m) throw new AwkSyntaxError(`Unexpected token '${ch}'`);
    toks.push({ t: 'op', v: m[0] === '**' ? '^' : m[0] === '**=' ? '^=' : m[0] });
    i += m[0].length;
  }
  toks.push({ t: 'eof', v: '' });
  return toks;
}

