/**
 * grep, egrep, fgrep (busybox findutils/grep.c): POSIX basic or extended patterns (regex.ts), or
 * fixed strings; `file:` prefixes with several files or -r; exit 0 on a match, 1 on none, 2 on an
 * error (unless -q already found one). A directory operand without -r is skipped silently.
 */
import type { ExitCode, FileStat } from '../program.js';
import { applet, getopt, joinName, lines, openInput, readAll, rethrowKilled, type Ctx, type Parsed } from './common.js';
import { compile, literal, RegexError } from './regex.js';

interface GrepOpts {
  res: RegExp[];
  invert: boolean;
  count: boolean;
  listMatch: boolean;
  listNoMatch: boolean;
  quiet: boolean;
  onlyMatching: boolean;
  lineNumbers: boolean;
  withName: boolean;
  noMessages: boolean;
  max: number;
  after: number;
  before: number;
}

class Grep {
  matchedAny = false;
  /** -L: whether a file was listed (what its exit status reports). */
  listedAny = false;
  error = false;
  constructor(
    private readonly c: Ctx,
    private readonly o: GrepOpts,
  ) {}

  private matches(line: string): RegExpExecArray[] | boolean {
    if (!this.o.onlyMatching) return this.o.res.some((re) => re.test(line));
    const found: RegExpExecArray[] = [];
    for (const re of this.o.res) {
      const g = new RegExp(re.source, re.flags + 'g');
      for (let m = g.exec(line); m; m = g.exec(line)) {
        if (m[0] === '') {
          g.lastIndex++;
          continue;
        }
        found.push(m);
      }
    }
    return found.sort((a, b) => a.index - b.index);
  }

  /** Greps one input; true to stop everything (-q found a match). */
  async file(name: string, shown: string): Promise<boolean> {
    const r = await openInput(this.c, name);
    if (!r) return this.fail();
    const o = this.o;
    const prefix = (n: number, sep: string) => (o.withName ? `${shown}${sep}` : '') + (o.lineNumbers ? `${n}${sep}` : '');
    let n = 0;
    let count = 0;
    let afterLeft = 0;
    let lastPrinted = 0;
    const before: Array<[number, string]> = [];
    try {
      for await (const raw of lines(r)) {
        n++;
        const line = raw.replace(/\n$/, '');
        const m = this.matches(line);
        const hit = (Array.isArray(m) ? m.length > 0 : m) !== o.invert;
        if (!hit) {
          if (afterLeft > 0) {
            afterLeft--;
            await this.c.out.write(prefix(n, '-') + line + '\n');
            lastPrinted = n;
          } else if (o.before > 0) {
            before.push([n, line]);
            if (before.length > o.before) before.shift();
          }
          continue;
        }
        this.matchedAny = true;
        count++;
        if (o.quiet) return true;
        if (o.listMatch || o.listNoMatch) break;
        if (!o.count) {
          // `--` between groups of context lines that do not touch.
          const firstToPrint = before[0]?.[0] ?? n;
          if ((o.before > 0 || o.after > 0) && lastPrinted > 0 && firstToPrint > lastPrinted + 1) await this.c.out.write('--\n');
          for (const [bn, bl] of before) await this.c.out.write(prefix(bn, '-') + bl + '\n');
          before.length = 0;
          if (Array.isArray(m) && !o.invert) for (const x of m) await this.c.out.write(prefix(n, ':') + x[0] + '\n');
          else await this.c.out.write(prefix(n, ':') + line + '\n');
          lastPrinted = n;
          afterLeft = o.after;
        }
        if (count >= o.max) break;
      }
    } catch (e) {
      rethrowKilled(e);
      // read(2) of a directory: EISDIR, which busybox grep does not report.
      if (name !== '-') r.close();
      return false;
    }
    if (name !== '-') r.close();
    if (o.count) await this.c.out.write((o.withName ? `${shown}:` : '') + `${count}\n`);
    if (o.listMatch && count > 0) await this.c.out.write(shown + '\n');
    if (o.listNoMatch && count === 0) {
      this.listedAny = true;
      await this.c.out.write(shown + '\n');
    }
    return false;
  }

  private fail(): boolean {
    this.error = true;
    return false;
  }

