/**
 * test / [ as busybox's coreutils/test.c evaluates it (the shell builtin and the applet share it):
 * POSIX's rules by argument count for up to four arguments, then a recursive grammar of !, -a, -o
 * and parentheses. Errors are busybox's texts: "missing ]", "X: bad number", "X: unknown operand".
 */
import type { FileSystem } from '../program.js';

export class TestError extends Error {}

const UNARY = new Set(['-n', '-z', '-e', '-f', '-d', '-r', '-w', '-x', '-s', '-L', '-h', '-b', '-c', '-p', '-S', '-t', '-u', '-g', '-k', '-O', '-G']);
const BINARY = new Set(['=', '==', '!=', '-eq', '-ne', '-lt', '-le', '-gt', '-ge', '-nt', '-ot', '-ef', '<', '>']);

function num(s: string): bigint {
  const t = s.trim();
  if (!/^[+-]?\d+$/.test(t)) throw new TestError(s === '' ? 'bad number' : `${s}: bad number`);
  return BigInt(t);
}

export class TestEval {
  private i = 0;
  constructor(
    private readonly args: string[],
    private readonly fs: FileSystem,
    private readonly uid: number,
  ) {}

  async run(): Promise<boolean> {
    const a = this.args;
    if (a.length === 0) return false;
    const r = await this.small(a);
    if (r !== undefined) return r;
    const v = await this.oexpr();
    if (this.i < a.length) throw new TestError(`${a[this.i]}: unknown operand`);
    return v;
  }

  /** POSIX's table for one to four arguments. */
  private async small(a: string[]): Promise<boolean | undefined> {
    if (a.length === 1) return a[0] !== '';
    if (a.length === 2) {
      if (a[0] === '!') return a[1] === '';
      if (UNARY.has(a[0]!)) return this.unary(a[0]!, a[1]!);
      // busybox takes the first word as a string expression; the second is then an operator
      // missing its argument, or a word left over.
      if (BINARY.has(a[1]!)) throw new TestError(`${a[1]}: argument expected`);
      throw new TestError(`${a[1]}: unknown operand`);
    }
    if (a.length === 3) {
      if (BINARY.has(a[1]!)) return this.binary(a[0]!, a[1]!, a[2]!);
      if (a[0] === '!') return !(await this.small(a.slice(1)));
      if (a[0] === '(' && a[2] === ')') return a[1] !== '';
    }
    if (a.length === 4 && a[0] === '!') {
      const r = await this.small(a.slice(1));
      if (r !== undefined) return !r;
    }
    return undefined;
  }

  private peek(): string | undefined {
    return this.args[this.i];
  }

  private async oexpr(): Promise<boolean> {
    let v = await this.aexpr();
    while (this.peek() === '-o') {
      this.i++;
      const r = await this.aexpr();
      v = v || r;
    }
    return v;
  }
  private async aexpr(): Promise<boolean> {
    let v = await this.nexpr();
    while (this.peek() === '-a') {
      this.i++;
      const r = await this.nexpr();
      v = v && r;
    }
    return v;
  }
  private async nexpr(): Promise<boolean> {
    if (this.peek() === '!') {
      this.i++;
      return !(await this.nexpr());
    }
    return this.primary();
  }
  private async primary(): Promise<boolean> {
    const t = this.peek();
    if (t === undefined) throw new TestError('argument expected');
    if (t === '(') {
      this.i++;
      const v = await this.oexpr();
      if (this.peek() !== ')') throw new TestError('closing paren expected');
      this.i++;
      return v;
    }
    const next = this.args[this.i + 1];
    if (next !== undefined && BINARY.has(next) && this.args[this.i + 2] !== undefined) {
      this.i += 3;
      return this.binary(t, next, this.args[this.i - 1]!);
    }
    if (UNARY.has(t) && next !== undefined) {
      this.i += 2;
      return this.unary(t, next);
    }
    this.i++;
    return t !== '';
  }

  private async unary(op: string, x: string): Promise<boolean> {
    if (op === '-n') return x !== '';
    if (op === '-z') return x === '';
    if (op === '-t') return false;
    try {
      const st = op === '-L' || op === '-h' ? await this.fs.lstat(x) : await this.fs.stat(x);
      switch (op) {
        case '-e':
          return true;
        case '-f':
          return st.type === 'file';
        case '-d':
          return st.type === 'dir';
        case '-L':
        case '-h':
          return st.type === 'symlink';
        case '-b':
          return st.type === 'block';
        case '-c':
          return st.type === 'char';
        case '-p':
          return st.type === 'fifo';
        case '-S':
          return false;
        case '-s':
          return st.size > 0;
        case '-u':
          return (st.mode & 0o4000) !== 0;
        case '-g':
          return (st.mode & 0o2000) !== 0;
        case '-k':
          return (st.mode & 0o1000) !== 0;
        case '-O':
          return st.uid === this.uid;
        case '-G':
          return true;
        case '-r':
        case '-w':
        case '-x': {
          const bit = op === '-r' ? 4 : op === '-w' ? 2 : 1;
          if (this.uid === 0) return bit !== 1 || st.type === 'dir' || (st.mode & 0o111) !== 0;
          const m = st.uid === this.uid ? (st.mode >> 6) & 7 : st.mode & 7;
          return (m & bit) !== 0;
        }
      }
    } catch {
      return false;
    }
    return false;
  }

  private async binary(a: string, op: string, b: string): Promise<boolean> {
    switch (op) {
      case '=':
      case '==':
        return a === b;
      case '!=':
        return a !== b;
      case '<':
        return a < b;
      case '>':
        return a > b;
      case '-eq':
        return num(a) === num(b);
      case '-ne':
        return num(a) !== num(b);
      case '-lt':
        return num(a) < num(b);
      case '-le':
        return num(a) <= num(b);
      case '-gt':
        return num(a) > num(b);
      case '-ge':
        return num(a) >= num(b);
      default: {
        const sa = await this.fs.stat(a).catch(() => null);
        const sb = await this.fs.stat(b).catch(() => null);
        if (op === '-ef') return !!sa && !!sb && sa.ino === sb.ino;
        if (op === '-nt') return !!sa && (!sb || sa.mtime > sb.mtime);
        return !!sb && (!sa || sa.mtime < sb.mtime);
      }
    }
  }
}

/** test(argv) / [ ... ]: 0 true, 1 false, 2 error (with the message to print). */
export async function runTest(argv: readonly string[], fs: FileSystem, uid: number): Promise<{ status: number; error?: string }> {
  let args = argv.slice(1);
  if (argv[0] === '[') {
    if (args[args.length - 1] !== ']') return { status: 2, error: 'missing ]' };
    args = args.slice(0, -1);
  }
  try {
    return { status: (await new TestEval(args, fs, uid).run()) ? 0 : 1 };
  } catch (e) {
    if (e instanceof TestError) return { status: 2, error: e.message };
    throw e;
  }
}
