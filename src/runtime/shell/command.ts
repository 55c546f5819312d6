/**
 * A simple command, as ash's evalcommand runs it: expand the words, then find the command in
 * POSIX's order (special builtin, function, builtin, then busybox's applets, which ash's
 * FEATURE_SH_STANDALONE runs without a file, then $PATH), apply the redirections and the prefix
 * assignments (kept for special builtins, for the command only otherwise), and run it. An external
 * command is a child process the shell waits for, or, as a process's last command with no trap set,
 * the process itself (exec).
 */
import { FsError } from '../../errors.js';
import { SysError, isKilled, isSysErrno } from '../errno.js';
import { statusCode, type ExecRequest, type WaitStatus } from '../program.js';
import { SIGINT, SIGPIPE } from '../signals.js';
import type { Node } from './ast.js';
import { BUILTINS, SPECIAL_BUILTINS } from './builtins.js';
import { ShellError } from './expand.js';
import { RedirError, applyRedirs, stdio, withRedirs } from './redir.js';
import { NOEXEC_APPLETS } from '../busybox/noexec.js';
import { ExitShell } from './control.js';
import type { Shell } from './shell.js';

const EV_EXIT = 1;
import { strsignal } from './strsignal.js';

type Simple = Node & { type: 'simple' };

export const DEFAULT_PATH = '/sbin:/usr/sbin:/bin:/usr/bin';

export async function runCommand(sh: Shell, n: Simple, flags: number): Promise<number> {
  sh.lineno = sh.lineOf(n.line);
  sh.substStatus = null;
  const argv = await sh.expander.fields(n.words);
  const assigns: [string, string][] = [];
  for (const a of n.assigns) assigns.push([a.name, await sh.expander.string(a.value)]);
  if (sh.opts.xtrace) await trace(sh, assigns, argv);

  if (argv.length === 0) {
    for (const [k, v] of assigns) sh.setVar(k, v);
    const st = sh.substStatus ?? 0;
    return redirectOnly(sh, n, st);
  }
  const name = argv[0]!;
  const special = SPECIAL_BUILTINS.has(name) ? BUILTINS.get(name) : undefined;
  if (special) {
    for (const [k, v] of assigns) sh.setVar(k, v);
    return runBuiltin(sh, n, name, argv, true);
  }
  const fn = sh.funcs.get(name);
  if (fn) return withTempVars(sh, assigns, () => withCmdRedirs(sh, n, () => sh.callFunction(fn, name, argv.slice(1), n.line)));
  if (BUILTINS.has(name)) return withTempVars(sh, assigns, () => runBuiltin(sh, n, name, argv, false));
  return withCmdRedirs(sh, n, () => external(sh, argv, assigns, flags));
}

async function trace(sh: Shell, assigns: [string, string][], argv: string[]): Promise<void> {
  const ps4 = sh.vars.get('PS4') ?? '+ ';
  const words = [...assigns.map(([k, v]) => `${k}=${quoteTrace(v)}`), ...argv.map(quoteTrace)];
  await sh.write(2, ps4 + words.join(' ') + '\n');
}

function quoteTrace(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'"'"'`)}'`;
}

async function redirectOnly(sh: Shell, n: Simple, status: number): Promise<number> {
  if (n.redirs.length === 0) return status;
  return withCmdRedirs(sh, n, async () => status);
}

async function withCmdRedirs(sh: Shell, n: Simple, fn: () => Promise<number>): Promise<number> {
  if (n.redirs.length === 0) return fn();
  let applied;
  try {
    applied = await applyRedirs(sh, n.redirs);
  } catch (e) {
    if (e instanceof RedirError) {
      await sh.error(e.message);
      return 1;
    }
    throw e;
  }
  const saved = sh.fds;
  sh.fds = applied.table;
  try {
    return await fn();
  } finally {
    if (sh.fds === applied.table) sh.fds = saved;
    for (const s of applied.opened) s.close();
  }
}

/** Prefix assignments for a function or regular builtin: set for its run, then restored (ash mklocal). */
async function withTempVars(sh: Shell, assigns: [string, string][], fn: () => Promise<number>): Promise<number> {
  if (assigns.length === 0) return fn();
  sh.vars.pushFrame();
  try {
    for (const [k, v] of assigns) {
      sh.vars.makeLocal(k);
      sh.vars.export(k, v);
    }
    return await fn();
  } finally {
    sh.vars.popFrame();
  }
}

async function runBuiltin(sh: Shell, n: Simple, name: string, argv: string[], special: boolean): Promise<number> {
  const impl = BUILTINS.get(name)!;
  // `exec` without a command makes its redirections the shell's own (`exec 3>f`, `exec 3>&-`)
  if (name === 'exec' && argv.length < 2) return withRedirs(sh, n.redirs, true, async () => 0);
  return withCmdRedirs(sh, n, async () => {
    const savedName = sh.commandname;
    sh.commandname = name;
    try {
      return await impl(sh, argv);
    } catch (e) {
      if (e instanceof ShellError) {
        await sh.error(e.message);
        // A special builtin's error ends a non-interactive shell (POSIX 2.8.1).
        if (special) throw new ExitShell(e.status);
        return e.status;
      }
      if (isSysErrno(e, 'EPIPE')) return 1;
      throw e;
    } finally {
      sh.commandname = savedName;
    }
  });
}


