/**
 * test and [ (busybox coreutils/test.c): POSIX's rules by argument count, then `!`, `-a` (tighter)
 * and `-o`, parentheses; file tests through the process's filesystem. Status 0 true, 1 false, 2 error
 * (`test: x: bad number`, `[: missing ]`).
 */
import { R_OK, W_OK, X_OK, type ExitCode, type FileStat } from '../program.js';
import { applet, rethrowKilled, type Ctx } from './common.js';

class TestError extends Error {}

const UNARY = new Set(['-e', '-f', '-d', '-r', '-w', '-x', '-s', '-L', '-h', '-z', '-n', '-b', '-c', '-p', '-S', '-t', '-g', '-u', '-k', '-O', '-G']);
const BINARY = new Set(['=', '==', '!=', '-eq', '-ne', '-lt', '-le', '-gt', '-ge', '-nt', '-ot', '-ef', '<', '>']);

function int(s: string): number {
  if (!/^\s*[-+]?\d+\s*$/.test(s)) throw new TestError(`${s}: bad number`);
  return Number(s);
}

class Eval {
  i = 0;
  constructor(
    private readonly c: Ctx,
    private readonly a: string[],
  ) {}

  async or(): Promise<boolean> {
    let v = await this.and();
    while (this.a[this.i] === '-o') {
      this.i++;
      const r = await this.and();
      v = v || r;
    }
    return v;
  }
  private async and(): Promise<boolean> {
    let v = await this.not();
    while (this.a[this.i] === '-a') {
      this.i++;
      const r = await this.not();
      v = v && r;
    }
    return v;
  }
  private async not(): Promise<boolean> {
    if (this.a[this.i] === '!' && this.i + 1 < this.a.length) {
      this.i++;
      return !(await this.not());
    }
    return this.primary();
  }
  private async primary(): Promise<boolean> {
    const t = this.a[this.i];
    if (t === undefined) throw new TestError('argument expected');
    if (t === '(' && this.a.length - this.i > 1 && !BINARY.has(this.a[this.i + 1]!)) {
      this.i++;
      const v = await this.or();
      if (this.a[this.i++] !== ')') throw new TestError("')' expected");
      return v;
    }
    const op = this.a[this.i + 1];
    if (op !== undefined && BINARY.has(op) && this.i + 2 < this.a.length) {
      this.i += 3;
      return this.binary(t, op, this.a[this.i - 1]!);
    }
    if (UNARY.has(t) && this.i + 1 < this.a.length) {
      this.i += 2;
      return this.unary(t, this.a[this.i - 1]!);
    }
    this.i++;
    return t !== '';
  }

  private async binary(l: string, op: string, r: string): Promise<boolean> {
    switch (op) {
      case '=':
      case '==': return l === r;
      case '!=': return l !== r;
      case '<': return l < r;
      case '>': return l > r;
      case '-eq': return int(l) === int(r);
      case '-ne': return int(l) !== int(r);
      case '-lt': return int(l) < int(r);
      case '-le': return int(l) <= int(r);
      case '-gt': return int(l) > int(r);
      case '-ge': return int(l) >= int(r);
    }
    const a = await this.stat(l, true);
    const b = await this.stat(r, true);
    if (op === '-ef') return !!a && !!b && a.ino === b.ino;
    if (op === '-nt') return !!a && (!b || a.mtime > b.mtime);
    return !!b && (!a || a.mtime < b.mtime);
  }

  private async stat(p: string, follow: boolean): Promise<FileStat | null> {
    try {
      return follow ? await this.c.fs.stat(p) : await this.c.fs.lstat(p);
    } catch (e) {
      rethrowKilled(e);
      return null;
    }
  }

  private async access(p: string, mode: number): Promise<boolean> {
    try {
      await this.c.fs.access(p, mode);
      return true;
    } catch (e) {
      rethrowKilled(e);
      return false;
    }
  }

  private async unary(op: string, x: string): Promise<boolean> {
    if (op === '-z') return x === '';
    if (op === '-n') return x !== '';
    if (op === '-t') return int(x) <= 2 && [this.c.p.stdin, this.c.p.stdout, this.c.p.stderr][int(x)]?.kind === 'tty';
    if (op === '-L' || op === '-h') return (await this.stat(x, false))?.type === 'symlink';
    if (op === '-r') return this.access(x, R_OK);
    if (op === '-w') return this.access(x, W_OK);
    if (op === '-x') return this.access(x, X_OK);
    const st = await this.stat(x, true);
    if (!st) return false;
    switch (op) {
      case '-e': return true;
      case '-f': return st.type === 'file';
      case '-d': return st.type === 'dir';
      case '-s': return st.size > 0;
      case '-b': return st.type === 'block';
      case '-c': return st.type === 'char';
      case '-p': return st.type === 'fifo';
      case '-S': return false;
      case '-u': return (st.mode & 0o4000) !== 0;
      case '-g': return (st.mode & 0o2000) !== 0;
      case '-k': return (st.mode & 0o1000) !== 0;
      case '-O': return st.uid === this.c.p.cred.uid;
      case '-G': return st.gid === this.c.p.cred.gid;
    }
    return false;
  }
}

/** Evaluates test's arguments: 0 true, 1 false, 2 with a message on error. */
export async function testArgs(c: Ctx, args: string[]): Promise<ExitCode> {
  if (args.length === 0) return 1;
  try {
    const e = new Eval(c, args);
    const v = await e.or();
    if (e.i < args.length) throw new TestError(`${args[e.i]}: unknown operand`);
    return v ? 0 : 1;
  } catch (err) {
    if (!(err instanceof TestError)) throw err;
    await c.error(err.message);
    return 2;
  }
}

export const test = applet('test', (c) => testArgs(c, c.p.argv.slice(1)));

export const bracket = applet('[', async (c) => {
  const args = c.p.argv.slice(1);
  if (args[args.length - 1] !== ']') {
    await c.error('missing ]');
    return 2;
  }
  return testArgs(c, args.slice(0, -1));
});
