/**
 * hexdump -C and od (busybox util-linux/hexdump.c, coreutils/od.c over libbb's dump.c): 16 bytes a
 * line, a repeated line shown once as `*` unless -v, the offset of the end on the last line.
 */
import { applet, closeInput, getopt, openInput, readAll, type Ctx } from './common.js';

async function input(c: Ctx, files: string[]): Promise<Buffer | null> {
  const parts: Buffer[] = [];
  let ok = true;
  for (const f of files.length > 0 ? files : ['-']) {
    const r = await openInput(c, f);
    if (!r) {
      ok = false;
      continue;
    }
    parts.push(await readAll(r));
    closeInput(c, r);
  }
  return ok || parts.length > 0 ? Buffer.concat(parts) : null;
}

/** Lines of 16 bytes each rendered by `line`, with busybox's `*` for repeats. */
function dumpLines(data: Buffer, verbose: boolean, line: (off: number, chunk: Buffer) => string, end: (off: number) => string): string {
  let out = '';
  let prev: Buffer | null = null;
  let starred = false;
  for (let off = 0; off < data.length; off += 16) {
    const chunk = data.subarray(off, off + 16);
    if (!verbose && prev && chunk.length === 16 && chunk.equals(prev)) {
      if (!starred) out += '*\n';
      starred = true;
      continue;
    }
    starred = false;
    prev = chunk;
    out += line(off, chunk);
  }
  return out + end(data.length);
}

export const hexdump = applet('hexdump', async (c) => {
  const a = await getopt(c, 'bcdoxCvn:s:e:f:');
  if (!a) return 1;
  if (!a.opts.has('C')) {
    await c.error('only -C is in the model');
    return 1;
  }
  let data = await input(c, a.args);
  if (data === null) return 1;
  const skip = Number(a.opts.get('s') ?? 0);
  data = data.subarray(skip, a.opts.has('n') ? skip + Number(a.opts.get('n')) : undefined);
  const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');
  const text = dumpLines(
    data,
    a.opts.has('v'),
    (off, ch) => {
      const bytes = [...ch].map((b) => hex(b, 2));
      const left = bytes.slice(0, 8).join(' ');
      const right = bytes.slice(8).join(' ');
      const cols = `${left.padEnd(23)}  ${right.padEnd(23)}`;
      const ascii = [...ch].map((b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : '.')).join('');
      return `${hex(off + skip, 8)}  ${cols}  |${ascii}|\n`;
    },
    (n) => (n + skip > 0 || data.length > 0 ? `${hex(n + skip, 8)}\n` : ''),
  );
  await c.out.write(text);
  return 0;
});

const C_ESC: Record<number, string> = { 0: '\\0', 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r' };

export const od = applet('od', async (c) => {
  const a = await getopt(c, 'abcdfhilovxsA:t:N:j:w:S:');
  if (!a) return 1;
  const data = await input(c, a.args);
  if (data === null) return 1;
  const radix = (a.opts.get('A') as string | undefined) ?? 'o';
  const t = a.opts.get('t') as string | undefined;
  const addr = (n: number) => (radix === 'n' ? '' : radix === 'x' ? n.toString(16).padStart(6, '0') : radix === 'd' ? String(n).padStart(7, '0') : n.toString(8).padStart(7, '0'));
  let cell: (ch: Buffer) => string;
  if (a.opts.has('c') || t === 'c') cell = (ch) => [...ch].map((b) => (C_ESC[b] ?? (b >= 32 && b < 127 ? String.fromCharCode(b) : b.toString(8).padStart(3, '0'))).padStart(4)).join('');
  else if (a.opts.has('b') || t === 'o1') cell = (ch) => [...ch].map((b) => ' ' + b.toString(8).padStart(3, '0')).join('');
  else if (t === 'x1') cell = (ch) => [...ch].map((b) => ' ' + b.toString(16).padStart(2, '0')).join('');
  else if (t === 'd1') cell = (ch) => [...ch].map((b) => String(b > 127 ? b - 256 : b).padStart(4)).join('');
  else {
    const hexWords = a.opts.has('x') || t === 'x2';
    cell = (ch) => {
      let s = '';
      for (let i = 0; i < ch.length; i += 2) {
        const w = ch[i]! | ((ch[i + 1] ?? 0) << 8);
        s += hexWords ? ' ' + w.toString(16).padStart(4, '0') : ' ' + w.toString(8).padStart(6, '0');
      }
      return s;
    };
  }
  const text = dumpLines(data, a.opts.has('v'), (off, ch) => `${addr(off)}${cell(ch)}\n`, (n) => (radix === 'n' ? '' : `${addr(n)}\n`));
  await c.out.write(text);
  return 0;
});
