/**
 * The system port of one process (program.ts's System): pids, the clock, pipes, fork/exec/spawn,
 * wait, kill, dispositions and the process list, each a call into the kernel on behalf of the
 * process, refused (ProcessKilled) once the process is dead or has exec'd another image.
 */
import { HOST_NS_SET } from './nsids.js';
import { setLimit, type Resource, type Rlimit } from './rlimits.js';
import type { NetStack } from './net.js';
import { posix } from 'node:path';
import { FsError } from '../errors.js';
import { SysError } from './errno.js';
import { Handles } from './handles.js';
import type { Kernel } from './kernel.js';
import type { Proc } from './process.js';
import type {
  Disposition,
  ExecRequest,
  ExitCode,
  Program,
  ReadStream,
  SpawnRequest,
  System,
  WaitStatus,
  WriteStream,
} from './program.js';
import { X_OK } from './program.js';
import type { StatFs } from './busybox/ext.js';
import type { Connection, ListeningSocket } from './program.js';
import type { TcpEnd, TcpListener } from './tcp.js';

/** An established connection's two directions as the process's descriptors. */
function holdEnd(handles: Handles, end: TcpEnd): Connection {
  return { input: handles.holdSource(end.reader), output: handles.holdSink(end.writer), remote: end.remote };
}

/** The socket behind each descriptor, and how many descriptors (in any process) still hold it. */
const listenerOf = new WeakMap<ListeningSocket, { raw: TcpListener; refs: { n: number } }>();

/**
 * A listening socket the process holds, as a descriptor: accept blocks as the process's call, and
 * the socket closes when its last holder closes it or dies (a daemon's forked child keeps it open).
 */
function holdListener(p: Proc, image: number, handles: Handles, raw: TcpListener, refs = { n: 0 }): ListeningSocket {
  refs.n++;
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    if (--refs.n === 0) raw.close();
  };
  p.onDeath.add(release);
  const s: ListeningSocket = {
    accept: async () => holdEnd(handles, await p.block(image, true, (abort) => raw.accept(abort))),
    close: () => {
      p.onDeath.delete(release);
      release();
    },
  };
  listenerOf.set(s, { raw, refs });
  return s;
}

/** One process's `sys`, bound to the program image it was made for. */
export class Sys implements System {
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
  net(): NetStack | undefined {
    return this.p.uts.net;
  }
  listen(port: number, ip?: string): ListeningSocket {
    this.p.check(this.image);
    const net = this.p.uts.net;
    if (!net?.listen) throw new SysError('EINVAL', 'bind');
    return holdListener(this.p, this.image, this.handles, net.listen(port, ip));
  }
  adoptListener(s: ListeningSocket): ListeningSocket {
    this.p.check(this.image);
    const held = listenerOf.get(s);
    if (!held) throw new SysError('EBADF', 'accept');
    return holdListener(this.p, this.image, this.handles, held.raw, held.refs);
  }
  async connect(ip: string, port: number): Promise<Connection> {
    await this.p.enter(this.image);
    const net = this.p.uts.net;
    if (!net?.connect) throw new SysError('ENETUNREACH', 'connect');
    return holdEnd(this.handles, net.connect(ip, port));
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
    if (req.noexec && req.applet) {
      // forked, then the applet runs in the child without execve: the shell's command line stays
      child.cmdline = this.p.cmdline ?? this.p.argv;
      child.comm = req.applet;
    }
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

  getrlimit(res: Resource): Rlimit {
    return { ...this.p.rlimits.get(res)! };
  }
  setrlimit(res: Resource, limit: Rlimit): void {
    // a container's root lacks CAP_SYS_RESOURCE (not in Docker's default set, moby oci/caps/defaults.go;
    // --privileged is not modelled here); root in the host's namespaces has it
    setLimit(this.p.rlimits, res, limit, this.p.nsset === HOST_NS_SET && this.p.cred.uid === 0);
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
    if (req.noexec && req.applet) {
      this.p.cmdline = this.p.cmdline ?? this.p.argv;
      this.p.comm = req.applet;
    } else {
      this.p.cmdline = undefined;
      this.p.comm = undefined;
    }
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

  /** statfs(2), through the process's filesystem port (ENOSYS when the port cannot say). */
  async statfs(path: string): Promise<StatFs> {
    await this.p.enter(this.image);
    const port = this.p.fs;
    if (!port.statfs) throw new SysError('ENOSYS', 'statfs');
    return port.statfs(posix.resolve(this.p.cwd, path));
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

