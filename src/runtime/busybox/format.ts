/**
 * printf(3) conversions for awk's printf/sprintf and the printf applet: flags `-+ #0`, width and
 * precision (`*` too), and d i o u x X c s e E f F g G %. Each argument is offered as text and as a
 * number; the caller decides how its values convert.
 */

export interface Arg {
  s: () => string;
  n: () => number;
  /** A number (awk's %c prints the character with that code; a string's first character otherwise). */
  isNum?: boolean;
}

function pad(s: string, width: number, left: boolean, zero: boolean): string {
  if (s.length >= width) return s;
  if (left) return s.padEnd(width);
  if (zero) {
    const sign = /^[-+ ]/.test(s) ? s[0]! : '';
    const hex = /^[-+ ]?0[xX]/.test(s) ? 2 : 0;
    const head = s.slice(0, sign.length + hex);
    return head + s.slice(head.length).padStart(width - head.length, '0');
  }
  return s.padStart(width);
}

/** %g as C prints it: shortest of %e and %f at the precision, trailing zeros dropped unless '#'. */
export function formatG(v: number, prec: number, alt = false, upper = false): string {
  if (!isFinite(v)) return isNaN(v) ? 'nan' : v < 0 ? '-inf' : 'inf';
  const p = prec === 0 ? 1 : prec;
  const exp = v === 0 ? 0 : Math.floor(Math.log10(Math.abs(Number(v.toExponential(p - 1)))));
  let s: string;
  if (exp < -4 || exp >= p) {
    s = v.toExponential(p - 1);
    if (!alt) s = s.replace(/\.?0+e/, 'e');
    s = s.replace(/e([+-])(\d)$/, 'e$10$2');
  } else {
    s = v.toFixed(Math.max(0, p - 1 - exp));
    if (!alt && s.includes('.')) s = s.replace(/\.?0+$/, '');
  }
  return upper ? s.toUpperCase() : s;
}

function exponent(v: number, prec: number, upper: boolean): string {
  const s = v.toExponential(prec).replace(/e([+-])(\d)$/, 'e$10$2');
  return upper ? s.toUpperCase() : s;
}

/** Formats `fmt`; `next` hands out the arguments in order (undefined when there are no more). */
export function sprintf(fmt: string, next: () => Arg | undefined): string {
  let out = '';
  const re = /%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d*))?([hlLqjzt]*)([diouxXcseEfFgGaA%])/g;
  let last = 0;
  for (let m = re.exec(fmt); m; m = re.exec(fmt)) {
    out += fmt.slice(last, m.index);
    last = re.lastIndex;
    const [, flags = '', w, p, , conv] = m;
    if (conv === '%') {
      out += '%';
      continue;
    }
    let width = w === '*' ? (next()?.n() ?? 0) : Number(w ?? 0);
    let left = flags.includes('-');
    if (width < 0) {
      left = true;
      width = -width;
    }
    const precision = p === undefined ? undefined : p === '*' ? (next()?.n() ?? 0) : Number(p || 0);
    const arg = next();
    const zero = flags.includes('0') && !left;
    const sign = (v: number, s: string) => (v < 0 || Object.is(v, -0) ? s : (flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '') + s);
    let s: string;
    switch (conv) {
      case 'd':
      case 'i': {
        const v = Math.trunc(arg?.n() ?? 0);
        let digits = Math.abs(v).toString();
        if (precision !== undefined) digits = digits.padStart(precision, '0');
        s = sign(v, (v < 0 ? '-' : '') + digits);
        out += pad(s, width, left, zero && precision === undefined);
        continue;
      }
      case 'o':
      case 'u':
      case 'x':
      case 'X': {
        let v = Math.trunc(arg?.n() ?? 0);
        if (v < 0) v += 2 ** 64;
        let digits = conv === 'o' ? v.toString(8) : conv === 'u' ? v.toString() : v.toString(16);
        if (conv === 'X') digits = digits.toUpperCase();
        if (precision !== undefined) digits = digits.padStart(precision, '0');
        if (flags.includes('#') && v !== 0) digits = (conv === 'o' ? '0' : conv === 'x' ? '0x' : conv === 'X' ? '0X' : '') + digits;
        out += pad(digits, width, left, zero && precision === undefined);
        continue;
      }
      case 'c': {
        const ch = arg?.isNum ? String.fromCharCode(arg.n()) : (arg?.s() ?? '').slice(0, 1);
        out += pad(ch, width, left, false);
        continue;
      }
      case 's': {
        let t = arg?.s() ?? '';
        if (precision !== undefined) t = t.slice(0, precision);
        out += pad(t, width, left, false);
        continue;
      }
      default: {
        const v = arg?.n() ?? 0;
        const prec = precision ?? 6;
        if (!isFinite(v)) s = isNaN(v) ? 'nan' : v < 0 ? '-inf' : 'inf';
        else if (conv === 'e' || conv === 'E') s = exponent(Math.abs(v), prec, conv === 'E');
        else if (conv === 'g' || conv === 'G') s = formatG(Math.abs(v), prec, flags.includes('#'), conv === 'G');
        else s = Math.abs(v).toFixed(prec);
        out += pad(sign(v, (v < 0 ? '-' : '') + s), width, left, zero);
      }
    }
  }
  return out + fmt.slice(last);
}
