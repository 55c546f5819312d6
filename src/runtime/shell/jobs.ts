/**
 * What the shell forks: pipeline stages, subshells, `&` jobs and command substitutions, each a
 * child process running a copy of the shell (ash's forkshell), and the background jobs it keeps for
 * `wait` and `$!`. A forked child runs its command with EV_EXIT, so an external command there
 * becomes the child itself (one process per pipeline stage, as `ps` shows under busybox).
 */
import { isKilled, isSysErrno } from '../errno.js';
import { statusCode, type ProcessContext, type ReadStream, type WriteStream } from '../program.js';
import { SIGINT, SIGPIPE, SIGQUIT } from '../signals.js';
import { strsignal } from './strsignal.js';
import type { Node } from './ast.js';
import { forkFailure, waitForeground } from './command.js';
import { BreakLoop, ContinueLoop, ReturnFn } from './control.js';
import { ShellError } from './expand.js';
import { stdio, withRedirs } from './redir.js';
import type { Shell } from './shell.js';

const EV_EXIT = 1;
const EV_TESTED = 2;

export class Jobs {
  /** Background jobs by pid: null while running, the status once reaped. */
  readonly table = new Map<number, number | null>();

  constructor(private readonly sh: Shell) {}

  /** Forks a child shell that runs `body` and ends with its status. */
  async fork(
    run: (child: Shell) => Promise<number>,
    io: { stdin?: ReadStream; stdout?: WriteStream; stderr?: WriteStream },
    setup?: (ctx: ProcessContext) => void,
  ): Promise<number> {
    const parent = this.sh;
    return parent.ctx.sys
      .fork(async (ctx) => {
        setup?.(ctx);
        const child = parent.forkFor(ctx);
        return child.main(() => run(child));
      }, io)
      .catch(forkFailure);
  }

  async pipeline(n: Node & { type: 'pipe' }, flags: number): Promise<number> {
    const sh = this.sh;
    const sys = sh.ctx.sys;
    const pids: number[] = [];
    let input = sh.fds.get(0) as ReadStream | undefined;
    const io = stdio(sh);
    for (let i = 0; i < n.cmds.length; i++) {
      const last = i === n.cmds.length - 1;
      const [r, w] = last ? [undefined, undefined] : sys.pipe();
      const cmd = n.cmds[i]!;
      pids.push(await this.fork((c) => c.run(cmd, (flags & ~EV_TESTED) | EV_EXIT), { stdin: input, stdout: w ?? io.stdout, stderr: io.stderr }));
      if (i > 0) input?.close();
      w?.close();
      input = r;
    }
    return waitForeground(sh, pids);
  }

  async subshell(n: Node & { type: 'subshell' }, flags: number): Promise<number> {
    const sh = this.sh;
    const body = (c: Shell) => (n.redirs.length ? withRedirs(c, n.redirs, false, () => c.run(n.body, flags | EV_EXIT)) : c.run(n.body, flags | EV_EXIT));
    if (flags & EV_EXIT && !sh.mayHaveTraps) {
      // ash's evalsubshell: a process's last command needs no fork to run in a subshell.
      return body(sh);
    }
    const pid = await this.fork(body, stdio(sh));
    return waitForeground(sh, [pid]);
  }

  /** `cmd &`: a child that ignores SIGINT and SIGQUIT and reads /dev/null (no job control, POSIX 2.11). */
  async background(body: Node): Promise<number> {
    const sh = this.sh;
    const [nullIn, w] = sh.ctx.sys.pipe();
    w.close();
    const io = { ...stdio(sh), stdin: nullIn };
    const pid = await this.fork((c) => c.run(body, EV_EXIT), io, (ctx) => {
      ctx.sys.setDisposition(SIGINT, 'ignore');
      ctx.sys.setDisposition(SIGQUIT, 'ignore');
    });
    nullIn.close();
    sh.lastBg = pid;
    this.table.set(pid, null);
    return 0;
  }

