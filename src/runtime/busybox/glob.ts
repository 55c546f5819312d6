/** fnmatch(3) patterns (`*`, `?`, `[...]`, `\x`) as RegExps, for find -name/-path and which. */
export function globToRegExp(glob: string, icase = false): RegExp {
  let src = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*') src += '.*';
    else if (ch === '?') src += '.';
    else if (ch === '\\' && i + 1 < glob.length) src += '\\' + glob[++i];
    else if (ch === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) {
        src += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, end);
      if (body.startsWith('!')) body = '^' + body.slice(1);
      src += '[' + body.replace(/\\/g, '\\\\') + ']';
      i = end;
    } else src += /[.+^${}()|\]\\/]/.test(ch) ? '\\' + ch : ch;
  }
  return new RegExp(`^${src}$`, icase ? 'is' : 's');
}
