/**
 * Shell patterns (POSIX 2.13): matching for `case` and ${x#pat}, and pathname expansion over the
 * process's filesystem. A pattern is a list of characters each marked quoted or not: only unquoted
 * `*`, `?` and `[...]` are special, so `"*"` matches a star. Pathname expansion sorts its results by
 * bytes, as ash's expsort does with strcmp, and a `*` or `?` never matches a leading dot.
 */
import type { FileSystem } from '../program.js';

export interface PChar {
  readonly c: string;
  readonly q: boolean;
}

/**
 * Whether the pattern has anything special: an unquoted `*` or `?`, or a `[` that a `]` closes. A lone
 * `[` (the test command's name, `[ $i -lt 3 ]`) is an ordinary character, as in dash's expmeta, so
 * expanding it reads no directory (in a directory of 10,000 files that read was most of a loop's time).
 */
export function hasGlob(p: readonly PChar[]): boolean {
  return p.some((x, i) => !x.q && (x.c === '*' || x.c === '?' || (x.c === '[' && bracket(p, i) !== null)));
}

const CLASSES: Record<string, string> = {
  alpha: 'a-zA-Z',
  digit: '0-9',
  alnum: 'a-zA-Z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  xdigit: '0-9A-Fa-f',
  cntrl: '\\x00-\\x1f\\x7f',
  print: '\\x20-\\x7e',
  graph: '\\x21-\\x7e',
};

const esc = (c: string) => c.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

/** A bracket expression starting at p[i] (`[`): its regex and the index after it, or null if unclosed. */
function bracket(p: readonly PChar[], i: number): { re: string; end: number } | null {
  let j = i + 1;
  let neg = false;
  if (j < p.length && !p[j]!.q && (p[j]!.c === '!' || p[j]!.c === '^')) {
    neg = true;
    j++;
  }
  let body = '';
  let first = true;
  for (; j < p.length; j++) {
    const x = p[j]!;
    if (x.c === ']' && !x.q && !first) return { re: `[${neg ? '^' : ''}${body}]`, end: j + 1 };
    first = false;
    if (x.c === '[' && !x.q && p[j + 1]?.c === ':') {
      const rest = p.slice(j + 2).map((y) => y.c).join('');
      const m = /^([a-z]+):\]/.exec(rest);
      if (m && CLASSES[m[1]!]) {
        body += CLASSES[m[1]!];
        j += 2 + m[0].length - 1;
        continue;
      }
    }
    if (x.c === '-' && !x.q && body !== '' && p[j + 1] && p[j + 1]!.c !== ']') {
      body += '-';
      continue;
    }
    body += esc(x.c);
  }
  return null;
}

/** The pattern as a regular expression source (no anchors). `path`: `*` and `?` stop at `/`. */
export function patternSource(p: readonly PChar[], path = false): string {
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const x = p[i]!;
    if (x.q) {
      re += esc(x.c);
      continue;
    }
    if (x.c === '*') re += path ? '[^/]*' : '[\\s\\S]*';
    else if (x.c === '?') re += path ? '[^/]' : '[\\s\\S]';
    else if (x.c === '[') {
      const b = bracket(p, i);
      if (b) {
        re += b.re;
        i = b.end - 1;
      } else re += '\\[';
    } else re += esc(x.c);
  }
  return re;
}

export function matchPattern(p: readonly PChar[], s: string): boolean {
  return new RegExp(`^${patternSource(p)}$`).test(s);
}

/** ${x#p} ${x##p} ${x%p} ${x%%p}: `s` with the shortest or longest matching prefix or suffix removed. */
export function trimPattern(s: string, p: readonly PChar[], op: '#' | '##' | '%' | '%%'): string {
  const re = new RegExp(`^${patternSource(p)}$`);
  if (op === '#' || op === '##') {
    const lens = [...Array(s.length + 1).keys()];
    if (op === '##') lens.reverse();
    for (const n of lens) if (re.test(s.slice(0, n))) return s.slice(n);
  } else {
    const starts = [...Array(s.length + 1).keys()];
    if (op === '%') starts.reverse();
    for (const n of starts) if (re.test(s.slice(n))) return s.slice(0, n);
  }
  return s;
}

function splitSlash(p: readonly PChar[]): PChar[][] {
  const out: PChar[][] = [[]];
  for (const x of p) {
    if (x.c === '/') out.push([]);
    else out[out.length - 1]!.push(x);
  }
  return out;
}

/** Pathname expansion of one field; [] when nothing matches (the caller keeps the word). */
export async function glob(fs: FileSystem, p: readonly PChar[]): Promise<string[]> {
  const comps = splitSlash(p);
  const absolute = p[0]?.c === '/';
  let bases: string[] = [absolute ? '/' : ''];
  if (absolute) comps.shift();
  for (let ci = 0; ci < comps.length; ci++) {
    const comp = comps[ci]!;
    const last = ci === comps.length - 1;
    const next: string[] = [];
    if (comp.length === 0) {
      // `a//b` or a trailing slash: keep it; matches must then be directories.
      for (const b of bases) next.push(b + (last ? '' : '/'));
      bases = next;
      continue;
    }
    if (!hasGlob(comp)) {
      const name = comp.map((x) => x.c).join('');
      for (const b of bases) {
        const path = b + name;
        if (last) {
          if (await exists(fs, path)) next.push(path);
        } else next.push(path + '/');
      }
    } else {
      const re = new RegExp(`^${patternSource(comp, true)}$`);
      const dotOk = comp[0]!.c === '.';
      for (const b of bases) {
        let names: string[];
        try {
          names = await fs.readdir(b === '' ? '.' : b);
        } catch {
          continue;
        }
        // match first, then sort only the matches (ash's expsort sorts what matched)
        const hits = names.filter((n) => (dotOk || !n.startsWith('.')) && re.test(n));
        for (const n of sortBytes(hits)) {
          const path = b + n;
          if (last) next.push(path);
          else if (await isDir(fs, path)) next.push(path + '/');
        }
      }
    }
    bases = next;
    if (bases.length === 0) return [];
  }
  return bases.map((b) => (b.length > 1 && b.endsWith('/') && !p[p.length - 1]?.c.endsWith('/') ? b.slice(0, -1) : b));
}

/** Names in byte order, each encoded once (not once per comparison). */
function sortBytes(names: string[]): string[] {
  return names
    .map((n) => ({ n, b: Buffer.from(n) }))
    .sort((x, y) => Buffer.compare(x.b, y.b))
    .map((x) => x.n);
}

export function byteOrder(a: string, b: string): number {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return Buffer.compare(x, y);
}

async function exists(fs: FileSystem, path: string): Promise<boolean> {
  try {
    await fs.lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function isDir(fs: FileSystem, path: string): Promise<boolean> {
  try {
    return (await fs.stat(path)).type === 'dir';
  } catch {
    return false;
  }
}
