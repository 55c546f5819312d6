/**
 * Streams of text: head, tail, wc, tee, yes, seq and the checksums (busybox coreutils/head.c,
 * tail.c, wc.c, tee.c, yes.c, seq.c, md5_sha1_sum.c). Input operands `-` are stdin; a missing file is
 * reported as busybox does and the others still run.
 */
import { createHash } from 'node:crypto';
import type { ExitCode, ReadStream, WriteStream } from '../program.js';
import { applet, closeInput, getopt, lines, openInput, readAll, rethrowKilled, type Ctx } from './common.js';

/** `head -3` and `tail -3`: busybox still accepts the obsolete -NUM form. */
function obsoleteCount(argv: readonly string[]): string[] {
  const out = argv.slice(1);
  if (out[0] && /^-\d+$/.test(out[0])) out.splice(0, 1, '-n', out[0].slice(1));
  else if (out[0] && /^\+\d+$/.test(out[0])) out.splice(0, 1, '-n', out[0]);
  return out;
}

/** A count with busybox's suffixes (b 512, k 1024, m 1048576); null when invalid. */
function parseCount(s: string): number | null {
  const m = s.match(/^[+-]?(\d+)(b|k|m)?$/);
  if (!m) return null;
  const mult = m[2] === 'b' ? 512 : m[2] === 'k' ? 1024 : m[2] === 'm' ? 1048576 : 1;
  return Number(m[1]) * mult;
}

async function eachInput(c: Ctx, files: string[], header: boolean, body: (r: ReadStream) => Promise<void>): Promise<ExitCode> {
  let status = 0;
  let first = true;
  for (const f of files.length > 0 ? files : ['-']) {
    // The blank line before a header counts a file that could not be opened too, as busybox's does.
    const sepLine = first ? '' : '\n';
    first = false;
    const r = await openInput(c, f);
    if (!r) {
      status = 1;
      continue;
    }
    if (header) await c.out.write(`${sepLine}==> ${f === '-' ? 'standard input' : f} <==\n`);
    try {
      await body(r);
    } catch (e) {
      await c.perror(`read error`, e);
      status = 1;
    }
    closeInput(c, r);
  }
  return status;
}

export const head = applet('head', async (c) => {
  const a = await getopt(c, 'n:c:qv', obsoleteCount(c.p.argv));
  if (!a) return 1;
  const spec = (a.opts.get('c') ?? a.opts.get('n') ?? '10') as string;
  const bytes = a.opts.has('c');
  const n = parseCount(spec);
  if (n === null) {
    await c.error(`invalid number '${spec}'`);
    return 1;
  }
  const allBut = spec.startsWith('-');
  const header = (a.args.length > 1 && !a.opts.has('q')) || a.opts.has('v');
  return eachInput(c, a.args, header, async (r) => {
    if (allBut) {
      const data = await readAll(r);
      if (bytes) await c.out.write(data.subarray(0, Math.max(0, data.length - n)));
      else {
        const ls = splitLines(data.toString('latin1'));
        await c.out.write(Buffer.from(ls.slice(0, Math.max(0, ls.length - n)).join(''), 'latin1'));
      }
      return;
    }
    let left = n;
    if (bytes) {
      while (left > 0) {
        const b = await r.read(left);
        if (b === null) break;
        left -= b.length;
        await c.out.write(b);
      }
      return;
    }
    if (left === 0) return;
    for await (const line of lines(r)) {
      await c.out.write(line);
      if (--left === 0) break;
    }
  });
});

/** Lines with their newlines (the last without when the text does not end in one). */
export function splitLines(s: string): string[] {
  const out = s.split(/(?<=\n)/);
  return out[out.length - 1] === '' ? out.slice(0, -1) : out;
}

async function follow(c: Ctx, name: string, size: number): Promise<never> {
  // tail -f: poll the file once a second (busybox tail.c sleeps 1 s between reads), forever.
  let seen = size;
  for (;;) {
    await c.p.sys.sleep(1000);
    await c.out.flush();
    if (name === '-') continue;
    try {
      const st = await c.fs.stat(name);
      if (st.size > seen) {
        const r = await c.fs.openRead(name);
        const data = await readAll(r);
        r.close();
        await c.out.write(data.subarray(seen));
        seen = data.length;
      } else if (st.size < seen) seen = st.size;
    } catch (e) {
      rethrowKilled(e);
    }
  }
}

