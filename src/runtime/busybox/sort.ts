/**
 * sort, uniq, cut, tr (busybox coreutils/sort.c, uniq.c, cut.c, tr.c) in the C locale: bytes compare
 * as unsigned chars, `-n` reads a number as strtod does (so `1e3` is 1000), ties fall back to the
 * whole line unless -s, and -u keeps the first line of each run of equal keys.
 */
import type { ExitCode } from '../program.js';
import { applet, closeInput, getopt, lines, openInput, readAll } from './common.js';
import { splitLines } from './text.js';

interface Key {
  startField: number;
  startChar: number;
  endField: number;
  endChar: number;
  numeric: boolean;
  reverse: boolean;
  blanks: boolean;
  fold: boolean;
}

interface SortOpts {
  keys: Key[];
  sep: string | null;
  numeric: boolean;
  reverse: boolean;
  fold: boolean;
  blanks: boolean;
  unique: boolean;
  stable: boolean;
}

/** -k POS1[,POS2] with per-key flags (`2,2n`, `1.3r`). */
function parseKey(spec: string): Key | null {
  const m = spec.match(/^(\d+)(?:\.(\d+))?([bdfinr]*)(?:,(\d+)(?:\.(\d+))?([bdfinr]*))?$/);
  if (!m) return null;
  const flags = (m[3] ?? '') + (m[6] ?? '');
  return {
    startField: Number(m[1]),
    startChar: m[2] ? Number(m[2]) : 1,
    endField: m[4] ? Number(m[4]) : 0,
    endChar: m[5] ? Number(m[5]) : 0,
    numeric: flags.includes('n'),
    reverse: flags.includes('r'),
    blanks: flags.includes('b'),
    fold: flags.includes('f'),
  };
}

/** Field starts: with -t at each separator; without, a field begins with the blanks before it. */
function fieldBounds(line: string, sep: string | null): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  if (sep !== null) {
    let start = 0;
    for (;;) {
      const i = line.indexOf(sep, start);
      if (i < 0) {
        out.push([start, line.length]);
        return out;
      }
      out.push([start, i]);
      start = i + 1;
    }
  }
  let i = 0;
  while (i < line.length) {
    const start = i;
    while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
    while (i < line.length && line[i] !== ' ' && line[i] !== '\t') i++;
    out.push([start, i]);
  }
  return out;
}

function keyText(line: string, k: Key, sep: string | null): string {
  const f = fieldBounds(line, sep);
  const sf = f[k.startField - 1];
  if (!sf) return '';
  let start = sf[0];
  if (k.blanks) while (start < sf[1] && (line[start] === ' ' || line[start] === '\t')) start++;
  start = Math.min(start + k.startChar - 1, line.length);
  let end = line.length;
  if (k.endField > 0) {
    const ef = f[k.endField - 1];
    if (ef) end = k.endChar > 0 ? Math.min(ef[0] + k.endChar, ef[1]) : ef[1];
  }
  return line.slice(start, Math.max(start, end));
}

/** strtod's reading of the text's start; 0 when there is no number. */
export function leadingNumber(s: string): number {
  const m = s.match(/^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/);
  return m ? Number(m[0]) : 0;
}

const cmpStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function compareKey(a: string, b: string, k: Key): number {
  let r: number;
  if (k.numeric) r = Math.sign(leadingNumber(a) - leadingNumber(b));
  else if (k.fold) r = cmpStr(a.toUpperCase(), b.toUpperCase());
  else r = cmpStr(a, b);
  return k.reverse ? -r : r;
}

function comparator(o: SortOpts): { keys: (a: string, b: string) => number; full: (a: string, b: string) => number } {
  const whole: Key = { startField: 1, startChar: 1, endField: 0, endChar: 0, numeric: o.numeric, reverse: false, blanks: o.blanks, fold: o.fold };
  const keys = o.keys.length > 0 ? o.keys : [whole];
  const byKeys = (a: string, b: string) => {
    for (const k of keys) {
      const r = o.keys.length > 0 ? compareKey(keyText(a, k, o.sep), keyText(b, k, o.sep), k) : compareKey(o.blanks ? a.trimStart() : a, o.blanks ? b.trimStart() : b, k);
      if (r !== 0) return o.reverse ? -r : r;
    }
    return 0;
  };
  const full = (a: string, b: string) => {
    const r = byKeys(a, b);
    if (r !== 0 || o.stable || o.unique) return r;
    return o.reverse ? -cmpStr(a, b) : cmpStr(a, b);
  };
  return { keys: byKeys, full };
}

