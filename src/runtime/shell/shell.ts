/**
 * The shell interpreter: busybox ash's evaltree (shell/ash.c) over the parse tree. Control flow
 * follows ash's flags: EV_TESTED marks a command whose failure `set -e` ignores (if and loop
 * conditions, the left of && and ||, a negated pipeline); EV_EXIT marks the last command of a
 * process, after which the shell ends, and which, when it is an external command and no trap is
 * set, is exec'd in place of the shell (so `sh -c 'sleep 3600'` makes sleep PID 1, as Docker shows).
 * Traps run between commands (ash's dotrap at the start and end of each evaltree).
 */
import { isKilled, isSysErrno } from '../errno.js';
import type { ProcessContext, ReadStream, WriteStream } from '../program.js';
import type { Node } from './ast.js';
import { runCommand } from './command.js';
import { Expander, ShellError, type ExpandHost } from './expand.js';
import { matchPattern } from './glob.js';
import { Jobs } from './jobs.js';
import { ShellSyntaxError, Parser } from './parser.js';
import { withRedirs } from './redir.js';
import { Vars, ReadonlyError } from './vars.js';
import { BreakLoop, ContinueLoop, ExitShell, Interrupted, ReturnFn } from './control.js';
import { SIGINT } from '../signals.js';
import type { Redir } from './ast.js';

export { BreakLoop, ContinueLoop, ExitShell, ReturnFn };

/** ash's evaltree flags. */
export const EV_EXIT = 1;
export const EV_TESTED = 2;

export interface ShellOpts {
  errexit: boolean;
  nounset: boolean;
  xtrace: boolean;
  noglob: boolean;
  noclobber: boolean;
  noexec: boolean;
}

export type Fd = ReadStream | WriteStream;

export class Shell implements ExpandHost {
  vars: Vars;
  params: string[];
  arg0: string;
  status = 0;
  lastBg: number | undefined;
  funcs = new Map<string, Node>();
  opts: ShellOpts = { errexit: false, nounset: false, xtrace: false, noglob: false, noclobber: false, noexec: false };
  /** Trap actions by signal number; 0 is EXIT. '' means ignore. */
  traps = new Map<number, string>();
  fds = new Map<number, Fd>();
  readonly jobs: Jobs;
  readonly expander: Expander;
  /** Named in error messages after arg0 (a builtin's name, or the script's). */
  commandname: string | null = null;
  lineno = 0;
  funcline = 0;
  loopDepth = 0;
  funcDepth = 0;
  /** The status before the running trap, which `exit` without an argument returns. */
  savedStatus: number | null = null;
  /** Status of the last command substitution of the command being expanded. */
  substStatus: number | null = null;
  /** Files this shell can run as scripts with `.`; 'c' for `sh -c`. */
  mode: 'c' | 'file' | 'stdin' = 'c';
  /** Interactive (ash's iflag): SIGINT without a trap abandons the line instead of ending the shell. */
  iflag = false;
  /** The file mode creation mask `umask` shows and sets. */
  umask = 0o022;
  /** getopts' position inside a group of option letters (ash's optoff). */
  optSub = 0;

  constructor(
    public ctx: ProcessContext,
    init: { arg0: string; params: string[]; vars?: Vars },
  ) {
    this.arg0 = init.arg0;
    this.params = init.params;
    this.shellPid = ctx.sys.pid;
    this.vars = init.vars ?? Vars.fromEnv(ctx.env);
    if (!init.vars) {
      // ash's init: IFS and OPTIND take their defaults whatever the environment said (an exported
      // one stays exported), SHLVL counts one more shell, PPID is set, PWD exported
      this.vars.set('IFS', ' \t\n');
      this.vars.set('OPTIND', '1');
      this.vars.export('SHLVL', String((Number.parseInt(this.vars.get('SHLVL') ?? '', 10) || 0) + 1));
      this.vars.set('PPID', String(ctx.sys.ppid));
      if (!this.vars.isSet('PWD')) this.vars.export('PWD', ctx.cwd);
    }
    this.fds.set(0, ctx.stdin).set(1, ctx.stdout).set(2, ctx.stderr);
    this.jobs = new Jobs(this);
    this.expander = new Expander(this);
  }

