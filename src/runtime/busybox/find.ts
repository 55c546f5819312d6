/**
 * find and xargs (busybox findutils/find.c, xargs.c). find walks in the directory's own order
 * (readdir, unsorted, as the real one), evaluates its expression (`-a` binds tighter than `-o`, `!`,
 * parentheses) and prints when no action is given. Commands that -exec and xargs run are found on
 * PATH in the process's filesystem, else run as a busybox applet (busybox prefers its applets).
 */
import type { ExitCode, FileStat } from '../program.js';
import { applet, baseName, joinName, type Ctx } from './common.js';
import { parseFind, run, type Node } from './findexpr.js';
import { Names } from './names.js';
import { runCommand } from './spawn.js';

export interface Walk {
  maxdepth: number;
  mindepth: number;
  depthFirst: boolean;
  follow: boolean;
  status: ExitCode;
}

export interface Visit {
  path: string;
  name: string;
  st: FileStat;
  depth: number;
  prune: boolean;
  quit: boolean;
}

async function walk(c: Ctx, expr: Node | null, w: Walk, path: string, depth: number, names: Names): Promise<boolean> {
  let st: FileStat;
  try {
    st = w.follow ? await c.fs.stat(path).catch(() => c.fs.lstat(path)) : await c.fs.lstat(path);
  } catch (e) {
    await c.perror(path, e);
    w.status = 1;
    return false;
  }
  const v: Visit = { path, name: depth === 0 ? path : baseName(path), st, depth, prune: false, quit: false };
  const act = async () => {
    if (depth < w.mindepth) return;
    const matched = expr ? await run(c, expr, v, names) : true;
    if (expr === null || (matched && !hasAction(expr))) await c.out.write(path + '\n');
  };
  if (!w.depthFirst) await act();
  if (v.quit) return true;
  if (st.type === 'dir' && depth < w.maxdepth && !v.prune) {
    let entries: string[] = [];
    try {
      entries = await c.fs.readdir(path);
    } catch (e) {
      await c.perror(path, e);
      w.status = 1;
    }
    for (const n of entries) if (await walk(c, expr, w, joinName(path, n), depth + 1, names)) return true;
  }
  if (w.depthFirst) await act();
  return v.quit;
}

function hasAction(n: Node): boolean {
  if (n.kind === 'and' || n.kind === 'or') return hasAction(n.l) || hasAction(n.r);
  if (n.kind === 'not') return hasAction(n.e);
  return ['print', 'print0', 'exec', 'delete', 'quit'].includes(n.kind);
}

export const find = applet('find', async (c) => {
  const argv = c.p.argv.slice(1);
  const w: Walk = { maxdepth: Infinity, mindepth: 0, depthFirst: false, follow: false, status: 0 };
  while (argv[0] === '-L' || argv[0] === '-H' || argv[0] === '-follow') if (argv.shift() === '-L') w.follow = true;
  const paths: string[] = [];
  while (argv.length > 0 && !argv[0]!.startsWith('-') && argv[0] !== '!' && argv[0] !== '(') paths.push(argv.shift()!);
  const parsed = parseFind(argv, w);
  if (typeof parsed === 'string') {
    if (parsed.startsWith('unrecognized')) {
      await c.error(parsed);
      return c.usage();
    }
    await c.error(parsed);
    return 1;
  }
  const names = new Names(c);
  for (const p of paths.length > 0 ? paths : ['.']) if (await walk(c, parsed, w, p, 0, names)) break;
  if (parsed) await flushExecPlus(c, parsed);
  return w.status;
});

async function flushExecPlus(c: Ctx, n: Node): Promise<void> {
  if (n.kind === 'and' || n.kind === 'or') {
    await flushExecPlus(c, n.l);
    await flushExecPlus(c, n.r);
  } else if (n.kind === 'not') await flushExecPlus(c, n.e);
  else if (n.kind === 'exec' && n.plus && n.pending.length > 0) {
    await runCommand(c, [...n.argv.slice(0, -1), ...n.pending]);
    n.pending = [];
  }
}
