/**
 * The model kernel: it runs Programs in the process table (process.ts) and gives each the
 * ProcessContext of program.ts. The engine starts a container's first process with `start`, signals
 * it from outside with `kill`, lists a namespace for `docker top`; programs do the rest through
 * their `sys`.
 *
 * What a file runs as: execve of a path checks the file (ENOENT, EACCES for a directory or no execute
 * bit), follows a `#!` line to its interpreter (binfmt_script), then asks the loader which model
 * program the file is. The default loader knows a file by its name: `busybox` is the multi-call
 * binary (the applet is argv[0]'s basename), any other name the registry holds is that program, and
 * anything else is ENOEXEC. An engine with a better way to know a binary passes its own loader.
 */
import { posix } from 'node:path';
import { FsError } from '../errors.js';
import { Clock, RealClock } from './clock.js';
import { ProcessKilled, SysError, isKilled } from './errno.js';
import { processView, type FsPort } from './fsport.js';
import { Handles } from './handles.js';
import { PidNamespace, Proc, type Uts } from './process.js';
import type {
  Credentials,
  Disposition,
  ExecRequest,
  ExitCode,
  Program,
  ProgramRegistry,
  ProcessContext,
  ReadStream,
  SpawnRequest,
  System,
  WaitStatus,
  WriteStream,
} from './program.js';
import { X_OK } from './program.js';
import type { Sink, Source } from './stream.js';

/** Which program a file is; null if the model has none for it (execve then fails with ENOEXEC). */
export type Loader = (file: { path: string; argv: readonly string[]; fs: FsPort }) => Promise<Program | null>;

export interface KernelOptions {
  programs: ProgramRegistry;
  clock?: Clock;
  loader?: Loader;
  /** A program that threw something other than ProcessKilled: a model bug. Default: print and exit 255. */
  onCrash?: (argv: readonly string[], err: unknown) => void;
}

/** What the engine gives the first process of a container (or of `docker exec`). */
export interface StartRequest extends ExecRequest {
  ns: PidNamespace;
  env: ReadonlyMap<string, string>;
  cwd: string;
  cred: Credentials;
  fs: FsPort;
  uts: Uts;
  stdin: Source;
  stdout: Sink;
  stderr: Sink;
}

export class Kernel {
  readonly clock: Clock;
  readonly programs: ProgramRegistry;
  readonly hostNs = new PidNamespace(null);
  private readonly loader: Loader;
  private readonly onCrash: (argv: readonly string[], err: unknown) => void;

  constructor(opts: KernelOptions) {
    this.clock = opts.clock ?? new RealClock();
    this.programs = opts.programs;
    this.loader = opts.loader ?? nameLoader(opts.programs);
    this.onCrash = opts.onCrash ?? (() => {});
  }

  /** A new PID namespace (CLONE_NEWPID) under `parent`; its first process will be its PID 1. */
  newPidNamespace(parent: PidNamespace = this.hostNs): PidNamespace {
    if (parent.level >= 32) throw new SysError('EAGAIN', 'clone'); // nesting limit: 32 levels
    return new PidNamespace(parent);
  }

  /** Starts a process with no parent in the table (the shim's child): its exit is `proc.exited`. */
  async start(req: StartRequest): Promise<Proc> {
    const program = await this.resolve(req.fs, req.cwd, req);
    if (req.ns.dead) throw new SysError('EAGAIN', 'fork');
    const proc = new Proc({
      ns: req.ns,
      parent: null,
      argv: program.argv,
      env: new Map(req.env),
      cwd: req.cwd,
      cred: req.cred,
      fs: req.fs,
      uts: req.uts,
      startTime: this.clock.now(),
    });
    const h = new Handles(proc);
    this.run(proc, program.program, {
      stdin: h.holdSource(req.stdin),
      stdout: h.holdSink(req.stdout),
      stderr: h.holdSink(req.stderr),
    }, h);
    return proc;
  }

