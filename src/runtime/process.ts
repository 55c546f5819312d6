import { posix } from 'node:path';
/**
 * The process table: PID namespaces and the records of processes in them, with the kernel's rules
 * for signals, death, orphans and reaping. kernel.ts runs programs in these records.
 *
 * A process has one pid in each namespace from its own up to the host's (pid_namespaces(7)): a
 * container's PID 1 is 1 inside and some larger number outside. A namespace's init (its PID 1) gets
 * no signal whose disposition is SIG_DFL, except SIGKILL and SIGSTOP sent from an ancestor namespace
 * (kernel/signal.c sig_task_ignored with SIGNAL_UNKILLABLE; force is set only for a sender not
 * visible in the target's namespace). When it dies the kernel kills the rest of the namespace
 * (zap_pid_ns_processes) and the namespace takes no new process (fork: ENOMEM).
 */
import type { NetStack } from './net.js';
import { ProcessKilled, SysError } from './errno.js';
import type { FsPort } from './fsport.js';
import { HOST_NS_IDS, HOST_NS_SET, allocNsInode, type NsSet } from './nsids.js';
import type { Cgroup } from './cgroup.js';
import type { Credentials, Disposition, ProcessInfo, ReadStream, Signal, WaitStatus, WriteStream } from './program.js';
import { hostLimits, type Rlimits } from './rlimits.js';
import { NSIG, SIGCHLD, SIGCONT, SIGKILL, defaultAction, isUncatchable } from './signals.js';

/** The initial PID namespace's inode (PROC_PID_INIT_INO). */
export const HOST_PID_NS_INODE = HOST_NS_IDS.pid;

export class PidNamespace {
  readonly inode: number;
  readonly level: number;
  readonly procs = new Map<number, Proc>();
  init: Proc | null = null;
  /** Its init has died: no process can be created in it any more. */
  dead = false;
  private nextPid: number;

  constructor(
    readonly parent: PidNamespace | null,
    firstPid = 1,
  ) {
    this.inode = parent ? allocNsInode() : HOST_PID_NS_INODE;
    this.level = parent ? parent.level + 1 : 0;
    this.nextPid = firstPid;
  }

  /** alloc_pid: the next free number (pids rise; reuse after wrap is not modelled). */
  alloc(): number {
    while (this.procs.has(this.nextPid)) this.nextPid++;
    return this.nextPid++;
  }

  /** This namespace or one of its ancestors is `other`. */
  isWithin(other: PidNamespace): boolean {
    if (this === other) return true;
    return this.parent ? this.parent.isWithin(other) : false;
  }
}

/** The UTS namespace's one fact a program reads. */
export interface Uts {
  hostname: string;
  /**
   * The network namespace the process shares with its container (Docker makes the UTS and network
   * namespaces together, one per sandbox, and every process of the container inherits both).
   */
  net?: NetStack;
}

export type ProcState = 'run' | 'stop' | 'zombie' | 'reaped';

/** Something that wakes waiters: a promise renewed at each notify. */
export class Notifier {
  private wakeFn!: () => void;
  private p!: Promise<void>;
  constructor() {
    this.renew();
  }
  private renew(): void {
    this.p = new Promise((r) => (this.wakeFn = r));
  }
  get next(): Promise<void> {
    return this.p;
  }
  notify(): void {
    this.wakeFn();
    this.renew();
  }
}

export interface ProcInit {
  ns: PidNamespace;
  parent: Proc | null;
  argv: readonly string[];
  cmdline?: readonly string[] | undefined;
  comm?: string | undefined;
  env: Map<string, string>;
  cwd: string;
  cred: Credentials;
  fs: FsPort;
  uts: Uts;
  startTime: number;
  dispositions?: Disposition[];
  pgid?: number;
  /** Its namespaces (inherited at fork); the host's when not given. */
  nsset?: NsSet;
  /** The cgroup it is charged to (inherited at fork); none for the model's host processes. */
  cgroup?: Cgroup | null;
  /** Its resource limits (copied at fork); the daemon's when not given. */
  rlimits?: Rlimits;
}