  /** -r: a directory's entries, depth first in the directory's order (not followed through symlinks unless -R). */
  async tree(path: string, deref: boolean, top: boolean): Promise<boolean> {
    let st: FileStat;
    try {
      st = await this.c.fs.lstat(path);
      // A symlink inside the tree is opened as the file it names, but never walked into as a directory.
      if (st.type === 'symlink') {
        st = await this.c.fs.stat(path);
        if (st.type === 'dir' && !top && !deref) return false;
      }
    } catch (e) {
      rethrowKilled(e);
      if (!this.o.noMessages) await this.c.perror(path, e);
      // Only an operand that cannot be read makes the status 2; one found inside the tree is reported only.
      return top ? this.fail() : false;
    }
    if (st.type === 'dir') {
      for (const n of await this.c.fs.readdir(path)) if (await this.tree(joinName(path, n), deref, false)) return true;
      return false;
    }
    if (st.type !== 'file') return false;
    return this.file(path, path);
  }
}

async function patterns(c: Ctx, a: Parsed): Promise<string[] | null> {
  const list = [...(a.lists.get('e') ?? [])];
  for (const f of a.lists.get('f') ?? []) {
    const r = await openInput(c, f, 'cantOpen');
    if (!r) return null;
    list.push(...(await readAll(r)).toString().split('\n').filter((l, i, all) => i < all.length - 1 || l !== ''));
    r.close();
  }
  if (list.length === 0) {
    const p = a.args.shift();
    if (p === undefined) return null;
    list.push(...p.split('\n'));
  }
  return list;
}

function grepApplet(name: string, mode: 'basic' | 'extended' | 'fixed') {
  return applet(name, async (c): Promise<ExitCode> => {
    const a = await getopt(c, 'HhnlLoqvsrRiwFEzxcm:A:B:C:e:f:');
    if (!a) return 2;
    const pats = await patterns(c, a);
    if (pats === null) return a.lists.has('f') ? 2 : (await c.usage(), 2);
    const f = (ch: string) => a.opts.has(ch);
    const fixed = f('F') || (mode === 'fixed' && !f('E'));
    const extended = f('E') || mode === 'extended';
    let res: RegExp[];
    try {
      res = pats.map((p) => {
        let src = fixed ? literal(p).source : compile(p, { extended }).source;
        if (f('w')) src = `(?<![\\w])(?:${src})(?![\\w])`;
        if (f('x')) src = `^(?:${src})$`;
        return new RegExp(src, f('i') ? 'i' : '');
      });
    } catch (e) {
      if (!(e instanceof RegexError)) throw e;
      await c.error(`bad regex '${pats[0]}'`);
      return 2;
    }
    const ctx = Number(a.opts.get('C') ?? 0);
    const recursive = f('r') || f('R');
    const files = a.args;
    const o: GrepOpts = {
      res,
      invert: f('v'),
      count: f('c'),
      listMatch: f('l'),
      listNoMatch: f('L'),
      quiet: f('q'),
      onlyMatching: f('o'),
      lineNumbers: f('n'),
      withName: (files.length > 1 || recursive || f('H')) && !f('h'),
      noMessages: f('s'),
      max: a.opts.has('m') ? Number(a.opts.get('m')) : Infinity,
      after: Number(a.opts.get('A') ?? ctx),
      before: Number(a.opts.get('B') ?? ctx),
    };
    const g = new Grep(c, o);
    // -s: no message for a file that cannot be opened or read (the status still says so).
    if (o.noMessages) c.perror = async (_msg, e) => rethrowKilled(e);
    for (const file of files.length > 0 ? files : ['-']) {
      const stop = recursive && file !== '-' ? await g.tree(file, f('R'), true) : await g.file(file, file === '-' ? '(standard input)' : file);
      if (stop) return 0;
    }
    if (g.error && !(o.quiet && g.matchedAny)) return 2;
    return (o.listNoMatch ? g.listedAny : g.matchedAny) ? 0 : 1;
  });
}

export const grep = grepApplet('grep', 'basic');
export const egrep = grepApplet('egrep', 'extended');
export const fgrep = grepApplet('fgrep', 'fixed');
