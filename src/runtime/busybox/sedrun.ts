/**
 * Running a parsed sed script (sed.ts) over its input: the pattern and hold spaces, one line of
 * look-ahead so `$` is known, ranges kept per command, text queued by `a` and `r` printed after the
 * cycle, and -i writing each file back when it is done.
 */
import type { ExitCode, ReadStream, WriteStream } from '../program.js';
import { lines, openInput, rethrowKilled, type Ctx } from './common.js';
import type { Addr, Cmd } from './sed.js';

/** The replacement for one match: `&`, `\1`..`\9`, `\n`, escaped characters. */
function expandReplacement(rep: string, m: RegExpExecArray): string {
  let out = '';
  for (let i = 0; i < rep.length; i++) {
    const ch = rep[i]!;
    if (ch === '&') out += m[0];
    else if (ch === '\\' && i + 1 < rep.length) {
      const n = rep[++i]!;
      if (/\d/.test(n)) out += m[Number(n)] ?? '';
      else if (n === 'n') out += '\n';
      else if (n === 't') out += '\t';
      else out += n;
    } else out += ch;
  }
  return out;
}

interface RunOpts {
  quiet: boolean;
  inPlace: boolean;
  separate: boolean;
  files: string[];
  /** A script error busybox reports only once there is a line to run it on. */
  deferred?: string;
}

class Deferred extends Error {}

/** The input as one stream of lines across files, with look-ahead for `$`. */
class Input {
  private idx = 0;
  private it: AsyncGenerator<string> | null = null;
  private next: string | null = null;
  lineNo = 0;
  /** Whether the last line read ended without a newline (sed then prints it without one). */
  noNewline = false;
  status: ExitCode = 0;
  constructor(
    private readonly c: Ctx,
    private readonly files: string[],
  ) {}

  private async open(): Promise<boolean> {
    while (this.idx < this.files.length) {
      const f = this.files[this.idx++]!;
      const r: ReadStream | null = await openInput(this.c, f);
      if (!r) {
        this.status = 1;
        continue;
      }
      this.it = lines(r);
      return true;
    }
    return false;
  }

  private async pull(): Promise<string | null> {
    for (;;) {
      if (this.it) {
        const n = await this.it.next();
        if (!n.done) return n.value;
        this.it = null;
      }
      if (!(await this.open())) return null;
    }
  }

  async read(): Promise<string | null> {
    const line = this.next ?? (await this.pull());
    this.next = null;
    if (line === null) return null;
    this.lineNo++;
    this.noNewline = !line.endsWith('\n');
    this.next = await this.pull();
    return line.replace(/\n$/, '');
  }

  isLast(): boolean {
    return this.next === null;
  }
}

class Machine {
  ps = '';
  hold = '';
  appended: string[] = [];
  substituted = false;
  quitCode: ExitCode | null = null;
  private lastRe: RegExp | null = null;
  private files = new Map<string, WriteStream>();

  constructor(
    private readonly c: Ctx,
    private readonly cmds: Cmd[],
    private readonly out: (s: string) => Promise<void>,
    private readonly quiet: boolean,
  ) {}

  private useRe(re: RegExp | null | undefined): RegExp {
    if (re) this.lastRe = re;
    if (!this.lastRe) throw new Error('no previous regular expression');
    return this.lastRe;
  }

  private matchOne(a: Addr, input: Input): boolean {
    if ('line' in a) return input.lineNo === a.line;
    if ('last' in a) return input.isLast();
    if ('re' in a) return this.useRe(a.re).test(this.ps);
    return false;
  }

  private selected(cmd: Cmd, input: Input): boolean {
    if (!cmd.a1) return true;
    if (!cmd.a2) return this.matchOne(cmd.a1, input);
    if (cmd.active) {
      const a2 = cmd.a2;
      let end: boolean;
      if ('plus' in a2) end = input.lineNo >= cmd.endLine!;
      else if ('line' in a2) end = input.lineNo >= a2.line;
      else end = this.matchOne(a2, input);
      if (end) cmd.active = false;
      return true;
    }
    if (!this.matchOne(cmd.a1, input)) return false;
    const a2 = cmd.a2;
    if ('plus' in a2) {
      cmd.endLine = input.lineNo + a2.plus;
      cmd.active = a2.plus > 0;
    } else if ('line' in a2) cmd.active = a2.line > input.lineNo;
    else cmd.active = !('last' in a2 && input.isLast());
    return true;
  }