  /** kill(2) from the host side (the engine: docker kill/stop), by host pid. */
  kill(hostPid: number, sig: number): void {
    const p = this.hostNs.procs.get(hostPid);
    if (!p || p.state === 'reaped') throw new SysError('ESRCH', 'kill');
    p.deliver(sig, null);
  }

  /**
   * The program a request runs, after execve's checks; argv becomes the interpreter's for a script.
   * Throws FsError ENOENT/EACCES, SysError ENOEXEC.
   */
  async resolve(fs: FsPort, cwd: string, req: ExecRequest, depth = 0): Promise<{ program: Program; argv: string[] }> {
    const argv = [...req.argv];
    if (req.applet !== undefined) {
      const program = this.programs.get(req.applet);
      if (!program) throw new FsError('ENOENT', req.applet, 'execve');
      return { program, argv };
    }
    const path = posix.resolve(cwd, req.path ?? '');
    const st = await fs.stat(path);
    if (st.type !== 'file') throw new FsError('EACCES', path, 'execve');
    await fs.access(path, X_OK);
    const program = await this.loader({ path, argv, fs });
    if (program) return { program, argv };
    const head = await readHead(fs, path);
    if (head.startsWith('#!') && depth < 4) {
      // binfmt_script: `#!interp [one argument]`, then the script's path and the original arguments.
      const line = head.slice(2).split('\n')[0]!.trim();
      const sp = line.search(/[ \t]/);
      const interp = sp < 0 ? line : line.slice(0, sp);
      const arg = sp < 0 ? '' : line.slice(sp).trim();
      const next = [interp, ...(arg ? [arg] : []), req.path ?? path, ...argv.slice(1)];
      return this.resolve(fs, cwd, { path: interp, argv: next }, depth + 1);
    }
    throw new SysError('ENOEXEC', path);
  }

  /** Runs `program` as the current image of `proc`; the process dies with what it returns. */
  run(
    proc: Proc,
    program: Program,
    stdio: { stdin: ReadStream; stdout: WriteStream; stderr: WriteStream },
    handles: Handles,
  ): Promise<ExitCode> {
    const image = proc.image;
    const ctx = this.context(proc, image, stdio, handles);
    return program(ctx).then(
      (code) => {
        if (proc.alive && proc.image === image) proc.die({ code: code & 0xff });
        return code & 0xff;
      },
      (err) => {
        if (isKilled(err) || !proc.alive || proc.image !== image) return proc.status ? codeOf(proc.status) : 0;
        this.onCrash(proc.argv, err);
        void stdio.stderr.write(`${proc.argv[0] ?? '?'}: ${err instanceof Error ? err.message : String(err)}\n`).catch(() => {});
        proc.die({ code: 255 });
        return 255;
      },
    );
  }

  private context(
    proc: Proc,
    image: number,
    stdio: { stdin: ReadStream; stdout: WriteStream; stderr: WriteStream },
    handles: Handles,
  ): ProcessContext {
    const view = processView(proc.fs, {
      get cwd() {
        return proc.cwd;
      },
      holdSource: (s) => handles.holdSource(s, image),
      holdSink: (s) => handles.holdSink(s, image),
    });
    return {
      argv: proc.argv,
      env: proc.env,
      get cwd() {
        return proc.cwd;
      },
      cred: proc.cred,
      stdin: stdio.stdin,
      stdout: stdio.stdout,
      stderr: stdio.stderr,
      fs: view,
      sys: new Sys(this, proc, image, handles, stdio),
    };
  }

  /** A child of `parent` (fork), not yet running anything. */
  fork(parent: Proc, over: { argv?: readonly string[]; env?: ReadonlyMap<string, string>; cwd?: string; ignore?: readonly number[] }): Proc {
    if (parent.ns.dead) throw new SysError('EAGAIN', 'fork');
    const dispositions = [...parent.dispositions];
    for (const s of over.ignore ?? []) dispositions[s] = 'ignore';
    return new Proc({
      ns: parent.ns,
      parent,
      argv: over.argv ?? parent.argv,
      env: new Map(over.env ?? parent.env),
      cwd: over.cwd ?? parent.cwd,
      cred: parent.cred,
      fs: parent.fs,
      uts: parent.uts,
      startTime: this.clock.now(),
      dispositions,
      pgid: parent.pgid,
    });
  }
}

