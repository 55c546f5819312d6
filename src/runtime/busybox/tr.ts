/**
 * tr (busybox coreutils/tr.c) over bytes: ranges `a-z`, classes `[:upper:]`, repeats `[c*n]`,
 * escapes `\n` `\012`; SET2 is padded with its last byte; -c takes the complement of SET1 in byte
 * order, -d deletes, -s squeezes runs of the last set's bytes.
 */
import { applet, getopt } from './common.js';

const CLASSES: Record<string, (b: number) => boolean> = {
  alpha: (b) => (b >= 65 && b <= 90) || (b >= 97 && b <= 122),
  upper: (b) => b >= 65 && b <= 90,
  lower: (b) => b >= 97 && b <= 122,
  digit: (b) => b >= 48 && b <= 57,
  alnum: (b) => CLASSES.alpha!(b) || CLASSES.digit!(b),
  space: (b) => b === 32 || (b >= 9 && b <= 13),
  blank: (b) => b === 32 || b === 9,
  punct: (b) => b > 32 && b < 127 && !CLASSES.alnum!(b),
  cntrl: (b) => b < 32 || b === 127,
  print: (b) => b >= 32 && b < 127,
  graph: (b) => b > 32 && b < 127,
  xdigit: (b) => CLASSES.digit!(b) || (b >= 65 && b <= 70) || (b >= 97 && b <= 102),
};

const ESC: Record<string, number> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, '\\': 92 };

/** The bytes a set names, in order. `fill` is SET2's length to reach for `[c*]`. */
function expand(spec: string, fill = 0): number[] {
  const raw: number[] = [];
  const out: number[] = [];
  let i = 0;
  const next = (): number => {
    const ch = spec[i++]!;
    if (ch !== '\\' || i >= spec.length) return ch.charCodeAt(0);
    const m = spec.slice(i).match(/^[0-7]{1,3}/);
    if (m) {
      i += m[0].length;
      return parseInt(m[0], 8) & 255;
    }
    const e = spec[i++]!;
    return ESC[e] ?? e.charCodeAt(0);
  };
  while (i < spec.length) {
    const cls = spec.slice(i).match(/^\[:(\w+):\]/);
    if (cls && CLASSES[cls[1]!]) {
      for (let b = 0; b < 256; b++) if (CLASSES[cls[1]!]!(b)) out.push(b);
      i += cls[0].length;
      continue;
    }
    const rep = spec.slice(i).match(/^\[(.)\*(\d*)\]/);
    if (rep) {
      const n = rep[2] ? Number(rep[2]) : Math.max(0, fill - out.length);
      for (let k = 0; k < n; k++) out.push(rep[1]!.charCodeAt(0));
      i += rep[0].length;
      continue;
    }
    const b = next();
    if (spec[i] === '-' && i + 1 < spec.length) {
      i++;
      const e = next();
      for (let k = b; k <= e; k++) out.push(k);
      continue;
    }
    out.push(b);
  }
  raw.push(...out);
  return raw;
}

export const tr = applet('tr', async (c) => {
  const a = await getopt(c, 'cdsC');
  if (!a) return 1;
  const del = a.opts.has('d');
  const squeeze = a.opts.has('s');
  if (a.args.length < 1 || (!del && !squeeze && a.args.length < 2)) return c.usage();
  let set1 = expand(a.args[0]!);
  if (a.opts.has('c') || a.opts.has('C')) {
    const inSet = new Set(set1);
    set1 = [];
    for (let b = 0; b < 256; b++) if (!inSet.has(b)) set1.push(b);
  }
  const set2Spec = a.args[1];
  let set2 = set2Spec === undefined ? [] : expand(set2Spec, set1.length);
  const map = new Int16Array(256).map((_, i) => i);
  const deleting = new Uint8Array(256);
  if (del) for (const b of set1) deleting[b] = 1;
  else if (set2.length > 0) {
    while (set2.length < set1.length) set2 = [...set2, set2[set2.length - 1]!];
    set1.forEach((b, k) => (map[b] = set2[k]!));
  }
  const squeezeSet = new Uint8Array(256);
  if (squeeze) for (const b of del || set2.length === 0 ? (del ? set2 : set1) : set2) squeezeSet[b] = 1;
  let last = -1;
  for (;;) {
    const chunk = await c.p.stdin.read();
    if (chunk === null) break;
    const out: number[] = [];
    for (const inb of chunk) {
      if (deleting[inb]) continue;
      const b = map[inb]!;
      if (squeeze && squeezeSet[b] && b === last) continue;
      last = b;
      out.push(b);
    }
    await c.out.write(Uint8Array.from(out));
  }
  return 0;
});
