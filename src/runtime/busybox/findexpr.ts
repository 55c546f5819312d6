/**
 * find's expression: parsed from argv into a tree (`-a` binds tighter than `-o`; `!`, parentheses),
 * evaluated per file. Tests: -name -iname -path -ipath -type -maxdepth -mindepth -depth -size -perm
 * -user -group -newer -mtime -mmin -empty -links -inum; actions -print -print0 -exec (; and +)
 * -delete -prune -quit.
 */
import type { FileStat } from '../program.js';
import { rethrowKilled, type Ctx } from './common.js';
import type { Visit, Walk } from './find.js';
import { globToRegExp } from './glob.js';
import type { Names } from './names.js';
import { runCommand } from './spawn.js';

export type Node =
  | { kind: 'and' | 'or'; l: Node; r: Node }
  | { kind: 'not'; e: Node }
  | { kind: 'true' }
  | { kind: 'name' | 'path'; re: RegExp }
  | { kind: 'type'; t: string }
  | { kind: 'cmp'; field: 'size' | 'mtime' | 'mmin' | 'links' | 'inum'; op: '+' | '-' | '='; n: number; unit?: number }
  | { kind: 'perm'; mode: number; how: '-' | '/' | '=' }
  | { kind: 'user' | 'group'; id: string }
  | { kind: 'newer'; file: string }
  | { kind: 'empty' | 'print' | 'print0' | 'delete' | 'prune' | 'quit' }
  | { kind: 'exec'; argv: string[]; plus: boolean; pending: string[] };

const TYPE: Record<string, string> = { f: 'file', d: 'dir', l: 'symlink', c: 'char', b: 'block', p: 'fifo', s: 'socket' };

/** `-size 5k`: the number and its unit in bytes (default 512-byte blocks). */
export function parseSize(s: string): { n: number; unit: number } | null {
  const m = s.match(/^(\d+)([bckwMG]?)$/);
  if (!m) return null;
  const units: Record<string, number> = { '': 512, b: 512, c: 1, k: 1024, w: 2, M: 1048576, G: 1073741824 };
  return { n: Number(m[1]), unit: units[m[2]!]! };
}

class ParseError extends Error {}

class P {
  i = 0;
  constructor(
    private readonly a: string[],
    private readonly w: Walk,
  ) {}

  private arg(opt: string): string {
    const v = this.a[this.i++];
    if (v === undefined) throw new ParseError(`${opt} requires an argument`);
    return v;
  }

  or(): Node {
    let l = this.and();
    while (this.a[this.i] === '-o' || this.a[this.i] === '-or') {
      this.i++;
      l = { kind: 'or', l, r: this.and() };
    }
    return l;
  }

  private and(): Node {
    let l = this.unary();
    for (;;) {
      const t = this.a[this.i];
      if (t === undefined || t === '-o' || t === '-or' || t === ')') return l;
      if (t === '-a' || t === '-and') this.i++;
      l = { kind: 'and', l, r: this.unary() };
    }
  }

  private unary(): Node {
    const t = this.a[this.i];
    if (t === '!' || t === '-not') {
      this.i++;
      return { kind: 'not', e: this.unary() };
    }
    if (t === '(') {
      this.i++;
      const e = this.or();
      if (this.a[this.i++] !== ')') throw new ParseError('unrecognized: (');
      return e;
    }
    return this.primary();
  }

  private cmp(field: 'size' | 'mtime' | 'mmin' | 'links' | 'inum', opt: string): Node {
    const v = this.arg(opt);
    const op = v[0] === '+' || v[0] === '-' ? (v[0] as '+' | '-') : '=';
    const rest = op === '=' ? v : v.slice(1);
    if (field === 'size') {
      const s = parseSize(rest);
      if (!s) throw new ParseError(`invalid number '${v}'`);
      return { kind: 'cmp', field, op, n: s.n, unit: s.unit };
    }
    if (!/^\d+$/.test(rest)) throw new ParseError(`invalid number '${v}'`);
    return { kind: 'cmp', field, op, n: Number(rest) };
  }