function codeOf(s: WaitStatus): number {
  return 'code' in s ? s.code : 128 + s.signal;
}

async function readHead(fs: FsPort, path: string): Promise<string> {
  const src = await fs.openRead(path);
  try {
    const b = await src.read(256);
    return b ? Buffer.from(b).toString('latin1') : '';
  } finally {
    src.close();
  }
}

/**
 * The default loader: a file runs as the program its name says. `busybox` (whatever its bytes; the
 * images' stand-in is a text file) dispatches on argv[0] as the multi-call binary does; a file with
 * another known name runs as that program unless it is a `#!` script, which the kernel follows.
 */
export function nameLoader(programs: ProgramRegistry): Loader {
  return async ({ path, argv, fs }) => {
    const base = posix.basename(path);
    if (base === 'busybox') {
      const called = posix.basename(argv[0] ?? '');
      return programs.get(programs.has(called) ? called : 'busybox') ?? null;
    }
    if (!programs.has(base) || (await readHead(fs, path)).startsWith('#!')) return null;
    return programs.get(base) ?? null;
  };
}

/** One process's `sys`, bound to the program image it was made for. */
class Sys implements System {
  constructor(
    private readonly k: Kernel,
    private readonly p: Proc,
    private readonly image: number,
    private readonly handles: Handles,
    private readonly stdio: { stdin: ReadStream; stdout: WriteStream; stderr: WriteStream },
  ) {}

  get pid(): number {
    return this.p.pidIn(this.p.ns);
  }
  get ppid(): number {
    return this.p.parent ? this.p.parent.pidIn(this.p.ns) : 0;
  }
  hostname(): string {
    return this.p.uts.hostname;
  }
  now(): number {
    return this.k.clock.now();
  }
  sleep(ms: number): Promise<void> {
    return this.p.block(this.image, true, (abort) => {
      return new Promise<void>((resolve, reject) => {
        const cancel = this.k.clock.setTimer(ms, () => {
          abort.removeEventListener('abort', onAbort);
          resolve();
        });
        const onAbort = () => {
          cancel();
          reject(abort.reason);
        };
        abort.addEventListener('abort', onAbort, { once: true });
      });
    });
  }
  pipe(): [ReadStream, WriteStream] {
    this.p.check(this.image);
    return this.handles.pipe(this.image);
  }

  async spawn(req: SpawnRequest): Promise<number> {
    await this.p.enter(this.image);
    const r = await this.k.resolve(this.p.fs, this.p.cwd, req);
    const child = this.k.fork(this.p, { argv: r.argv, env: req.env, cwd: req.cwd, ignore: req.ignore });
    child.resetForExec();
    this.startChild(child, r.program, req);
    return child.pidIn(this.p.ns);
  }

  async fork(body: Program, stdio: { stdin?: ReadStream; stdout?: WriteStream; stderr?: WriteStream } = {}): Promise<number> {
    await this.p.enter(this.image);
    const child = this.k.fork(this.p, {});
    this.startChild(child, body, stdio);
    return child.pidIn(this.p.ns);
  }

  private startChild(
    child: Proc,
    program: Program,
    s: { stdin?: ReadStream; stdout?: WriteStream; stderr?: WriteStream },
  ): void {
    const h = new Handles(child);
    const stdio = {
      stdin: h.dupRead(s.stdin ?? this.stdio.stdin),
      stdout: h.dupWrite(s.stdout ?? this.stdio.stdout),
      stderr: h.dupWrite(s.stderr ?? this.stdio.stderr),
    };
    void this.k.run(child, program, stdio, h);
  }

  hasApplet(name: string): boolean {
    return this.k.programs.has(name);
  }

