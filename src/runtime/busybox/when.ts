/**
 * Times as busybox reads and writes them, in UTC (a container has no /etc/localtime unless the image
 * brings one, and TZ is unset): libbb parse_datestr for `touch -d`, `touch -t`, `date -d`, and a
 * strftime for `date +FMT`.
 */

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const FULL_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const FULL_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * Seconds since the epoch for a date string, or null. Like parse_datestr, fields the string does not
 * give keep the current time's value (`-d 2024-01-02` keeps today's time of day).
 */
export function parseDate(s: string, nowMs: number): number | null {
  if (/^@-?\d+$/.test(s)) return Number(s.slice(1));
  const now = new Date(nowMs);
  const f = {
    Y: now.getUTCFullYear(),
    M: now.getUTCMonth() + 1,
    D: now.getUTCDate(),
    h: now.getUTCHours(),
    m: now.getUTCMinutes(),
    s: now.getUTCSeconds(),
  };
  let m: RegExpMatchArray | null;
  if ((m = s.match(/^(\d{4})-(\d\d?)-(\d\d?)(?:[ T](\d\d?):(\d\d)(?::(\d\d))?)?$/))) {
    Object.assign(f, { Y: +m[1]!, M: +m[2]!, D: +m[3]! });
    if (m[4] !== undefined) Object.assign(f, { h: +m[4], m: +m[5]!, s: m[6] !== undefined ? +m[6] : f.s });
  } else if ((m = s.match(/^(\d\d?):(\d\d)(?::(\d\d))?$/))) {
    Object.assign(f, { h: +m[1]!, m: +m[2]!, s: m[3] !== undefined ? +m[3] : f.s });
  } else if ((m = s.match(/^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(?:\.(\d\d))?$/))) {
    // touch -t CCYYMMDDhhmm[.ss]
    Object.assign(f, { Y: +m[1]!, M: +m[2]!, D: +m[3]!, h: +m[4]!, m: +m[5]!, s: m[6] !== undefined ? +m[6] : 0 });
  } else if ((m = s.match(/^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?(?:\.(\d\d))?$/))) {
    // MMDDhhmm[YY][.ss]
    Object.assign(f, { M: +m[1]!, D: +m[2]!, h: +m[3]!, m: +m[4]!, s: m[6] !== undefined ? +m[6] : 0 });
    if (m[5] !== undefined) f.Y = 2000 + Number(m[5]);
  } else return null;
  if (f.M < 1 || f.M > 12 || f.D < 1 || f.D > 31 || f.h > 23 || f.m > 59 || f.s > 60) return null;
  return Date.UTC(f.Y, f.M - 1, f.D, f.h, f.m, f.s) / 1000;
}

const pad = (n: number, w = 2, c = '0') => String(n).padStart(w, c);

/** strftime(3) in UTC, for the conversions people use with `date +...`. */
export function strftime(fmt: string, t: number): string {
  const d = new Date(t * 1000);
  const Y = d.getUTCFullYear();
  const conv: Record<string, () => string> = {
    a: () => DAYS[d.getUTCDay()]!,
    A: () => FULL_DAYS[d.getUTCDay()]!,
    b: () => MONTHS[d.getUTCMonth()]!,
    h: () => MONTHS[d.getUTCMonth()]!,
    B: () => FULL_MONTHS[d.getUTCMonth()]!,
    c: () => strftime('%a %b %e %H:%M:%S %Y', t),
    C: () => pad(Math.floor(Y / 100)),
    d: () => pad(d.getUTCDate()),
    D: () => strftime('%m/%d/%y', t),
    e: () => pad(d.getUTCDate(), 2, ' '),
    F: () => strftime('%Y-%m-%d', t),
    H: () => pad(d.getUTCHours()),
    I: () => pad(d.getUTCHours() % 12 || 12),
    j: () => pad(Math.floor((Date.UTC(Y, d.getUTCMonth(), d.getUTCDate()) - Date.UTC(Y, 0, 1)) / 86400000) + 1, 3),
    k: () => pad(d.getUTCHours(), 2, ' '),
    l: () => pad(d.getUTCHours() % 12 || 12, 2, ' '),
    m: () => pad(d.getUTCMonth() + 1),
    M: () => pad(d.getUTCMinutes()),
    n: () => '\n',
    N: () => '000000000',
    p: () => (d.getUTCHours() < 12 ? 'AM' : 'PM'),
    P: () => (d.getUTCHours() < 12 ? 'am' : 'pm'),
    r: () => strftime('%I:%M:%S %p', t),
    R: () => strftime('%H:%M', t),
    s: () => String(t),
    S: () => pad(d.getUTCSeconds()),
    t: () => '\t',
    T: () => strftime('%H:%M:%S', t),
    u: () => String(d.getUTCDay() || 7),
    w: () => String(d.getUTCDay()),
    x: () => strftime('%m/%d/%y', t),
    X: () => strftime('%H:%M:%S', t),
    y: () => pad(Y % 100),
    Y: () => String(Y),
    z: () => '+0000',
    Z: () => 'UTC',
    '%': () => '%',
  };
  return fmt.replace(/%(.)/g, (all, ch: string) => (conv[ch] ? conv[ch]() : all));
}