export class Proc {
  readonly ns: PidNamespace;
  /** pid in each namespace from `ns` up to the host's. */
  readonly pids = new Map<PidNamespace, number>();
  parent: Proc | null;
  readonly children = new Set<Proc>();
  argv: readonly string[];
  /**
   * What /proc/PID/cmdline shows when it is not argv: a busybox NOEXEC applet run in the shell's own
   * process without execve (ash's last command) keeps the shell's command line.
   */
  cmdline?: readonly string[];
  /** The task's name when it is not argv[0]'s (prctl PR_SET_NAME: busybox names a NOEXEC applet so). */
  comm?: string;
  env: Map<string, string>;
  cwd: string;
  cred: Credentials;
  fs: FsPort;
  uts: Uts;
  readonly nsset: NsSet;
  readonly cgroup: Cgroup | null;
  readonly startTime: number;
  /** Process group, as a host pid. */
  pgid: number;
  dispositions: Disposition[];
  /** Caught signals delivered and not yet taken by the program. */
  caught: Signal[] = [];
  state: ProcState = 'run';
  status: WaitStatus | null = null;
  /** Blocking calls in progress: ps shows S while there is one. */
  blocked = 0;
  /** Bumped by exec: calls of an older program image fail as if it were killed. */
  image = 0;
  /** Aborted once, when the process dies; every blocking call listens. */
  readonly death = new AbortController();
  /** Aborted (and renewed) at each caught signal: interruptible calls fail with EINTR. */
  interrupt = new AbortController();
  /** Wakes a parent waiting for a child to change state. */
  readonly childEvents = new Notifier();
  private resumed = new Notifier();
  /** Resolves with the wait status when the process dies. */
  readonly exited: Promise<WaitStatus>;
  private resolveExit!: (s: WaitStatus) => void;
  /** Things to release at death (its open streams). */
  readonly onDeath = new Set<() => void>();
  /** Descriptors 0, 1 and 2 of the running image, as /proc/PID/fd lists them. */
  fds: readonly (ReadStream | WriteStream)[] = [];
  readonly rlimits: Rlimits;

  constructor(init: ProcInit) {
    this.ns = init.ns;
    this.parent = init.parent;
    this.argv = init.argv;
    if (init.cmdline) this.cmdline = init.cmdline;
    if (init.comm) this.comm = init.comm;
    this.env = init.env;
    this.cwd = init.cwd;
    this.cred = init.cred;
    this.fs = init.fs;
    this.uts = init.uts;
    this.nsset = init.nsset ?? HOST_NS_SET;
    this.cgroup = init.cgroup ?? null;
    this.startTime = init.startTime;
    this.rlimits = new Map([...(init.rlimits ?? hostLimits())].map(([k, v]) => [k, { ...v }]));
    this.dispositions = init.dispositions ?? Array<Disposition>(NSIG).fill('default');
    for (let n: PidNamespace | null = init.ns; n; n = n.parent) {
      const pid = n.alloc();
      this.pids.set(n, pid);
      n.procs.set(pid, this);
    }
    if (this.pidIn(init.ns) === 1) init.ns.init = this;
    this.cgroup?.tasks.add(this);
    this.pgid = init.pgid ?? this.hostPid;
    init.parent?.children.add(this);
    this.exited = new Promise((r) => (this.resolveExit = r));
  }

  get hostPid(): number {
    let n = this.ns;
    while (n.parent) n = n.parent;
    return this.pids.get(n)!;
  }
  /** Its pid as seen from `ns`, or 0 if it is not visible there (getppid of a container's init). */
  pidIn(ns: PidNamespace): number {
    return this.pids.get(ns) ?? 0;
  }
  get alive(): boolean {
    return this.state === 'run' || this.state === 'stop';
  }
  get isNsInit(): boolean {
    return this.ns.init === this;
  }

  /** The error a dead process's calls fail with. */
  killedError(): ProcessKilled {
    const s = this.status;
    return new ProcessKilled(s && 'signal' in s ? s.signal : 0);
  }

  /** Start of every system call: a dead process cannot make one; a stopped one waits for SIGCONT. */
  async enter(image: number): Promise<void> {
    for (;;) {
      if (!this.alive || image !== this.image) throw this.killedError();
      if (this.state !== 'stop') return;
      await Promise.race([this.resumed.next, this.exited]);
    }
  }
  /** As enter(), for calls that cannot wait (a stopped process just runs them). */
  check(image: number): void {
    if (!this.alive || image !== this.image) throw this.killedError();
  }

  /**
   * Runs a blocking call: it gets an AbortSignal that fires when the process dies, or (if
   * interruptible) when a caught signal arrives during the call, and fails with ProcessKilled or
   * EINTR then.
   */
  async block<T>(image: number, interruptible: boolean, fn: (abort: AbortSignal) => Promise<T>): Promise<T> {
    await this.enter(image);
    // Only a signal that arrives while the call waits interrupts it: one already delivered has had
    // its "handler" run (it is queued for the program), as after a real handler with SA_RESTART.
    const signals = [this.death.signal];
    if (interruptible) signals.push(this.interrupt.signal);
    const abort = AbortSignal.any(signals);
    this.blocked++;
    try {
      return await fn(abort);
    } catch (e) {
      if (!this.alive || image !== this.image) throw this.killedError();
      if (abort.aborted) throw new SysError('EINTR');
      throw e;
    } finally {
      this.blocked--;
    }
  }