  // --- ExpandHost ---------------------------------------------------------------------------------
  /** $$: the pid of the shell the user started; a subshell keeps its parent's (POSIX 2.5.2). */
  shellPid: number;
  get pid(): number {
    return this.shellPid;
  }
  get fs() {
    return this.ctx.fs;
  }
  get nounset(): boolean {
    return this.opts.nounset;
  }
  get noglob(): boolean {
    return this.opts.noglob;
  }
  get optFlags(): string {
    const o = this.opts;
    return (o.errexit ? 'e' : '') + (o.noglob ? 'f' : '') + (o.nounset ? 'u' : '') + (o.xtrace ? 'x' : '') + (o.noclobber ? 'C' : '') + (this.mode === 'c' ? 'c' : '') + (this.mode === 'stdin' ? 's' : '');
  }
  commandSubst(body: Node | null): Promise<string> {
    return this.jobs.commandSubst(body);
  }

  /** A copy of this shell for a forked child: its own variables, fds of its own process, traps cleared. */
  forkFor(ctx: ProcessContext): Shell {
    const s = new Shell(ctx, { arg0: this.arg0, params: [...this.params], vars: this.vars.clone() });
    s.shellPid = this.shellPid;
    s.funcs = new Map(this.funcs);
    s.opts = { ...this.opts };
    s.status = this.status;
    s.lastBg = this.lastBg;
    s.mode = this.mode;
    s.commandname = this.commandname;
    s.lineno = this.lineno;
    s.funcline = this.funcline;
    s.funcDepth = this.funcDepth;
    s.loopDepth = this.loopDepth;
    // ash's forkchild: a child of an interactive shell takes ^C as any process does
    if (this.iflag && !this.traps.has(SIGINT)) ctx.sys.setDisposition(SIGINT, 'default');
    // ash's clear_traps: a subshell keeps ignored signals ignored; caught ones go back to default.
    for (const [sig, action] of this.traps) {
      if (action === '') s.traps.set(sig, '');
      else if (sig !== 0) ctx.sys.setDisposition(sig, 'default');
    }
    return s;
  }

  // --- output and errors --------------------------------------------------------------------------

  async write(fd: number, text: string): Promise<void> {
    const s = this.fds.get(fd) as WriteStream | undefined;
    if (!s || !('write' in s)) return;
    await s.write(text);
  }
  /** ash's ash_vmsg: `arg0: [commandname: ][line N: ]message`. */
  errPrefix(line = this.lineno): string {
    let s = `${this.arg0}: `;
    if (this.commandname) {
      if (this.commandname !== this.arg0) s += `${this.commandname}: `;
      s += `line ${line}: `;
    }
    return s;
  }
  async error(msg: string): Promise<void> {
    await this.write(2, this.errPrefix() + msg + '\n').catch((e) => {
      if (isKilled(e)) throw e;
    });
  }

  // --- running -----------------------------------------------------------------------------------

  /** Runs a script text as ash's evalstring does: one command line parsed and run at a time. */
  async evalString(src: string, flags = 0, firstLine?: number): Promise<number> {
    const parser = new Parser(src, firstLine ?? (this.mode === 'c' ? 0 : 1));
    let status = 0;
    for (;;) {
      let r;
      try {
        r = parser.next();
      } catch (e) {
        if (e instanceof ShellSyntaxError) {
          await this.error(e.message);
          this.status = 2;
          throw new ExitShell(2, true);
        }
        throw e;
      }
      if (!r) break;
      if (!r.node) continue;
      status = await this.run(r.node, r.eof ? flags : flags & ~EV_EXIT);
    }
    return status;
  }

  /** Caught signals taken from the kernel early (by `wait`), still to be handled. */
  deferredSignals: number[] = [];