  private async write(name: string, text: string): Promise<void> {
    let w = this.files.get(name);
    if (!w) {
      w = await this.c.fs.openWrite(name, { create: true, truncate: true });
      this.files.set(name, w);
    }
    await w.write(text + '\n');
  }

  private substitute(cmd: Cmd): boolean {
    const re = this.useRe(cmd.re);
    const g = new RegExp(re.source, re.flags.replace('g', '') + 'g');
    let count = 0;
    let out = '';
    let last = 0;
    let done = false;
    let prevEnd = -1;
    for (let m = g.exec(this.ps); m; m = g.exec(this.ps)) {
      if (m[0] === '' && m.index === prevEnd) {
        g.lastIndex++;
        continue;
      }
      prevEnd = m.index + m[0].length;
      count++;
      const want = cmd.nth ? count === cmd.nth || (cmd.global && count > cmd.nth) : true;
      if (want) {
        out += this.ps.slice(last, m.index) + expandReplacement(cmd.replacement!, m);
        last = m.index + m[0].length;
        done = true;
        if (!cmd.global) break;
      }
      if (m[0] === '') g.lastIndex++;
    }
    if (!done) return false;
    this.ps = out + this.ps.slice(last);
    return true;
  }

  /** One cycle's commands; returns 'next' to end the cycle, 'delete' to end it without printing, 'restart' for D. */
  async run(input: Input): Promise<'end' | 'delete' | 'restart' | 'quit'> {
    for (let pc = 0; pc < this.cmds.length; pc++) {
      const cmd = this.cmds[pc]!;
      if (cmd.name === '}' || cmd.name === ':') continue;
      const sel = this.selected(cmd, input) !== cmd.negate;
      if (!sel) {
        if (cmd.name === '{') pc = cmd.jump!;
        continue;
      }
      switch (cmd.name) {
        case '{':
          break;
        case 's':
          if (this.substitute(cmd)) {
            this.substituted = true;
            if (cmd.print) await this.out(this.ps + '\n');
            if (cmd.wfile) await this.write(cmd.wfile, this.ps);
          }
          break;
        case 'y':
          this.ps = [...this.ps].map((ch) => cmd.map!.get(ch) ?? ch).join('');
          break;
        case 'p':
          await this.out(this.ps + '\n');
          break;
        case 'P':
          await this.out(this.ps.split('\n')[0] + '\n');
          break;
        case 'd':
          return 'delete';
        case 'D': {
          const nl = this.ps.indexOf('\n');
          if (nl < 0) return 'delete';
          this.ps = this.ps.slice(nl + 1);
          return 'restart';
        }
        case 'n': {
          if (!this.quiet) await this.out(this.ps + '\n');
          await this.flushAppended();
          const l = await input.read();
          if (l === null) return 'quit';
          this.ps = l;
          break;
        }
        case 'N': {
          const l = await input.read();
          if (l === null) return 'end';
          this.ps += '\n' + l;
          break;
        }
        case 'q':
          this.quitCode = Number(cmd.text) || 0;
          return 'quit';
        case 'Q':
          this.quitCode = Number(cmd.text) || 0;
          return 'delete';
        case '=':
          await this.out(`${input.lineNo}\n`);
          break;
        case 'a':
          this.appended.push(cmd.text! + '\n');
          break;
        case 'i':
          await this.out(cmd.text! + '\n');
          break;
        case 'c':
          // In a range, the text replaces the whole range: printed at its end.
          if (!cmd.a2 || !cmd.active) await this.out(cmd.text! + '\n');
          return 'delete';
        case 'h':
          this.hold = this.ps;
          break;
        case 'H':
          this.hold += '\n' + this.ps;
          break;
        case 'g':
          this.ps = this.hold;
          break;
        case 'G':
          this.ps += '\n' + this.hold;
          break;
        case 'x':
          [this.ps, this.hold] = [this.hold, this.ps];
          break;
        case 'b':
        case 't':
        case 'T': {
          const jump = cmd.name === 'b' || (cmd.name === 't') === this.substituted;
          if (cmd.name !== 'b') this.substituted = false;
          if (jump) {
            if (cmd.jump === -1) return 'end';
            pc = cmd.jump!;
          }
          break;
        }
        case 'w':
          await this.write(cmd.wfile!, this.ps);
          break;
        case 'r':
          this.appended.push(`\0${cmd.wfile}`);
          break;
      }
    }
    return 'end';
  }