  async commandSubst(body: Node | null): Promise<string> {
    const sh = this.sh;
    if (!body) {
      sh.substStatus = 0;
      return '';
    }
    const [r, w] = sh.ctx.sys.pipe();
    const pid = await this.fork((c) => c.run(body, EV_EXIT), { ...stdio(sh), stdout: w });
    w.close();
    const chunks: Uint8Array[] = [];
    for (;;) {
      let b: Uint8Array | null;
      try {
        b = await r.read();
      } catch (e) {
        if (isSysErrno(e, 'EINTR')) continue;
        throw e;
      }
      if (b === null) break;
      chunks.push(b);
    }
    r.close();
    for (;;) {
      try {
        sh.substStatus = statusCode((await sh.ctx.sys.wait(pid)).status);
        break;
      } catch (e) {
        if (isSysErrno(e, 'EINTR')) continue;
        throw e;
      }
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  /**
   * The pid a job spec names (ash getjob, without job control): `%N` the Nth background job still
   * known, `%%`, `%+` and `%` the latest, `%-` the one before; undefined when there is no such job.
   */
  specPid(spec: string): number | undefined {
    const jobs = [...this.table.keys()];
    if (/^%\d+$/.test(spec)) return jobs[Number(spec.slice(1)) - 1];
    if (spec === '%' || spec === '%%' || spec === '%+') return jobs.at(-1);
    if (spec === '%-') return jobs.at(-2);
    return undefined;
  }

  /** Reaps finished background jobs, as ash's dowait(-1) does while it waits for anything. */
  reapFinished(): void {
    for (const [pid, st] of this.table) {
      if (st !== null) continue;
      try {
        const got = this.sh.ctx.sys.poll(pid);
        if (got) this.table.set(pid, statusCode(got.status));
      } catch (e) {
        if (isKilled(e)) throw e;
        this.table.delete(pid);
      }
    }
  }

  /**
   * The `wait` builtin: for the given pids or every job. A caught signal ends it at once with
   * 128+signal, the trap running after (POSIX 2.11). An unknown pid gives 127.
   */
  async wait(pids: number[] | null): Promise<number> {
    const sh = this.sh;
    const list = pids ?? [...this.table.keys()];
    let status = 0;
    for (const pid of list) {
      // ash's dowait(DOWAIT_BLOCK_OR_SIG): a trapped signal already pending ends `wait` at once.
      const pending = sh.ctx.sys.takeSignals();
      if (pending.some((s) => sh.traps.get(s))) {
        sh.deferredSignals.push(...pending);
        return 128 + pending.find((s) => sh.traps.get(s))!;
      }
      sh.deferredSignals.push(...pending);
      const known = this.table.get(pid);
      if (known !== undefined && known !== null) {
        status = known;
        this.table.delete(pid);
        continue;
      }
      try {
        const st = (await sh.ctx.sys.wait(pid)).status;
        status = statusCode(st);
        this.table.delete(pid);
        // ash's dowait prints how a job it waited for by pid ended, as for a foreground job.
        if (pids && 'signal' in st && st.signal !== SIGINT && st.signal !== SIGPIPE) await sh.write(2, strsignal(st.signal) + '\n');
      } catch (e) {
        if (isSysErrno(e, 'EINTR')) {
          // The trap runs after `wait` returns; it needs the signal, so keep it for dotrap.
          const sigs = sh.ctx.sys.takeSignals();
          sh.deferredSignals.push(...sigs);
          return 128 + (sigs[0] ?? 0);
        }
        if (isSysErrno(e, 'ECHILD')) {
          status = 127;
          continue;
        }
        throw e;
      }
    }
    // POSIX wait: with no operands, every job is waited for and the status is 0.
    return pids ? status : 0;
  }
}

export { BreakLoop, ContinueLoop, ReturnFn, ShellError };
