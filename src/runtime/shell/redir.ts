/**
 * Redirections (POSIX 2.7) over the shell's descriptor table. A command's redirections make a new
 * table for its run and close what they opened afterwards; `exec` with only redirections makes them
 * the shell's own. Here-documents go through a pipe, as ash's openhere does: written at once when
 * they fit the pipe, by a forked writer process when they do not.
 */
import { FsError } from '../../errors.js';
import { isKilled, strerror } from '../errno.js';
import { PIPE_CAPACITY, type ReadStream, type WriteStream } from '../program.js';
import type { Redir } from './ast.js';
import { Parser } from './parser.js';
import type { Fd, Shell } from './shell.js';

export class RedirError extends Error {}

/** ash's errmsg(): a missing file or directory gets its own words; other errors strerror's. */
function openMsg(e: unknown, path: string, create: boolean): string {
  const errno = e instanceof FsError ? e.errno : '';
  if (errno === 'ENOENT' || errno === 'ENOTDIR')
    return `can't ${create ? 'create' : 'open'} ${path}: ${create ? 'nonexistent directory' : 'no such file'}`;
  return `can't ${create ? 'create' : 'open'} ${path}: ${strerror(e)}`;
}

async function open(sh: Shell, r: Redir): Promise<Fd | null> {
  if (r.op === '<<' || r.op === '<<-') return heredoc(sh, r);
  const target = await sh.expander.string(r.target);
  if (r.op === '<&' || r.op === '>&') {
    if (target === '-') return null;
    const fd = /^\d+$/.test(target) ? sh.fds.get(Number(target)) : undefined;
    if (!fd) throw new RedirError(`${target}: Bad file descriptor`);
    return fd;
  }
  try {
    if (r.op === '<') return await sh.fs.openRead(target);
    if (r.op === '<>') {
      await sh.fs.openWrite(target, { create: true }).then((w) => w.close());
      return await sh.fs.openRead(target);
    }
    const exclusive = r.op === '>' && sh.opts.noclobber;
    return await sh.fs.openWrite(target, { create: true, truncate: r.op !== '>>', append: r.op === '>>', exclusive });
  } catch (e) {
    if (isKilled(e) || !(e instanceof FsError)) throw e;
    throw new RedirError(openMsg(e, target, r.op !== '<'));
  }
}

async function heredoc(sh: Shell, r: Redir): Promise<ReadStream> {
  const h = r.heredoc ?? { body: '', quoted: true };
  const text = h.quoted ? h.body : await sh.expander.string(Parser.heredoc(h.body));
  const [rd, wr] = sh.ctx.sys.pipe();
  const bytes = Buffer.from(text);
  if (bytes.length <= PIPE_CAPACITY) {
    await wr.write(bytes);
    wr.close();
  } else {
    await sh.ctx.sys.fork(
      async (c) => {
        await c.stdout.write(bytes);
        return 0;
      },
      { stdout: wr },
    );
    wr.close();
  }
  return rd;
}

/** Applies redirections to a copy of the table; the streams opened are returned for closing. */
export async function applyRedirs(sh: Shell, redirs: readonly Redir[]): Promise<{ table: Map<number, Fd>; opened: Fd[] }> {
  const table = new Map(sh.fds);
  const opened: Fd[] = [];
  const saved = sh.fds;
  try {
    for (const r of redirs) {
      // Each redirection sees the ones before it (2>&1 after >f duplicates the file).
      sh.fds = table;
      const s = await open(sh, r);
      if (s === null) table.delete(r.fd);
      else {
        table.set(r.fd, s);
        if (r.op !== '<&' && r.op !== '>&') opened.push(s);
      }
    }
  } catch (e) {
    for (const s of opened) s.close();
    throw e;
  } finally {
    sh.fds = saved;
  }
  return { table, opened };
}

/**
 * Runs `fn` with the redirections in place. A redirection that fails is reported and gives status 1,
 * and `fn` does not run. `permanent` (exec without a command) keeps them.
 */
export async function withRedirs(sh: Shell, redirs: readonly Redir[], permanent: boolean, fn: () => Promise<number>): Promise<number> {
  let applied;
  try {
    applied = await applyRedirs(sh, redirs);
  } catch (e) {
    if (e instanceof RedirError) {
      await sh.error(e.message);
      return 1;
    }
    throw e;
  }
  if (permanent) {
    sh.fds = applied.table;
    return fn();
  }
  const saved = sh.fds;
  sh.fds = applied.table;
  try {
    return await fn();
  } finally {
    sh.fds = saved;
    for (const s of applied.opened) s.close();
  }
}

export function stdio(sh: Shell): { stdin?: ReadStream; stdout?: WriteStream; stderr?: WriteStream } {
  return {
    stdin: sh.fds.get(0) as ReadStream | undefined,
    stdout: sh.fds.get(1) as WriteStream | undefined,
    stderr: sh.fds.get(2) as WriteStream | undefined,
  };
}