  async flushAppended(): Promise<void> {
    for (const a of this.appended) {
      if (!a.startsWith('\0')) {
        await this.out(a);
        continue;
      }
      try {
        const r = await this.c.fs.openRead(a.slice(1));
        for await (const l of lines(r)) await this.out(l);
        r.close();
      } catch (e) {
        rethrowKilled(e); // r of a missing file reads nothing, as in every sed
      }
    }
    this.appended = [];
  }

  close(): void {
    for (const w of this.files.values()) w.close();
  }
}

async function runOver(c: Ctx, cmds: Cmd[], input: Input, out: (s: string) => Promise<void>, o: RunOpts): Promise<ExitCode | null> {
  const quiet = o.quiet;
  const m = new Machine(c, cmds, out, quiet);
  for (const cmd of cmds) cmd.active = false;
  let line = await input.read();
  if (line !== null && o.deferred) throw new Deferred(o.deferred);
  while (line !== null) {
    m.ps = line;
    m.substituted = false;
    let r = await m.run(input);
    while (r === 'restart') r = await m.run(input);
    const nl = input.isLast() && input.noNewline ? '' : '\n';
    if (r !== 'delete' && !quiet) await out(m.ps + nl);
    await m.flushAppended();
    if (r === 'quit' || m.quitCode !== null) break;
    line = await input.read();
  }
  m.close();
  return m.quitCode;
}

export async function runSed(c: Ctx, cmds: Cmd[], o: RunOpts): Promise<ExitCode> {
  try {
    return await runAll(c, cmds, o);
  } catch (e) {
    if (!(e instanceof Deferred)) throw e;
    await c.out.flush();
    await c.error(e.message);
    return 1;
  }
}

async function runAll(c: Ctx, cmds: Cmd[], o: RunOpts): Promise<ExitCode> {
  if (!o.separate) {
    const input = new Input(c, o.files.length > 0 ? o.files : ['-']);
    const q = await runOver(c, cmds, input, (s) => c.out.write(s), o);
    return q ?? input.status;
  }
  let status: ExitCode = 0;
  for (const f of o.files) {
    const input = new Input(c, [f]);
    let text = '';
    const q = await runOver(c, cmds, input, async (s) => void (text += s), o);
    if (input.status !== 0) {
      status = input.status;
      continue;
    }
    if (o.inPlace) await replaceFile(c, f, text);
    else await c.out.write(text);
    if (q !== null) return q;
  }
  return status;
}

/** -i: a new file with the old one's mode and owner renamed over it (so a hardlink keeps the old text), as busybox does. */
async function replaceFile(c: Ctx, path: string, text: string): Promise<void> {
  const st = await c.fs.stat(path);
  const slash = path.lastIndexOf('/');
  const tmp = `${path.slice(0, slash + 1)}sed${String(c.p.sys.pid)}${path.slice(slash + 1)}`;
  const w = await c.fs.openWrite(tmp, { create: true, truncate: true, mode: 0o600 });
  await w.write(text);
  w.close();
  await c.fs.chmod(tmp, st.mode);
  await c.fs.chown(tmp, st.uid, st.gid);
  await c.fs.rename(tmp, path);
}
