/**
 * libbb bb_parse_mode: an octal mode, or chmod(1)'s symbolic clauses `[ugoa]*([-+=]([rwxXst]*|[ugo]))+`
 * separated by commas. A clause with no `who` applies to all but the bits the umask clears, as
 * POSIX chmod says (busybox follows it: `chmod +w` on 0444 under umask 022 gives 0644).
 */

const WHO: Record<string, number> = { u: 0o4700, g: 0o2070, o: 0o1007, a: 0o7777 };

function permBits(p: string, cur: number, isDir: boolean): number | null {
  switch (p) {
    case 'r':
      return 0o444;
    case 'w':
      return 0o222;
    case 'x':
      return 0o111;
    case 'X':
      return isDir || cur & 0o111 ? 0o111 : 0;
    case 's':
      return 0o6000;
    case 't':
      return 0o1000;
    default:
      return null;
  }
}

/** The bits of `cur` that a `[ugo]` copy source names, spread to all three classes. */
function copyBits(src: string, cur: number): number {
  const shift = src === 'u' ? 6 : src === 'g' ? 3 : 0;
  const v = (cur >> shift) & 7;
  return (v << 6) | (v << 3) | v;
}

/** The new mode, or null for an invalid mode string. */
export function parseMode(s: string, cur: number, umask: number, isDir = false): number | null {
  if (/^[0-7]+$/.test(s)) {
    const n = parseInt(s, 8);
    return n > 0o7777 ? null : n;
  }
  if (/^\d/.test(s)) return null;
  let mode = cur & 0o7777;
  for (const clause of s.split(',')) {
    let i = 0;
    let who = 0;
    while (i < clause.length && 'ugoa'.includes(clause[i]!)) who |= WHO[clause[i++]!]!;
    if (i === clause.length) return null;
    while (i < clause.length) {
      const op = clause[i++]!;
      if (!'+-='.includes(op)) return null;
      let bits = 0;
      if (i < clause.length && 'ugo'.includes(clause[i]!)) bits = copyBits(clause[i++]!, mode);
      else {
        while (i < clause.length && !'+-='.includes(clause[i]!)) {
          const b = permBits(clause[i++]!, mode, isDir);
          if (b === null) return null;
          bits |= b;
        }
      }
      const mask = who === 0 ? 0o7777 & ~umask : who;
      if (op === '=') mode = (mode & ~(who === 0 ? 0o7777 : who)) | (bits & mask);
      else if (op === '+') mode |= bits & mask;
      else mode &= ~(bits & mask);
    }
  }
  return mode;
}