export const tail = applet('tail', async (c) => {
  const a = await getopt(c, 'n:c:qvfFs:', obsoleteCount(c.p.argv));
  if (!a) return 1;
  const spec = (a.opts.get('c') ?? a.opts.get('n') ?? '10') as string;
  const n = parseCount(spec);
  if (n === null) {
    await c.error(`invalid number '${spec}'`);
    return 1;
  }
  const fromStart = spec.startsWith('+');
  const bytes = a.opts.has('c');
  const header = (a.args.length > 1 && !a.opts.has('q')) || a.opts.has('v');
  let lastSize = 0;
  const status = await eachInput(c, a.args, header, async (r) => {
    const data = await readAll(r);
    lastSize = data.length;
    if (bytes) {
      const from = fromStart ? Math.max(0, n - 1) : Math.max(0, data.length - n);
      await c.out.write(data.subarray(from));
      return;
    }
    const ls = splitLines(data.toString('latin1'));
    await c.out.write(Buffer.from((fromStart ? ls.slice(Math.max(0, n - 1)) : ls.slice(Math.max(0, ls.length - n))).join(''), 'latin1'));
  });
  if (a.opts.has('f') || a.opts.has('F')) {
    await c.out.flush();
    return follow(c, a.args[a.args.length - 1] ?? '-', lastSize);
  }
  return status;
});

interface Counts {
  lines: number;
  words: number;
  chars: number;
  bytes: number;
  longest: number;
}

function count(data: Buffer): Counts {
  const text = data.toString();
  let longest = 0;
  for (const l of text.split('\n')) longest = Math.max(longest, l.length);
  return {
    lines: data.filter((b) => b === 10).length,
    words: text.split(/[ \t\n\v\f\r]+/).filter(Boolean).length,
    chars: [...text].length,
    bytes: data.length,
    longest,
  };
}

export const wc = applet('wc', async (c) => {
  const a = await getopt(c, 'cmlwL');
  if (!a) return 1;
  let cols = (['l', 'w', 'c', 'm', 'L'] as const).filter((ch) => a.opts.has(ch));
  if (cols.length === 0) cols = ['l', 'w', 'c'];
  const field = { l: 'lines', w: 'words', c: 'bytes', m: 'chars', L: 'longest' } as const;
  const files = a.args.length > 0 ? a.args : ['-'];
  // One number for one input is printed bare; otherwise each is right-aligned in 9 columns.
  const pad = cols.length > 1 || files.length > 1;
  const total: Counts = { lines: 0, words: 0, chars: 0, bytes: 0, longest: 0 };
  const line = (k: Counts, name: string | null) =>
    cols.map((ch) => (pad ? String(k[field[ch]]).padStart(9) : String(k[field[ch]]))).join(' ') + (name === null ? '' : ` ${name}`) + '\n';
  let status = 0;
  for (const f of files) {
    const r = await openInput(c, f);
    if (!r) {
      status = 1;
      continue;
    }
    // coreutils/wc.c: a read error (a directory: EISDIR) is reported by name, and the counts of
    // what was read (nothing) are still printed
    let data: Buffer = Buffer.alloc(0);
    try {
      data = await readAll(r);
    } catch (e) {
      rethrowKilled(e);
      await c.perror(f, e);
      status = 1;
    }
    const k = count(data);
    closeInput(c, r);
    for (const key of ['lines', 'words', 'chars', 'bytes'] as const) total[key] += k[key];
    total.longest = Math.max(total.longest, k.longest);
    await c.out.write(line(k, a.args.length === 0 ? null : f));
  }
  if (files.length > 1) await c.out.write(line(total, 'total'));
  return status;
});

export const tee = applet('tee', async (c) => {
  const a = await getopt(c, 'ai');
  if (!a) return 1;
  let status = 0;
  const outs: WriteStream[] = [];
  for (const f of a.args) {
    try {
      outs.push(await c.fs.openWrite(f, { create: true, truncate: !a.opts.has('a'), append: a.opts.has('a') }));
    } catch (e) {
      await c.perror(f, e);
      status = 1;
    }
  }
  for (;;) {
    const b = await c.p.stdin.read();
    if (b === null) break;
    await c.p.stdout.write(b);
    for (const o of outs) await o.write(b);
  }
  for (const o of outs) o.close();
  return status;
});

