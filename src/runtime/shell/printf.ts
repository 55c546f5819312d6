/**
 * printf and echo as busybox's coreutils/printf.c and echo.c format (the shell builtins and the
 * applets share them). printf reuses the format while arguments remain; a bad number is reported
 * ("invalid number 'abc'") and taken as 0, and the status is then 1.
 */

/** Backslash escapes of printf's format and %b, echo -e: \a \b \c \e \f \n \r \t \v \\ \0NNN \NNN \xHH. */
export function unescape(s: string, octalNeedsZero: boolean): { text: string; stop: boolean } {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\' || i + 1 >= s.length) {
      out += c;
      continue;
    }
    const n = s[++i]!;
    const simple: Record<string, string> = { a: '\x07', b: '\b', e: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };
    if (simple[n] !== undefined) out += simple[n];
    else if (n === 'c') return { text: out, stop: true };
    else if (n === 'x' && /[0-9a-fA-F]/.test(s[i + 1] ?? '')) {
      const m = /^[0-9a-fA-F]{1,2}/.exec(s.slice(i + 1))![0];
      out += String.fromCharCode(parseInt(m, 16));
      i += m.length;
    } else if (/[0-7]/.test(n) && (!octalNeedsZero || n === '0')) {
      const start = octalNeedsZero ? i + 1 : i;
      const m = /^[0-7]{0,3}/.exec(s.slice(start))![0];
      out += String.fromCharCode(parseInt(m || '0', 8) & 0xff);
      i = start + m.length - 1;
    } else out += '\\' + n;
  }
  return { text: out, stop: false };
}

/** echo [-neE] args: busybox's echo, escapes off unless -e. */
export function echo(args: readonly string[]): string {
  let i = 0;
  let newline = true;
  let escapes = false;
  while (i < args.length && /^-[neE]+$/.test(args[i]!)) {
    for (const f of args[i]!.slice(1)) {
      if (f === 'n') newline = false;
      else if (f === 'e') escapes = true;
      else escapes = false;
    }
    i++;
  }
  const text = args.slice(i).join(' ');
  if (!escapes) return text + (newline ? '\n' : '');
  const u = unescape(text, true);
  return u.text + (newline && !u.stop ? '\n' : '');
}

