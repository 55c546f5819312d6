/**
 * sed (busybox editors/sed.c): addresses (N, $, /RE/, \cREc, ADDR1,ADDR2, ADDR,+N, !), blocks, and
 * the commands s y p P d D n N q Q = a i c h H g G x b t T : w. -n, -e, -f,
 * -i (in place, each file numbered apart), -s, -E/-r. Messages as busybox's (`unmatched '/'`,
 * `unsupported command k`, `unterminated {`, `missing command`).
 */
import type { ExitCode } from '../program.js';
import { applet, getopt, openInput, readAll, type Ctx } from './common.js';
import { runSed } from './sedrun.js';
import { compile, RegexError } from './regex.js';

type Addr = { line: number } | { last: true } | { re: RegExp | null } | { plus: number };

interface Cmd {
  a1?: Addr;
  a2?: Addr;
  negate: boolean;
  name: string;
  /** s: the regex (null: the last one used), replacement, flags. */
  re?: RegExp | null;
  replacement?: string;
  global?: boolean;
  nth?: number;
  print?: boolean;
  wfile?: string;
  text?: string;
  label?: string;
  /** `{`: index of its `}`; b/t/T: index of the label (or -1, the end). */
  jump?: number;
  map?: Map<string, string>;
  /** A range in progress, and where it ends for +N. */
  active?: boolean;
  endLine?: number;
}

class SedError extends Error {}

class Parser {
  i = 0;
  cmds: Cmd[] = [];
  deferred: string | undefined;
  constructor(
    private readonly s: string,
    private readonly extended: boolean,
  ) {}

  private skipSpace() {
    while (this.i < this.s.length && /[ \t]/.test(this.s[this.i]!)) this.i++;
  }

  /** Text up to an unescaped `delim`; a `\delim` becomes delim, `\n` a newline (in replacements). */
  private delimited(delim: string, what: 'regex' | 'replacement'): string {
    let out = '';
    for (;;) {
      if (this.i >= this.s.length) throw new SedError(`unmatched '${delim}'`);
      const ch = this.s[this.i++]!;
      if (ch === delim) return out;
      if (ch === '\\' && this.i < this.s.length) {
        const n = this.s[this.i++]!;
        if (n === delim) out += delim === '&' && what === 'replacement' ? '\\&' : delim;
        else if (n === 'n' && what === 'regex') out += '\\n';
        else out += '\\' + n;
        continue;
      }
      if (ch === '\n' && what === 'regex') throw new SedError(`unmatched '${delim}'`);
      out += ch;
    }
  }

  private regex(src: string, flags = ''): RegExp | null {
    if (src === '') return null;
    try {
      return new RegExp(compile(src, { extended: this.extended }).source, flags);
    } catch (e) {
      if (e instanceof RegexError) throw new SedError(`bad regex '${src}': ${e.message}`);
      throw e;
    }
  }

  private addr(): Addr | undefined {
    const s = this.s;
    let m = /^\d+/.exec(s.slice(this.i));
    if (m) {
      this.i += m[0].length;
      return { line: Number(m[0]) };
    }
    if (s[this.i] === '$') {
      this.i++;
      return { last: true };
    }
    if (s[this.i] === '/' || s[this.i] === '\\') {
      const delim = s[this.i] === '\\' ? s[this.i + 1]! : '/';
      this.i += s[this.i] === '\\' ? 2 : 1;
      const src = this.delimited(delim, 'regex');
      let flags = '';
      if (s[this.i] === 'I') {
        flags = 'i';
        this.i++;
      }
      return { re: this.regex(src, flags) };
    }
    if (s[this.i] === '+' && (m = /^\+(\d+)/.exec(s.slice(this.i)))) {
      this.i += m[0].length;
      return { plus: Number(m[1]) };
    }
    return undefined;
  }

  /** The text argument of a, i, c: `a\` NEWLINE text, or GNU's one-line `a text`. */
  private text(): string {
    this.skipSpace();
    if (this.s[this.i] === '\\') {
      this.i++;
      if (this.s[this.i] === '\n') this.i++;
    }
    let out = '';
    while (this.i < this.s.length && this.s[this.i] !== '\n') {
      const ch = this.s[this.i++]!;
      if (ch === '\\' && this.i < this.s.length) out += this.s[this.i++];
      else out += ch;
    }
    return out;
  }