  private primary(): Node {
    const t = this.a[this.i++]!;
    switch (t) {
      case '-name':
      case '-iname':
        return { kind: 'name', re: globToRegExp(this.arg(t), t === '-iname') };
      case '-path':
      case '-ipath':
      case '-wholename':
        return { kind: 'path', re: globToRegExp(this.arg(t), t === '-ipath') };
      case '-type': {
        const v = this.arg(t);
        if (!TYPE[v]) throw new ParseError(`unrecognized: -type ${v}`);
        return { kind: 'type', t: TYPE[v] };
      }
      case '-maxdepth':
      case '-mindepth': {
        const v = this.arg(t);
        if (t === '-maxdepth') this.w.maxdepth = Number(v);
        else this.w.mindepth = Number(v);
        return { kind: 'true' };
      }
      case '-depth':
        this.w.depthFirst = true;
        return { kind: 'true' };
      case '-xdev':
      case '-follow':
        return { kind: 'true' };
      case '-size':
        return this.cmp('size', t);
      case '-mtime':
        return this.cmp('mtime', t);
      case '-mmin':
        return this.cmp('mmin', t);
      case '-links':
        return this.cmp('links', t);
      case '-inum':
        return this.cmp('inum', t);
      case '-perm': {
        const v = this.arg(t);
        const how = v[0] === '-' || v[0] === '/' ? (v[0] as '-' | '/') : v[0] === '+' ? '/' : '=';
        return { kind: 'perm', mode: parseInt(how === '=' ? v : v.slice(1), 8), how };
      }
      case '-user':
      case '-group':
        return { kind: t.slice(1) as 'user' | 'group', id: this.arg(t) };
      case '-newer':
        return { kind: 'newer', file: this.arg(t) };
      case '-empty':
      case '-print':
      case '-print0':
      case '-delete':
      case '-prune':
      case '-quit':
        if (t === '-delete') this.w.depthFirst = true;
        return { kind: t.slice(1) as 'empty' };
      case '-exec': {
        const argv: string[] = [];
        for (;;) {
          const v = this.a[this.i++];
          if (v === undefined) throw new ParseError('-exec requires an argument');
          if (v === ';') return { kind: 'exec', argv, plus: false, pending: [] };
          if (v === '+' && argv[argv.length - 1] === '{}') return { kind: 'exec', argv, plus: true, pending: [] };
          argv.push(v);
        }
      }
      default:
        throw new ParseError(`unrecognized: ${t}`);
    }
  }
}

/** The expression, null when there is none, or the message for a bad one. */
export function parseFind(argv: string[], w: Walk): Node | null | string {
  if (argv.length === 0) return null;
  const p = new P(argv, w);
  try {
    const e = p.or();
    if (p.i < argv.length) return `unrecognized: ${argv[p.i]}`;
    return e;
  } catch (e) {
    if (e instanceof ParseError) return e.message;
    throw e;
  }
}

function compare(op: '+' | '-' | '=', v: number, n: number): boolean {
  return op === '+' ? v > n : op === '-' ? v < n : v === n;
}

async function idMatches(names: Names, kind: 'user' | 'group', id: string, st: FileStat): Promise<boolean> {
  const want = kind === 'user' ? st.uid : st.gid;
  if (/^\d+$/.test(id)) return Number(id) === want;
  const acct = kind === 'user' ? await names.user(id) : await names.groupByName(id);
  return acct?.id === want;
}

export async function run(c: Ctx, n: Node, v: Visit, names: Names): Promise<boolean> {
  const st = v.st;
  switch (n.kind) {
    case 'and':
      return (await run(c, n.l, v, names)) && run(c, n.r, v, names);
    case 'or':
      return (await run(c, n.l, v, names)) || run(c, n.r, v, names);
    case 'not':
      return !(await run(c, n.e, v, names));
    case 'true':
      return true;
    case 'name':
      return n.re.test(v.name.replace(/\/+$/, '') || '/');
    case 'path':
      return n.re.test(v.path);
    case 'type':
      return st.type === n.t;
    case 'cmp': {
      const nowS = c.p.sys.now() / 1000;
      if (n.field === 'size') {
        // busybox compares bytes with N units (GNU find rounds up to whole units instead).
        return compare(n.op, st.size, n.n * n.unit!);
      }
      if (n.field === 'mtime') return compare(n.op, Math.floor((nowS - st.mtime) / 86400), n.n);
      if (n.field === 'mmin') return compare(n.op, Math.floor((nowS - st.mtime) / 60), n.n);
      return compare(n.op, n.field === 'links' ? st.nlink : st.ino, n.n);
    }
    case 'perm':
      if (n.how === '-') return (st.mode & n.mode) === n.mode;
      if (n.how === '/') return n.mode === 0 || (st.mode & n.mode) !== 0;
      return (st.mode & 0o7777) === n.mode;
    case 'user':
    case 'group':
      return idMatches(names, n.kind, n.id, st);
    case 'newer':
      try {
        return st.mtime > (await c.fs.stat(n.file)).mtime;
      } catch (e) {
        rethrowKilled(e);
        return false;
      }
    case 'empty':
      if (st.type === 'dir') return (await c.fs.readdir(v.path)).length === 0;
      return st.type === 'file' && st.size === 0;
    case 'print':
      await c.out.write(v.path + '\n');
      return true;
    case 'print0':
      await c.out.write(v.path + '\0');
      return true;
    case 'prune':
      v.prune = true;
      return true;
    case 'quit':
      v.quit = true;
      return true;
    case 'delete':
      try {
        if (st.type === 'dir') await c.fs.rmdir(v.path);
        else await c.fs.unlink(v.path);
        return true;
      } catch (e) {
        await c.perror(v.path, e);
        return false;
      }
    case 'exec': {
      await c.out.flush();
      if (n.plus) {
        n.pending.push(v.path);
        return true;
      }
      const code = await runCommand(c, n.argv.map((a) => a.split('{}').join(v.path)));
      return code === 0;
    }
  }
}