function toInt(s: string | undefined, errors: string[]): bigint {
  // busybox: a missing or empty argument to an integer conversion is an invalid number (taken as 0).
  if (s === undefined || s === '') {
    errors.push(`invalid number ''`);
    return 0n;
  }
  if (/^['"]/.test(s)) return BigInt(s.codePointAt(1) ?? 0);
  const t = s.trim();
  try {
    if (/^[+-]?0[xX][0-9a-fA-F]+$/.test(t)) return BigInt(t.replace(/^([+-]?)0[xX]/, '$10x').replace(/^-0x(.*)$/, '-0x$1'));
    if (/^[+-]?0[0-7]+$/.test(t)) return BigInt(t.replace(/^([+-]?)0/, '$10o'));
    if (/^[+-]?\d+$/.test(t)) return BigInt(t);
  } catch {
    // fall through to the error
  }
  errors.push(`invalid number '${s}'`);
  const m = /^[+-]?\d+/.exec(t);
  return m ? BigInt(m[0]) : 0n;
}

function toFloat(s: string | undefined, errors: string[]): number {
  if (s === undefined || s === '') return 0;
  const v = Number(s.trim());
  if (Number.isNaN(v)) {
    errors.push(`invalid number '${s}'`);
    return parseFloat(s) || 0;
  }
  return v;
}

function pad(s: string, flags: string, width: number | undefined): string {
  if (width === undefined || s.length >= width) return s;
  if (flags.includes('-')) return s + ' '.repeat(width - s.length);
  if (flags.includes('0') && /^[+-]?[0-9a-fA-Fx.]/.test(s) && !/[a-zA-Z]{3}/.test(s)) {
    const sign = /^[+-]/.test(s) ? s[0]! : '';
    return sign + '0'.repeat(width - s.length) + s.slice(sign.length);
  }
  return ' '.repeat(width - s.length) + s;
}

function formatNumber(conv: string, flags: string, prec: number | undefined, arg: string | undefined, errors: string[]): string {
  if ('diouxX'.includes(conv)) {
    let v = toInt(arg, errors);
    let body: string;
    if (conv === 'd' || conv === 'i') body = (v < 0n ? -v : v).toString();
    else {
      if (v < 0n) v = BigInt.asUintN(64, v);
      body = v.toString(conv === 'o' ? 8 : conv === 'u' ? 10 : 16);
      if (conv === 'X') body = body.toUpperCase();
      if (flags.includes('#') && v !== 0n) body = (conv === 'o' ? '0' : conv === 'x' ? '0x' : conv === 'X' ? '0X' : '') + body;
    }
    if (prec !== undefined) body = body.padStart(prec, '0');
    const sign = (conv === 'd' || conv === 'i') && v < 0n ? '-' : flags.includes('+') && 'di'.includes(conv) ? '+' : flags.includes(' ') && 'di'.includes(conv) ? ' ' : '';
    return sign + body;
  }
  const f = toFloat(arg, errors);
  const p = prec ?? 6;
  let body: string;
  if (conv === 'f' || conv === 'F') body = Math.abs(f).toFixed(p);
  else if (conv === 'e' || conv === 'E') body = Math.abs(f).toExponential(p).replace(/e([+-])(\d)$/, 'e$10$2');
  else {
    body = Math.abs(f).toPrecision(p || 1);
    if (!flags.includes('#')) body = body.includes('e') ? body.replace(/\.?0+e/, 'e') : body.includes('.') ? body.replace(/\.?0+$/, '') : body;
    body = body.replace(/e([+-])(\d)$/, 'e$10$2');
  }
  if (conv === 'E' || conv === 'G') body = body.toUpperCase();
  const sign = f < 0 || Object.is(f, -0) ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
  return sign + body;
}

/** printf FORMAT [ARG]...: the output, the errors to report, and whether output stopped at \c. */
export function printf(format: string, args: readonly string[]): { out: string; errors: string[] } {
  const errors: string[] = [];
  let out = '';
  let ai = 0;
  const spec = /%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d*))?([diouxXfFeEgGcsb%])/y;
  for (;;) {
    const startAi = ai;
    let i = 0;
    while (i < format.length) {
      const c = format[i]!;
      if (c === '\\') {
        const m = /^\\(0[0-7]{0,3}|[0-7]{1,3}|x[0-9a-fA-F]{1,2}|.)/s.exec(format.slice(i))!;
        const u = unescape(m[0], false);
        out += u.text;
        if (u.stop) return { out, errors };
        i += m[0].length;
        continue;
      }
      if (c !== '%') {
        out += c;
        i++;
        continue;
      }
      spec.lastIndex = i;
      const m = spec.exec(format);
      if (!m) {
        out += c;
        i++;
        continue;
      }
      i = spec.lastIndex;
      const [, flags = '', w, p, conv] = m;
      if (conv === '%') {
        out += '%';
        continue;
      }
      const width = w === '*' ? Number(toInt(args[ai++], errors)) : w ? Number(w) : undefined;
      const prec = p === '*' ? Number(toInt(args[ai++], errors)) : p !== undefined ? Number(p || 0) : undefined;
      const arg = args[ai++];
      let s: string;
      if (conv === 's') s = (arg ?? '').slice(0, prec ?? undefined);
      else if (conv === 'c') s = arg === undefined || arg === '' ? '\0' : arg.slice(0, 1);
      else if (conv === 'b') {
        const u = unescape(arg ?? '', true);
        out += pad(u.text.slice(0, prec ?? undefined), flags, width);
        if (u.stop) return { out, errors };
        continue;
      } else s = formatNumber(conv!, flags, prec, arg, errors);
      out += pad(s, flags, width);
    }
    if (ai >= args.length || ai === startAi) break;
  }
  return { out, errors };
}