  async dotrap(): Promise<void> {
    const taken = [...this.deferredSignals, ...this.ctx.sys.takeSignals()];
    this.deferredSignals = [];
    const sigs = [...new Set(taken)].sort((a, b) => a - b);
    for (const sig of sigs) {
      const action = this.traps.get(sig);
      if (sig === SIGINT && this.iflag && action === undefined) throw new Interrupted();
      if (!action) continue;
      const saved = this.status;
      const prevSaved = this.savedStatus;
      this.savedStatus = saved;
      try {
        await this.evalString(action);
      } finally {
        this.savedStatus = prevSaved;
      }
      this.status = saved;
    }
  }

  get mayHaveTraps(): boolean {
    for (const [, a] of this.traps) if (a !== '') return true;
    return false;
  }

  async run(n: Node, flags: number): Promise<number> {
    await this.dotrap();
    let status = 0;
    let checkexit = false;
    switch (n.type) {
      case 'simple':
        status = await runCommand(this, n, flags);
        checkexit = !(flags & EV_TESTED);
        break;
      case 'pipe':
        // `! cmd` is ash's NNOT around the command itself, which runs in this shell; only a real
        // pipeline forks.
        if (n.cmds.length === 1) status = await this.run(n.cmds[0]!, EV_TESTED);
        else status = await this.jobs.pipeline(n, n.bang ? (flags | EV_TESTED) & ~EV_EXIT : flags);
        if (n.bang) status = status === 0 ? 1 : 0;
        else checkexit = !(flags & EV_TESTED);
        break;
      case 'subshell':
        status = await this.jobs.subshell(n, flags);
        checkexit = !(flags & EV_TESTED);
        break;
      case 'bg':
        status = await this.jobs.background(n.body);
        checkexit = !(flags & EV_TESTED);
        break;
      case 'and':
      case 'or': {
        const l = await this.run(n.left, EV_TESTED);
        status = (l === 0) === (n.type === 'or') ? l : await this.run(n.right, flags);
        break;
      }
      case 'seq':
        for (let i = 0; i < n.items.length; i++)
          status = await this.run(n.items[i]!, i === n.items.length - 1 ? flags : flags & EV_TESTED);
        break;
      case 'group':
        status = n.redirs.length
          ? await withRedirs(this, n.redirs, false, () => this.run(n.body, flags & EV_TESTED))
          : await this.run(n.body, flags);
        break;
      case 'if':
        status = await this.redirected(n.redirs, flags, async (f) => {
          if ((await this.run(n.cond, EV_TESTED)) === 0) return this.run(n.then, f);
          return n.else ? this.run(n.else, f) : 0;
        });
        break;
      case 'while':
      case 'until':
        status = await this.redirected(n.redirs, flags, () => this.loop(n, flags & EV_TESTED));
        break;
      case 'for':
        status = await this.redirected(n.redirs, flags, () => this.forLoop(n, flags & EV_TESTED));
        break;
      case 'case':
        status = await this.redirected(n.redirs, flags, (f) => this.caseCmd(n, f));
        break;
      case 'func':
        this.funcs.set(n.name, n.body);
        status = 0;
        break;
    }
    this.status = status;
    await this.dotrap();
    if (checkexit && status !== 0 && this.opts.errexit) throw new ExitShell(status);
    if (flags & EV_EXIT) throw new ExitShell(status);
    return status;
  }

  private redirected(redirs: readonly Redir[], flags: number, fn: (flags: number) => Promise<number>): Promise<number> {
    if (redirs.length === 0) return fn(flags);
    return withRedirs(this, redirs, false, () => fn(flags & EV_TESTED));
  }

  private async loop(n: Node & { type: 'while' | 'until' }, flags: number): Promise<number> {
    let status = 0;
    this.loopDepth++;
    try {
      for (;;) {
        const c = await this.run(n.cond, EV_TESTED);
        if ((c === 0) !== (n.type === 'while')) break;
        const r = await this.loopBody(n.body, flags);
        if (r === 'break') break;
        if (r !== 'continue') status = r;
      }
    } finally {
      this.loopDepth--;
    }
    return status;
  }

