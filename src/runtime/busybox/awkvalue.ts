/**
 * awk's values: a number, a string, or a strnum (input that looks numeric: a field, an -v
 * assignment, a split() element), which compares as a number against a number (POSIX awk,
 * "Expressions in awk"). Numbers print as integers when integral, else through CONVFMT/OFMT.
 */
import { formatG, sprintf } from './format.js';

/** A value: a number, a string, or a strnum (input that looks numeric compares as a number). */
export type V = number | string | { s: string; n: number };
export const UNINIT: V = { s: '', n: 0 };

export function looksNumeric(s: string): boolean {
  return /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(s);
}
export function strnum(s: string): V {
  return looksNumeric(s) ? { s, n: Number(s) } : s;
}
export function toNum(v: V): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'object') return v.n;
  const m = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(v);
  return m ? Number(m[0]) : 0;
}
export function numToStr(n: number, fmt: string): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return String(n);
  if (!isFinite(n)) return isNaN(n) ? 'nan' : n < 0 ? '-inf' : 'inf';
  const m = /^%\.(\d+)g$/.exec(fmt);
  return m ? formatG(n, Number(m[1])) : sprintf(fmt, () => ({ s: () => String(n), n: () => n }));
}