  setDisposition(sig: Signal, d: Disposition): void {
    if (sig <= 0 || sig >= NSIG || isUncatchable(sig)) throw new SysError('EPERM', 'sigaction');
    this.dispositions[sig] = d;
  }

  /** exec: caught signals go back to SIG_DFL; ignored ones stay ignored (execve(2)). */
  resetForExec(): void {
    this.dispositions = this.dispositions.map((d) => (d === 'catch' ? 'default' : d));
    this.caught = [];
    this.image++;
  }

  info(from: PidNamespace): ProcessInfo {
    const ppid = this.parent ? this.parent.pidIn(from) : 0;
    const state = this.state === 'zombie' ? 'Z' : this.state === 'stop' ? 'T' : this.blocked > 0 ? 'S' : 'R';
    return {
      pid: this.pidIn(from),
      ppid,
      uid: this.cred.uid,
      gid: this.cred.gid,
      argv: this.cmdline ?? this.argv,
      comm: taskComm(this),
      state,
      startTime: this.startTime,
    };
  }

  // --- what the kernel does to it ----------------------------------------------------------------

  /**
   * Delivers `sig` as the kernel does. `senderNs` is the sender's PID namespace, null for the kernel
   * itself (SIGPIPE, SIGCHLD, the OOM killer's SIGKILL) and for the host side of the engine.
   */
  deliver(sig: Signal, senderNs: PidNamespace | null): void {
    if (sig === 0 || !this.alive) return;
    const d = isUncatchable(sig) ? 'default' : (this.dispositions[sig] ?? 'default');
    if (sig === SIGCONT && this.state === 'stop') {
      this.state = 'run';
      this.resumed.notify();
    }
    if (d === 'ignore') return;
    if (d === 'catch') {
      this.caught.push(sig);
      this.interrupt.abort(new SysError('EINTR'));
      this.interrupt = new AbortController();
      return;
    }
    const action = defaultAction(sig);
    if (action === 'ign' || action === 'cont') return;
    if (this.isNsInit) {
      // SIGNAL_UNKILLABLE: only SIGKILL/SIGSTOP, and only from outside the namespace, reach init.
      const fromOutside = senderNs === null || !senderNs.isWithin(this.ns);
      if (!(isUncatchable(sig) && fromOutside)) return;
    }
    if (action === 'stop') {
      this.state = 'stop';
      return;
    }
    this.die({ signal: sig });
  }

  /**
   * The process ends with `status`: it becomes a zombie for its parent to reap (or is reaped at once
   * with no parent), its streams close, its children go to its namespace's init, and if it was that
   * init, every other process of the namespace is killed.
   */
  die(status: WaitStatus): void {
    if (!this.alive) return;
    this.state = 'zombie';
    this.status = status;
    this.death.abort(this.killedError());
    for (const release of this.onDeath) release();
    this.onDeath.clear();
    if (this.isNsInit) {
      this.ns.dead = true;
      for (const p of [...this.ns.procs.values()]) if (p !== this) p.deliver(SIGKILL, null);
    }
    this.reparentChildren();
    this.resolveExit(status);
    const parent = this.parent;
    if (!parent || !parent.alive) {
      this.reap();
      return;
    }
    parent.childEvents.notify();
    parent.deliver(SIGCHLD, null);
  }

  private reparentChildren(): void {
    const heir = this.ns.init && this.ns.init !== this && this.ns.init.alive ? this.ns.init : null;
    for (const c of this.children) {
      c.parent = heir;
      if (heir) heir.children.add(c);
      else if (c.state === 'zombie') c.reap();
      if (heir && c.state === 'zombie') heir.childEvents.notify();
    }
    this.children.clear();
  }

  /** The zombie leaves every table. */
  reap(): void {
    if (this.state === 'reaped') return;
    this.state = 'reaped';
    this.cgroup?.tasks.delete(this);
    for (const [ns, pid] of this.pids) if (ns.procs.get(pid) === this) ns.procs.delete(pid);
    this.parent?.children.delete(this);
    for (const c of this.children) if (c.state === 'zombie') c.reap();
  }
}

/** comm: the task's name, or the executed file's, at most 15 bytes (TASK_COMM_LEN). */
export function taskComm(p: Proc): string {
  return (p.comm ?? posix.basename(p.argv[0] ?? '')).slice(0, 15);
}