  /**
   * One pass of a loop's body: its status, or `break`/`continue` when one of this loop's level ends
   * it (a `break N` for an outer loop goes on up).
   */
  private async loopBody(body: Node, flags: number): Promise<number | 'break' | 'continue'> {
    try {
      return await this.run(body, flags);
    } catch (e) {
      if (e instanceof BreakLoop) {
        if (--e.n > 0) throw e;
        return 'break';
      }
      if (e instanceof ContinueLoop) {
        if (--e.n > 0) throw e;
        return 'continue';
      }
      throw e;
    }
  }

  private async forLoop(n: Node & { type: 'for' }, flags: number): Promise<number> {
    this.lineno = this.lineOf(n.line);
    const items = n.items ? await this.expander.fields(n.items) : [...this.params];
    let status = 0;
    this.loopDepth++;
    try {
      for (const item of items) {
        this.setVar(n.name, item);
        const r = await this.loopBody(n.body, flags);
        if (r === 'break') break;
        if (r !== 'continue') status = r;
      }
    } finally {
      this.loopDepth--;
    }
    return status;
  }

  private async caseCmd(n: Node & { type: 'case' }, flags: number): Promise<number> {
    this.lineno = this.lineOf(n.line);
    const word = await this.expander.string(n.word);
    for (const arm of n.arms) {
      for (const p of arm.patterns) {
        if (matchPattern(await this.expander.pattern(p), word)) return arm.body ? this.run(arm.body, flags) : 0;
      }
    }
    return 0;
  }

  lineOf(line: number): number {
    return this.funcline ? line - (this.funcline - 1) : line;
  }

  setVar(name: string, value: string): void {
    try {
      this.vars.set(name, value);
    } catch (e) {
      if (e instanceof ReadonlyError) throw new ShellError(e.message);
      throw e;
    }
  }

  /** Calls a function: positional parameters and locals of its own, `return` ends it. */
  async callFunction(body: Node, name: string, args: string[], line: number): Promise<number> {
    const saved = { params: this.params, funcline: this.funcline, loopDepth: this.loopDepth };
    this.params = args;
    this.funcline = line;
    this.loopDepth = 0;
    this.funcDepth++;
    this.vars.pushFrame();
    void name;
    try {
      return await this.run(body, 0);
    } catch (e) {
      if (e instanceof ReturnFn) return e.status;
      throw e;
    } finally {
      this.vars.popFrame();
      this.funcDepth--;
      this.params = saved.params;
      this.funcline = saved.funcline;
      this.loopDepth = saved.loopDepth;
    }
  }

  /** The end of the shell: the EXIT trap, then the status. */
  async finish(status: number): Promise<number> {
    const action = this.traps.get(0);
    if (action) {
      this.traps.delete(0);
      this.status = status;
      this.savedStatus = status;
      try {
        await this.evalString(action);
      } catch (e) {
        if (e instanceof ExitShell) return e.status;
        throw e;
      }
    }
    return status;
  }

  /** Runs a whole shell program to its exit status, catching the ways a shell ends. */
  async main(body: () => Promise<number>): Promise<number> {
    let status: number;
    try {
      status = await body();
    } catch (e) {
      status = await this.ending(e);
    }
    try {
      return await this.finish(status);
    } catch (e) {
      return this.ending(e);
    }
  }

  private async ending(e: unknown): Promise<number> {
    if (e instanceof ExitShell) return e.status;
    if (e instanceof ShellError) {
      await this.error(e.message);
      return e.status;
    }
    if (e instanceof ReturnFn) return e.status;
    if (e instanceof BreakLoop || e instanceof ContinueLoop) return this.status;
    if (isSysErrno(e, 'EPIPE')) return 1;
    throw e;
  }
}