export const yes = applet('yes', async (c) => {
  const text = (c.p.argv.length > 1 ? c.p.argv.slice(1).join(' ') : 'y') + '\n';
  // Whole buffers at a time, as stdio would; the loop ends when the reader goes (SIGPIPE or EPIPE).
  const chunk = text.repeat(Math.max(1, Math.floor(4096 / text.length)));
  for (;;) await c.p.stdout.write(chunk);
});

function decimals(s: string): number {
  const i = s.indexOf('.');
  return i < 0 ? 0 : s.length - i - 1;
}

export const seq = applet('seq', async (c) => {
  // Options end at the first operand (so `seq 3 -1 1` counts down), but a leading negative number is
  // taken for an option, as busybox's getopt does (`seq -3 -1` is an error).
  const a = await getopt(c, '+ws:');
  if (!a) return 1;
  const nums = a.args;
  if (nums.length < 1 || nums.length > 3 || nums.some((s) => !/^[-+]?(\d+\.?\d*|\.\d+)$/.test(s))) return c.usage();
  const [first, inc, last] = nums.length === 1 ? ['1', '1', nums[0]!] : nums.length === 2 ? [nums[0]!, '1', nums[1]!] : (nums as [string, string, string]);
  const prec = Math.max(decimals(first), decimals(inc));
  const f = Number(first);
  const d = Number(inc);
  const l = Number(last);
  const width = a.opts.has('w') ? Math.max(f.toFixed(prec).length, l.toFixed(prec).length) : 0;
  const sep = (a.opts.get('s') as string | undefined) ?? '\n';
  if (d === 0) return 0;
  let out = '';
  let any = false;
  for (let i = 0; ; i++) {
    const v = f + i * d;
    if ((d > 0 && v > l) || (d < 0 && v < l)) break;
    const s = v.toFixed(prec);
    out += (any ? sep : '') + (width && v >= 0 ? s.padStart(width, '0') : s);
    any = true;
    if (out.length > 8192) {
      await c.out.write(out);
      out = '';
    }
  }
  if (any) out += '\n';
  await c.out.write(out);
  return 0;
});

function hashSum(name: string, algo: string): ReturnType<typeof applet> {
  return applet(name, async (c) => {
    const a = await getopt(c, 'csw');
    if (!a) return 1;
    const digest = async (f: string): Promise<string | null> => {
      const r = await openInput(c, f, 'cantOpen');
      if (!r) return null;
      const h = createHash(algo).update(await readAll(r)).digest('hex');
      closeInput(c, r);
      return h;
    };
    let status = 0;
    if (!a.opts.has('c')) {
      for (const f of a.args.length > 0 ? a.args : ['-']) {
        const h = await digest(f);
        if (h === null) status = 1;
        else await c.out.write(`${h}  ${f}\n`);
      }
      return status;
    }
    let bad = 0;
    let total = 0;
    for (const list of a.args.length > 0 ? a.args : ['-']) {
      const r = await openInput(c, list, 'cantOpen');
      if (!r) return 1;
      for await (const line of lines(r)) {
        const m = line.replace(/\n$/, '').match(/^([0-9a-fA-F]+) [ *](.*)$/);
        if (!m) continue;
        total++;
        const h = await digest(m[2]!);
        const ok = h !== null && h === m[1]!.toLowerCase();
        if (!ok) bad++;
        if (!a.opts.has('s')) await c.out.write(`${m[2]}: ${ok ? 'OK' : 'FAILED'}\n`);
      }
      closeInput(c, r);
    }
    if (bad > 0) {
      await c.out.flush();
      await c.error(`WARNING: ${bad} of ${total} computed checksums did NOT match`);
      return 1;
    }
    return 0;
  });
}

export const md5sum = hashSum('md5sum', 'md5');
export const sha1sum = hashSum('sha1sum', 'sha1');
export const sha256sum = hashSum('sha256sum', 'sha256');
export const sha512sum = hashSum('sha512sum', 'sha512');