export const sort = applet('sort', async (c) => {
  const a = await getopt(c, 'nrugMcszbdfiok:t:o:S:T:');
  if (!a) return 1;
  const keys: Key[] = [];
  for (const spec of a.lists.get('k') ?? []) {
    const k = parseKey(spec);
    if (!k) {
      await c.error(`invalid key '${spec}'`);
      return 1;
    }
    // A key with no flags of its own takes the global ones.
    if (!/[bdfinr]/.test(spec)) Object.assign(k, { numeric: a.opts.has('n'), blanks: a.opts.has('b'), fold: a.opts.has('f') });
    keys.push(k);
  }
  const t = a.opts.get('t');
  const o: SortOpts = {
    keys,
    sep: typeof t === 'string' ? t.slice(0, 1) : null,
    numeric: a.opts.has('n'),
    reverse: a.opts.has('r'),
    fold: a.opts.has('f'),
    blanks: a.opts.has('b'),
    unique: a.opts.has('u'),
    stable: a.opts.has('s'),
  };
  let all: string[] = [];
  for (const f of a.args.length > 0 ? a.args : ['-']) {
    const r = await openInput(c, f);
    if (!r) {
      // busybox sort stops at the first unreadable file (xfopen).
      return 2;
    }
    all = all.concat(splitLines((await readAll(r)).toString('latin1')).map((l) => l.replace(/\n$/, '')));
    closeInput(c, r);
  }
  const cmp = comparator(o);
  all.sort(cmp.full);
  if (o.unique) all = all.filter((l, i) => i === 0 || cmp.keys(all[i - 1]!, l) !== 0);
  const outFile = a.opts.get('o');
  const text = all.map((l) => l + '\n').join('');
  if (typeof outFile === 'string') {
    const w = await c.fs.openWrite(outFile, { create: true, truncate: true });
    await w.write(Buffer.from(text, 'latin1'));
    w.close();
  } else await c.out.write(Buffer.from(text, 'latin1'));
  return 0;
});

export const uniq = applet('uniq', async (c) => {
  const a = await getopt(c, 'cduizf:s:w:');
  if (!a) return 1;
  const num = (ch: string) => Number(a.opts.get(ch) ?? 0);
  const skipFields = num('f');
  const skipChars = num('s');
  const width = a.opts.has('w') ? num('w') : Infinity;
  const key = (l: string) => {
    let s = l.replace(/\n$/, '');
    for (let i = 0; i < skipFields; i++) s = s.replace(/^[ \t]*[^ \t]*/, '');
    s = s.slice(skipChars).slice(0, width);
    return a.opts.has('i') ? s.toLowerCase() : s;
  };
  const input = a.args[0] ?? '-';
  const r = await openInput(c, input);
  if (!r) return 1;
  let prev: string | null = null;
  let prevKey = '';
  let n = 0;
  const flush = async () => {
    if (prev === null) return;
    if ((a.opts.has('d') && n < 2) || (a.opts.has('u') && n > 1)) return;
    const text = prev.endsWith('\n') ? prev : prev + '\n';
    await c.out.write(a.opts.has('c') ? `${String(n).padStart(7)} ${text}` : text);
  };
  for await (const line of lines(r)) {
    const k = key(line);
    if (prev !== null && k === prevKey) {
      n++;
      continue;
    }
    await flush();
    prev = line;
    prevKey = k;
    n = 1;
  }
  await flush();
  closeInput(c, r);
  return 0;
});

/** A cut list (`1,3-5,7-`) as a predicate on 1-based positions; null when malformed. */
function parseList(spec: string): ((i: number) => boolean) | null {
  const ranges: Array<[number, number]> = [];
  for (const part of spec.split(',')) {
    const m = part.match(/^(\d*)(-?)(\d*)$/);
    if (!m || (m[1] === '' && m[3] === '')) return null;
    const lo = m[1] === '' ? 1 : Number(m[1]);
    const hi = m[2] === '' ? lo : m[3] === '' ? Infinity : Number(m[3]);
    if (lo < 1) return null;
    ranges.push([lo, hi]);
  }
  return (i) => ranges.some(([lo, hi]) => i >= lo && i <= hi);
}

export const cut = applet('cut', async (c) => {
  const a = await getopt(c, 'b:c:f:d:snO:');
  if (!a) return 1;
  const modes = ['b', 'c', 'f'].filter((ch) => a.opts.has(ch));
  if (modes.length !== 1) {
    await c.error('expected a list of bytes, characters, or fields');
    return 1;
  }
  const mode = modes[0]!;
  const pick = parseList(a.opts.get(mode) as string);
  if (!pick) {
    await c.error(`invalid byte or field list '${a.opts.get(mode) as string}'`);
    return 1;
  }
  const d = a.opts.get('d');
  const delim = typeof d === 'string' ? d.slice(0, 1) : '\t';
  const onlyDelimited = a.opts.has('s');
  let status: ExitCode = 0;
  for (const f of a.args.length > 0 ? a.args : ['-']) {
    const r = await openInput(c, f);
    if (!r) {
      status = 1;
      continue;
    }
    for await (const raw of lines(r)) {
      const line = raw.replace(/\n$/, '');
      if (mode !== 'f') {
        await c.out.write([...line].filter((_, i) => pick(i + 1)).join('') + '\n');
        continue;
      }
      if (!line.includes(delim) && line !== '') {
        if (!onlyDelimited) await c.out.write(line + '\n');
        continue;
      }
      await c.out.write(line.split(delim).filter((_, i) => pick(i + 1)).join(delim) + '\n');
    }
    closeInput(c, r);
  }
  return status;
});

export { tr } from './tr.js';
