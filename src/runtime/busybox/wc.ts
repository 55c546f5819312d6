/**
 * busybox wc (coreutils/wc.c): counts in one pass over the input, a chunk at a time, holding no more
 * than a chunk, as wc.c's getc loop does, so a 100 MB file in a volume is counted in bounded memory.
 *
 * The rules are wc.c's, in the C locale's character classes (checked against busybox-static):
 * - a word is a run of printable non-space bytes; a non-printable byte (\x01, or any byte >= 0x7f)
 *   neither starts nor ends one, and a whitespace byte (space, \t \n \v \f \r) ends it;
 * - -L counts printable ASCII columns, a tab moving to the next multiple of 8; \n, \r and \f end a
 *   line's run (\v records the length without resetting it);
 * - -m counts characters as UTF-8 does (every byte that is not a continuation byte, 10xxxxxx) when the
 *   locale is UTF-8 (libbb's init_unicode: the first of LC_ALL, LC_CTYPE, LANG that is set names
 *   "utf"), and bytes otherwise, as in a container with no LANG.
 */
import { chunksOf } from './chunks.js';
import { applet, closeInput, getopt, openInput } from './common.js';

export interface Counts {
  lines: number;
  words: number;
  chars: number;
  bytes: number;
  longest: number;
}

/** What a column needs: with only -c and -l the byte loop is skipped. */
interface Want {
  words: boolean;
  chars: boolean;
  longest: boolean;
  /** -m counts UTF-8 characters rather than bytes. */
  unicode: boolean;
}

/** libbb's init_unicode: is the locale a UTF-8 one. */
function unicodeLocale(env: ReadonlyMap<string, string>): boolean {
  const v = env.get('LC_ALL') || env.get('LC_CTYPE') || env.get('LANG') || '';
  return /utf/i.test(v);
}

/** The counts of one input, fed chunk by chunk. */
export class WcCounter {
  readonly k: Counts = { lines: 0, words: 0, chars: 0, bytes: 0, longest: 0 };
  private inWord = false;
  private linepos = 0;
  constructor(private readonly want: Want) {}

  feed(b: Buffer): void {
    this.k.bytes += b.length;
    if (!this.want.words && !this.want.chars && !this.want.longest) {
      for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) this.k.lines++;
      return;
    }
    for (let i = 0; i < b.length; i++) this.byte(b[i]!);
  }

  private byte(c: number): void {
    if (!this.want.unicode || (c & 0xc0) !== 0x80) this.k.chars++;
    if (c >= 0x20 && c <= 0x7e) {
      this.linepos++;
      if (c !== 0x20) {
        this.inWord = true;
        return;
      }
    } else if (c >= 9 && c <= 13) {
      if (c === 9) this.linepos = (this.linepos | 7) + 1;
      else {
        if (this.linepos > this.k.longest) this.k.longest = this.linepos;
        if (c === 10) this.k.lines++;
        if (c !== 11) this.linepos = 0;
      }
    } else return;
    if (this.inWord) this.k.words++;
    this.inWord = false;
  }

  /** End of input: the last word and the last line's length count. */
  end(): Counts {
    if (this.inWord) this.k.words++;
    this.inWord = false;
    if (this.linepos > this.k.longest) this.k.longest = this.linepos;
    return this.k;
  }
}

export const wc = applet('wc', async (c) => {
  const a = await getopt(c, 'cmlwL');
  if (!a) return 1;
  // the columns in wc.c's order (WC_LINES, WC_WORDS, WC_UNICODE, WC_BYTES, WC_LENGTH), whatever the flags' order
  let cols = (['l', 'w', 'm', 'c', 'L'] as const).filter((ch) => a.opts.has(ch));
  if (cols.length === 0) cols = ['l', 'w', 'c'];
  const field = { l: 'lines', w: 'words', c: 'bytes', m: 'chars', L: 'longest' } as const;
  const want = { words: cols.includes('w'), chars: cols.includes('m'), longest: cols.includes('L'), unicode: unicodeLocale(c.p.env) };
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
    // a read error (a directory: EISDIR) is reported and what was counted is still printed, as wc.c does
    const counter = new WcCounter(want);
    try {
      for await (const b of chunksOf(r)) counter.feed(b);
    } catch (e) {
      await c.perror(f, e);
      status = 1;
    } finally {
      closeInput(c, r);
    }
    const k = counter.end();
    for (const key of ['lines', 'words', 'chars', 'bytes'] as const) total[key] += k[key];
    total.longest = Math.max(total.longest, k.longest);
    await c.out.write(line(k, a.args.length === 0 ? null : f));
  }
  if (files.length > 1) await c.out.write(line(total, 'total'));
  return status;
});