  private word(): string {
    this.skipSpace();
    const m = /^[^;\n}]*/.exec(this.s.slice(this.i))!;
    this.i += m[0].length;
    return m[0].trim();
  }

  parse(): Cmd[] {
    const open: number[] = [];
    const s = this.s;
    while (this.i < s.length) {
      while (this.i < s.length && /[\s;]/.test(s[this.i]!)) this.i++;
      if (this.i >= s.length) break;
      if (s[this.i] === '#') {
        while (this.i < s.length && s[this.i] !== '\n') this.i++;
        continue;
      }
      const cmd: Cmd = { negate: false, name: '' };
      cmd.a1 = this.addr();
      if (cmd.a1 && s[this.i] === ',') {
        this.i++;
        cmd.a2 = this.addr();
        if (!cmd.a2) throw new SedError('unexpected \',\'');
      }
      this.skipSpace();
      while (s[this.i] === '!') {
        cmd.negate = true;
        this.i++;
        this.skipSpace();
      }
      const name = s[this.i++];
      if (name === undefined || name === '\n' || name === ';') throw new SedError('missing command');
      cmd.name = name;
      this.command(cmd, open);
      this.cmds.push(cmd);
    }
    // busybox finds these two only when the first line arrives (no input, no error).
    if (open.length > 0) this.deferred ??= 'unterminated {';
    for (const c of this.cmds) {
      if ('btT'.includes(c.name)) {
        if (!c.label) c.jump = -1;
        else {
          const at = this.cmds.findIndex((x) => x.name === ':' && x.label === c.label);
          if (at < 0) this.deferred ??= `can't find label for jump to '${c.label}'`;
          c.jump = at;
        }
      }
    }
    return this.cmds;
  }

  private command(cmd: Cmd, open: number[]): void {
    const n = cmd.name;
    if (n === '{') open.push(this.cmds.length);
    else if (n === '}') {
      const at = open.pop();
      if (at === undefined) throw new SedError('unexpected }');
      this.cmds[at]!.jump = this.cmds.length;
    } else if (n === 's') this.substitute(cmd);
    else if (n === 'y') {
      const delim = this.s[this.i++]!;
      const from = [...this.delimited(delim, 'replacement').replace(/\\\\/g, '\\')];
      const to = [...this.delimited(delim, 'replacement').replace(/\\\\/g, '\\')];
      if (from.length !== to.length) throw new SedError('strings for y command are different lengths');
      cmd.map = new Map(from.map((f, k) => [f, to[k]!]));
    } else if ('aic'.includes(n)) cmd.text = this.text();
    else if (':btT'.includes(n)) {
      cmd.label = this.word();
      if (n === ':' && !cmd.label) throw new SedError("':' lacks a label");
    } else if (n === 'w' || n === 'r') cmd.wfile = this.word();
    else if (!'pPdDnNhHgGx=lqQ'.includes(n)) throw new SedError(`unsupported command ${n}`);
  }

  private substitute(cmd: Cmd): void {
    const delim = this.s[this.i++];
    if (delim === undefined) throw new SedError("unmatched 's'");
    const src = this.delimited(delim, 'regex');
    cmd.replacement = this.delimited(delim, 'replacement');
    let flags = '';
    for (;;) {
      const f = this.s[this.i];
      if (f === 'g') cmd.global = true;
      else if (f === 'p') cmd.print = true;
      else if (f === 'i' || f === 'I') flags = 'i';
      else if (f !== undefined && /\d/.test(f)) {
        const m = /^\d+/.exec(this.s.slice(this.i))!;
        cmd.nth = Number(m[0]);
        this.i += m[0].length - 1;
      } else if (f === 'w') {
        this.i++;
        cmd.wfile = this.word();
        break;
      } else break;
      this.i++;
    }
    cmd.re = this.regex(src, flags);
  }
}

export type { Cmd, Addr };

async function scriptOf(c: Ctx, a: { lists: Map<string, string[]>; args: string[] }): Promise<string | null> {
  const parts = [...(a.lists.get('e') ?? [])];
  for (const f of a.lists.get('f') ?? []) {
    const r = await openInput(c, f, 'cantOpen');
    if (!r) return null;
    parts.push((await readAll(r)).toString().replace(/\n$/, ''));
    r.close();
  }
  if (parts.length === 0) {
    const s = a.args.shift();
    if (s === undefined) return null;
    parts.push(s);
  }
  return parts.join('\n');
}

export const sed = applet('sed', async (c): Promise<ExitCode> => {
  const a = await getopt(c, 'nrEi:e:f:', c.p.argv.slice(1).map((s) => (s === '-i' ? '-i\0' : s)));
  if (!a) return 1;
  const script = await scriptOf(c, a);
  if (script === null) return c.usage();
  let cmds: Cmd[];
  const parser = new Parser(script, a.opts.has('r') || a.opts.has('E'));
  try {
    cmds = parser.parse();
  } catch (e) {
    if (!(e instanceof SedError)) throw e;
    await c.error(e.message);
    return 1;
  }
  return runSed(c, cmds, {
    quiet: a.opts.has('n'),
    inPlace: a.opts.has('i'),
    separate: a.opts.has('i'),
    files: a.args,
    deferred: parser.deferred,
  });
});
