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
import { callerPort } from './current.js';
import type { Rlimits } from './rlimits.js';
import { Handles } from './handles.js';
import { Sys } from './sys.js';
import { PidNamespace, Proc, type Uts } from './process.js';
import type { Cgroup } from './cgroup.js';
import type { NsSet } from './nsids.js';
import type {
  Credentials,
  ExecRequest,
  ExitCode,
  Program,
  ProgramRegistry,
  ProcessContext,
  ReadStream,
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
  /** The container's namespaces and cgroup (the host's, none, when absent). */
  nsset?: NsSet;
  cgroup?: Cgroup | null;
  /** The container's rlimits (the daemon's with HostConfig.Ulimits over them); the daemon's when absent. */
  rlimits?: Rlimits;
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
    if (req.ns.dead || (req.cgroup && !req.cgroup.canFork())) throw new SysError('EAGAIN', 'fork');
    const proc = new Proc({
      ...(req.nsset ? { nsset: req.nsset } : {}),
      cgroup: req.cgroup ?? null,
      ...(req.rlimits ? { rlimits: req.rlimits } : {}),
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
    // execve runs the file a symlink names: /bin/sh -> /bin/busybox is busybox, called as `sh`
    const program = await this.loader({ path: await finalTarget(fs, path), argv, fs });
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
    proc.fds = [stdio.stdin, stdio.stdout, stdio.stderr];
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
    const view = processView(callerPort(proc.fs, proc), {
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
    // pids_can_fork: a cgroup at pids.max refuses the new task (the shell: "can't fork")
    if (parent.ns.dead || (parent.cgroup && !parent.cgroup.canFork())) throw new SysError('EAGAIN', 'fork');
    const dispositions = [...parent.dispositions];
    for (const s of over.ignore ?? []) dispositions[s] = 'ignore';
    return new Proc({
      ns: parent.ns,
      parent,
      argv: over.argv ?? parent.argv,
      ...(over.argv ? {} : { cmdline: parent.cmdline, comm: parent.comm }),
      env: new Map(over.env ?? parent.env),
      cwd: over.cwd ?? parent.cwd,
      cred: parent.cred,
      fs: parent.fs,
      uts: parent.uts,
      nsset: parent.nsset,
      cgroup: parent.cgroup,
      rlimits: parent.rlimits,
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

/** The file a path names once symlinks in its last component are followed (as execve does). */
async function finalTarget(fs: FsPort, path: string): Promise<string> {
  for (let hops = 0; hops < 40; hops++) {
    if ((await fs.lstat(path)).type !== 'symlink') return path;
    path = posix.resolve(posix.dirname(path), await fs.readlink(path));
  }
  throw new FsError('ELOOP', path, 'execve');
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

export { ProcessKilled };