/** Where a command name leads: an applet, a file found on $PATH or named by a path, or an error. */
export async function findCommand(sh: Shell, name: string): Promise<{ req: Omit<ExecRequest, 'argv'> } | { error: string; status: number }> {
  if (name.includes('/')) return { req: { path: name } };
  if (sh.ctx.sys.hasApplet(name)) return { req: { applet: name } };
  const path = sh.vars.get('PATH') ?? DEFAULT_PATH;
  let denied = false;
  for (const dir of path.split(':')) {
    const full = `${dir === '' ? '.' : dir}/${name}`;
    try {
      const st = await sh.fs.stat(full);
      if (st.type !== 'file') continue;
      if ((st.mode & 0o111) === 0) {
        denied = true;
        continue;
      }
      return { req: { path: full } };
    } catch (e) {
      if (isKilled(e)) throw e;
    }
  }
  return denied ? { error: `${name}: Permission denied`, status: 126 } : { error: `${name}: not found`, status: 127 };
}

/**
 * A fork the kernel refused (EAGAIN: the cgroup's pids.max) is fatal to a script, as ash's
 * forkshell raises it: `sh: can't fork: Resource temporarily unavailable`, status 2 (measured).
 */
export function forkFailure(e: unknown): never {
  if (e instanceof SysError && e.errno === 'EAGAIN') throw new ShellError(`can't fork: ${e.message.replace(/^.*: /, '')}`);
  throw e;
}

/** The message and status for an execve that failed (ash's shellexec: 126 for EACCES, else 127). */
export function execFailure(name: string, e: unknown): { error: string; status: number } {
  if (e instanceof SysError && e.errno === 'EAGAIN') forkFailure(e);
  if (e instanceof FsError && e.errno === 'EACCES') return { error: `${name}: Permission denied`, status: 126 };
  if (e instanceof FsError && (e.errno === 'ENOENT' || e.errno === 'ENOTDIR')) return { error: `${name}: not found`, status: 127 };
  if (e instanceof SysError && e.errno === 'ENOEXEC') return { error: `${name}: cannot execute binary file: the model has no program for it`, status: 126 };
  throw e;
}

async function external(sh: Shell, argv: string[], assigns: [string, string][], flags: number): Promise<number> {
  const name = argv[0]!;
  const found = await findCommand(sh, name);
  if ('error' in found) {
    await sh.error(found.error);
    return found.status;
  }
  const env = sh.vars.environ();
  for (const [k, v] of assigns) env.set(k, v);
  const req = { ...found.req, argv, env };
  const sys = sh.ctx.sys;
  try {
    if (flags & EV_EXIT && !sh.mayHaveTraps) return await sys.exec({ ...req, noexec: runsInProcess(req), ...stdio(sh) });
    const pid = await sys.spawn({ ...req, noexec: runsInProcess(req), ...stdio(sh) });
    return await waitForeground(sh, [pid]);
  } catch (e) {
    if (isKilled(e)) throw e;
    const f = execFailure(name, e);
    await sh.error(f.error);
    return f.status;
  }
}

/** Whether ash runs this command in its own process rather than execve'ing (a NOEXEC applet by name). */
export function runsInProcess(req: { applet?: string }): boolean {
  return req.applet !== undefined && NOEXEC_APPLETS.has(req.applet);
}

/** `command NAME ARGS`: a builtin or an external command, never a function. */
export async function runByName(sh: Shell, argv: string[]): Promise<number> {
  const b = BUILTINS.get(argv[0]!);
  if (b) return b(sh, argv);
  return external(sh, argv, [], 0);
}

/** ash's waitforjob: waits (through caught signals) for every process; the status is the last one's. */
export async function waitForeground(sh: Shell, pids: number[]): Promise<number> {
  let last: WaitStatus = { code: 0 };
  for (const pid of pids) {
    let st: WaitStatus;
    for (;;) {
      try {
        st = (await sh.ctx.sys.wait(pid)).status;
        break;
      } catch (e) {
        if (isSysErrno(e, 'EINTR')) continue;
        throw e;
      }
    }
    if (pid === pids[pids.length - 1]) last = st;
  }
  sh.jobs.reapFinished();
  if ('signal' in last && last.signal !== SIGINT && last.signal !== SIGPIPE) {
    const text = strsignal(last.signal);
    await sh.write(2, text + '\n').catch((e) => {
      if (isKilled(e)) throw e;
    });
  }
  return statusCode(last);
}
