/**
 * The seam between the container service and what runs a container (containerd's task service and
 * runc, for moby): the service decides states, policies, logs and events; a TaskRuntime makes the
 * rootfs, namespaces and processes and reports how PID 1 ended. The model runtime is runtime.ts; tests
 * of the lifecycle drive the service with a scripted one.
 */
import type { Cgroup } from '../../runtime/cgroup.js';
import type { ContainerRecord } from './record.js';
import type { StdStream } from './logs.js';

/** How PID 1 ended: an exit code, or killed by a signal (the code is then 128+signal). */
export interface TaskExit {
  code: number;
  signal?: number;
  /** Killed by the cgroup's OOM killer (memory.limit_in_bytes reached). */
  oomKilled?: boolean;
}

export interface TaskIO {
  /** Bytes PID 1 (and its children holding its fds) wrote to fd 1 or 2. */
  output(stream: StdStream, data: Uint8Array): void;
  /** Bytes for PID 1's stdin (`-i`); absent: /dev/null. */
  stdin?: AsyncIterable<Uint8Array>;
}

/** A process as `docker top` lists it: host PIDs, as the daemon sees them. */
export interface TaskProcess {
  pid: number;
  ppid: number;
  uid: number;
  argv: readonly string[];
  startTime: number;
  state: 'R' | 'S' | 'T' | 'Z';
}

export interface ExecSpec {
  argv: string[];
  env: string[];
  user: string;
  workingDir: string;
  tty: boolean;
}

/** A running exec'd process. */
export interface ExecTask {
  readonly pid: number;
  readonly exited: Promise<TaskExit>;
  /** TIOCSWINSZ on its terminal (an exec with Tty); nothing without one. */
  resize?(rows: number, cols: number): void;
}

export interface Task {
  /** PID 1's host PID. */
  readonly pid: number;
  readonly exited: Promise<TaskExit>;
  kill(signal: number): void;
  /** The cgroup freezer: every process stops running until thawed. */
  pause(): void;
  resume(): void;
  processes(): TaskProcess[];
  /** TIOCSWINSZ on PID 1's terminal (Tty: true); nothing without one. */
  resize?(rows: number, cols: number): void;
  /**
   * Runs a process in the container's namespaces. Rejects, before anything runs, with a TaskStartError
   * when the program cannot be executed (not found, not executable).
   */
  exec(spec: ExecSpec, io: TaskIO): Promise<ExecTask>;
}

/** Why a task or an exec could not start: runc's wording is built at the edge from this. */
export class TaskStartError extends Error {
  constructor(
    /** What failed: `executable file not found in $PATH`, `permission denied`, `no such file or directory`. */
    readonly reason: 'not-found' | 'permission' | 'no-such-file' | 'other',
    /** The program as given (argv[0]). */
    readonly program: string,
    message: string,
  ) {
    super(message);
    this.name = 'TaskStartError';
  }
}

export interface TaskRuntime {
  /** Makes the container's rootfs and namespaces and starts PID 1; rejects with TaskStartError. */
  start(c: ContainerRecord, io: TaskIO): Promise<Task>;
  /** Releases what start made (the rootfs mount, the cgroup); the upper layer stays. */
  cleanup(c: ContainerRecord): Promise<void>;
  /** The container is deleted: its rootfs and upper layer go. */
  remove(c: ContainerRecord): Promise<void>;
  /** A running container's cgroup, whose limits `docker update` changes live. */
  cgroupOf?(id: string): Cgroup | undefined;
}