  async exec(req: ExecRequest & { stdin?: ReadStream; stdout?: WriteStream; stderr?: WriteStream }): Promise<ExitCode> {
    await this.p.enter(this.image);
    const r = await this.k.resolve(this.p.fs, this.p.cwd, req);
    const h = this.handles;
    const stdio = {
      stdin: req.stdin && req.stdin !== this.stdio.stdin ? h.dupRead(req.stdin) : this.stdio.stdin,
      stdout: req.stdout && req.stdout !== this.stdio.stdout ? h.dupWrite(req.stdout) : this.stdio.stdout,
      stderr: req.stderr && req.stderr !== this.stdio.stderr ? h.dupWrite(req.stderr) : this.stdio.stderr,
    };
    this.p.resetForExec();
    this.p.argv = r.argv;
    if (req.env) this.p.env = new Map(req.env);
    return this.k.run(this.p, r.program, stdio, h);
  }

  wait(pid: number): Promise<{ pid: number; status: WaitStatus }> {
    return this.p.block(this.image, true, async (abort) => {
      const aborted = abortPromise(abort);
      aborted.catch(() => {});
      for (;;) {
        const got = this.poll(pid);
        if (got) return got;
        await Promise.race([this.p.childEvents.next, aborted]);
      }
    });
  }

  poll(pid: number): { pid: number; status: WaitStatus } | null {
    this.p.check(this.image);
    const mine = [...this.p.children].filter((c) => pid === -1 || c.pidIn(this.p.ns) === pid);
    if (mine.length === 0) throw new SysError('ECHILD', 'wait');
    const z = mine.find((c) => c.state === 'zombie');
    if (!z) return null;
    const out = { pid: z.pidIn(this.p.ns), status: z.status! };
    z.reap();
    return out;
  }

  kill(pid: number, sig: number): void {
    this.p.check(this.image);
    if (sig < 0 || sig >= 32) throw new SysError('EINVAL', 'kill');
    const ns = this.p.ns;
    let targets: Proc[];
    if (pid > 0) {
      const t = ns.procs.get(pid);
      targets = t && t.state !== 'reaped' ? [t] : [];
    } else if (pid === -1) {
      targets = [...ns.procs.values()].filter((t) => t !== this.p && t.pidIn(ns) !== 1 && t.alive);
    } else {
      const pg = pid === 0 ? this.p.pgid : ns.procs.get(-pid)?.hostPid;
      targets = [...ns.procs.values()].filter((t) => t.pgid === pg && t.state !== 'reaped');
    }
    if (targets.length === 0) throw new SysError('ESRCH', 'kill');
    for (const t of targets) t.deliver(sig, ns);
    // A signal to oneself is delivered before kill(2) returns (kernel/signal.c); a catching caller sees it at its next check.
    if (!this.p.alive) throw this.p.killedError();
  }

  setDisposition(sig: number, d: Disposition): void {
    this.p.check(this.image);
    this.p.setDisposition(sig, d);
  }
  disposition(sig: number): Disposition {
    return this.p.dispositions[sig] ?? 'default';
  }
  takeSignals(): number[] {
    this.p.check(this.image);
    const out = this.p.caught;
    this.p.caught = [];
    return out;
  }

  async chdir(path: string): Promise<void> {
    await this.p.enter(this.image);
    const abs = posix.resolve(this.p.cwd, path);
    const st = await this.p.fs.stat(abs);
    if (st.type !== 'dir') throw new FsError('ENOTDIR', path, 'chdir');
    await this.p.fs.access(abs, X_OK);
    this.p.cwd = abs;
  }

  processes() {
    this.p.check(this.image);
    return [...this.p.ns.procs.values()]
      .filter((t) => t.state !== 'reaped')
      .sort((a, b) => a.pidIn(this.p.ns) - b.pidIn(this.p.ns))
      .map((t) => t.info(this.p.ns));
  }
}

function abortPromise(abort: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (abort.aborted) reject(abort.reason);
    else abort.addEventListener('abort', () => reject(abort.reason), { once: true });
  });
}

export { ProcessKilled };
