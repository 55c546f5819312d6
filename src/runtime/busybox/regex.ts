/**
 * POSIX regular expressions (regcomp(3), as glibc compiles them for busybox's grep, sed, awk, expr)
 * translated to JavaScript RegExp source. Basic (BRE): `\( \) \{ \}` group and count, `* ^ $` anchor
 * and repeat where POSIX says, `+ ? | ( ) { }` are literal, and GNU's `\+ \? \|` extensions work.
 * Extended (ERE): `( ) | + ? { }` are operators. Both: bracket expressions with classes
 * (`[[:digit:]]`), `\< \>` word edges, back-references.
 *
 * One known difference: POSIX alternation takes the longest match, JavaScript's the first
 * alternative that matches (`echo abcd | grep -o -E 'ab|abcd'` prints abcd in busybox, ab here).
 */

const CLASSES: Record<string, string> = {
  alpha: 'a-zA-Z',
  digit: '0-9',
  alnum: '0-9a-zA-Z',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  print: ' -~',
  graph: '!-~',
  cntrl: '\\x00-\\x1f\\x7f',
  xdigit: '0-9A-Fa-f',
};

export class RegexError extends Error {}

/** A bracket expression starting at re[i] === '['; returns the JS class and the index after it. */
function bracket(re: string, i: number): [string, number] {
  let j = i + 1;
  let out = '[';
  if (re[j] === '^') {
    out += '^';
    j++;
  }
  let first = true;
  for (; j < re.length; j++) {
    const ch = re[j]!;
    if (ch === ']' && !first) return [out + ']', j + 1];
    first = false;
    if (ch === '[' && (re[j + 1] === ':' || re[j + 1] === '=' || re[j + 1] === '.')) {
      const kind = re[j + 1]!;
      const end = re.indexOf(kind + ']', j + 2);
      if (end < 0) throw new RegexError('Unmatched [, [^, [:, [., or [=');
      const name = re.slice(j + 2, end);
      if (kind === ':') {
        const cls = CLASSES[name];
        if (cls === undefined) throw new RegexError('Invalid character class name');
        out += cls;
      } else out += name.replace(/[\\\][^-]/g, '\\$&');
      j = end + 1;
      continue;
    }
    // Inside brackets a backslash is itself, and `[`, `]`, `^` need escaping for JavaScript.
    out += ch === '\\' || ch === '[' || ch === ']' || (ch === '^' && out.length > 1) ? '\\' + ch : ch;
  }
  throw new RegexError('Unmatched [, [^, [:, [., or [=');
}

/** JavaScript source for a POSIX pattern. Throws RegexError with glibc's message for a bad one. */
export function posixToJs(re: string, extended: boolean): string {
  let out = '';
  let depth = 0;
  // Where a `*` is literal in a BRE: at the start, after `\(`, after `^`, after `\|`.
  let atStart = true;
  for (let i = 0; i < re.length; ) {
    const ch = re[i]!;
    const start = atStart;
    atStart = false;
    if (ch === '[') {
      const [cls, next] = bracket(re, i);
      out += cls;
      i = next;
      continue;
    }
    if (ch === '\\') {
      const n = re[i + 1];
      i += 2;
      if (n === undefined) throw new RegexError('Trailing backslash');
      if (!extended && (n === '(' || n === ')')) {
        out += n;
        depth += n === '(' ? 1 : -1;
        if (depth < 0) throw new RegexError('Unmatched ) or \\)');
        atStart = n === '(';
      } else if (!extended && (n === '{' || n === '}')) out += n;
      else if (!extended && (n === '+' || n === '?')) out += n;
      else if (!extended && n === '|') {
        out += '|';
        atStart = true;
      } else if (n === '<') out += '\\b(?=\\w)';
      else if (n === '>') out += '\\b(?<=\\w)';
      else if (/[1-9wWsSbB]/.test(n)) out += '\\' + n;
      else if (n === 'n') out += '\\n';
      else if (n === 't') out += '\\t';
      else out += /[A-Za-z0-9]/.test(n) ? n : '\\' + n;
      continue;
    }
    i++;
    if (extended) {
      if (ch === '(') {
        depth++;
        atStart = true;
        out += '(';
      } else if (ch === ')') {
        if (--depth < 0) throw new RegexError('Unmatched ) or \\)');
        out += ')';
      } else if (ch === '|') {
        out += '|';
        atStart = true;
      } else if (ch === '{' && !/^\d*(,\d*)?\}/.test(re.slice(i))) out += '\\{';
      else if ((ch === '*' || ch === '+' || ch === '?') && start) out += '\\' + ch;
      else if (ch === '^') {
        out += '^';
        atStart = true;
      } else out += ch === '/' ? '\\/' : ch;
      continue;
    }
    if (ch === '*' && start) out += '\\*';
    else if ('+?(){}|'.includes(ch)) out += '\\' + ch;
    else if (ch === '^') {
      if (start) {
        out += '^';
        atStart = true;
      } else out += '\\^';
    } else if (ch === '$') out += i === re.length || re.startsWith('\\)', i) || re.startsWith('\\|', i) ? '$' : '\\$';
    else out += ch === '/' ? '\\/' : ch;
  }
  if (depth > 0) throw new RegexError('Unmatched ( or \\(');
  return out;
}

export function compile(re: string, opts: { extended: boolean; icase?: boolean; global?: boolean }): RegExp {
  const src = posixToJs(re, opts.extended);
  try {
    return new RegExp(src, (opts.icase ? 'i' : '') + (opts.global ? 'g' : ''));
  } catch {
    throw new RegexError('Invalid regular expression');
  }
}

/** A fixed string as a RegExp (grep -F). */
export function literal(s: string, opts: { icase?: boolean; global?: boolean } = {}): RegExp {
  return new RegExp(s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'), (opts.icase ? 'i' : '') + (opts.global ? 'g' : ''));
}
