/**
 * What a program sees when it runs in a model process: the whole interface between a busybox applet
 * (or the shell) and the model kernel. A Program is an async function of a ProcessContext that
 * returns its exit status:
 *
 *   const cat: Program = async (p) => {
 *     for (const f of p.argv.slice(1)) { const r = await p.fs.openRead(f); ... await p.stdout.write(chunk) }
 *     return 0;
 *   };
 *
 * Everything a program does to the world goes through its context: the streams (fd 0, 1, 2), the
 * filesystem (paths relative to its cwd, as the process's credentials allow) and `sys` (processes,
 * signals, the clock). It never touches Node's fs, timers or process.
 *
 * Death: a process killed by a signal is dead at once (its status is 128+n to a shell; its streams
 * are closed, its parent can reap it). Its program may still be suspended in an await: every call it
 * makes from then on, and every call it is blocked in, rejects with ProcessKilled (errno.ts). A
 * program must let ProcessKilled propagate (`if (isKilled(e)) throw e`); what it returns afterwards is
 * ignored. The same happens to the old program when a process execs a new one.
 */
import type { Resource, Rlimit } from './rlimits.js';
import type { Stats } from '../vfs/stats.js';
import type { Signal } from './signals.js';
import type { NetStack } from './net.js';

export type { Signal } from './signals.js';

/** Exit status 0..255 of a program that returned; a killed process's is reported as 128+signal. */
export type ExitCode = number;

export type Program = (p: ProcessContext) => Promise<ExitCode>;

/**
 * The programs the model knows, by name: busybox's applets (`sleep`, `cat`, `ps`, `sh`, ...). Open
 * for extension: register more with `set`. A file is run as one of these by the kernel's loader
 * (see kernel.ts), and the shell runs an applet by name when it has no file for it.
 */
export type ProgramRegistry = Map<string, Program>;

/** Who a process acts as: what decides EACCES and EPERM, and what `id` and `ps` show. */
export interface Credentials {
  readonly uid: number;
  readonly gid: number;
  /** Supplementary groups (getgroups(2)); the primary gid need not be among them. */
  readonly groups: readonly number[];
  /** The container's capability bounding set as /proc/PID/status prints it (16 hex digits); Docker's defaults when absent. */
  readonly capBnd?: string;
}

export interface ProcessContext {
  /** argv[0] is the name the program was called by (`sleep`, `/bin/sleep`, `-sh`). */
  readonly argv: readonly string[];
  /** The environment (environ), in the order the process received it. A program may change its own copy. */
  readonly env: Map<string, string>;
  /** Absolute, normalised working directory; `sys.chdir` changes it. */
  readonly cwd: string;
  readonly cred: Credentials;
  readonly stdin: ReadStream;
  readonly stdout: WriteStream;
  readonly stderr: WriteStream;
  /** The process's view of the filesystem: its mount namespace and root, relative paths from its cwd. */
  readonly fs: FileSystem;
  readonly sys: System;
}

// ---------------------------------------------------------------------------------------------------
// Streams: file descriptors 0, 1, 2 and whatever a program opens or pipes.

/**
 * The reading end of an open file: a pipe, a file, a terminal, /dev/null.
 * A pipe read waits while the pipe is empty and some writer still holds it open; it returns null
 * (end of file) once every writer has closed. A file read returns its bytes from the current offset.
 */
export interface ReadStream {
  readonly kind: 'pipe' | 'file' | 'tty' | 'null';
  /**
   * The next bytes available, at most `max` (default: whatever is there, up to 64 KiB), or null at
   * end of file. Rejects with SysError EINTR when a caught signal arrives while it waits (the shell's
   * `read` builtin then runs the trap), and with ProcessKilled when the process dies.
   */
  read(max?: number): Promise<Uint8Array | null>;
  /** Drops this process's hold on the stream (close(2)); further reads reject with EBADF. Idempotent. */
  close(): void;
  /** A terminal's controls (tcsetattr, the window size), when the stream is one (tty.ts). */
  readonly tty?: import('./tty.js').TtyControl;
}

/**
 * The writing end of an open file. A pipe holds at most PIPE_CAPACITY bytes (64 KiB, Linux's
 * default pipe size): write awaits while it is full, so a fast writer is paced by its reader.
 * Writing to a pipe whose readers have all closed sends SIGPIPE to the writing process, which kills
 * it unless it ignores or catches SIGPIPE; then the write rejects with SysError EPIPE.
 */
export interface WriteStream {
  readonly kind: 'pipe' | 'file' | 'tty' | 'null';
  /** Writes all of `data` (a string is UTF-8). Resolves when the bytes are in the pipe or file. */
  write(data: Uint8Array | string): Promise<void>;
  close(): void;
}

export const PIPE_CAPACITY = 65536;

// ---------------------------------------------------------------------------------------------------
// The filesystem port: the calls a shell and simple applets make. Paths are resolved against the
// process's cwd and root; errors are FsError with POSIX errnos (ENOENT, EACCES, EISDIR, ENOTDIR, ...).

export type FileStat = Stats;

/** open(2) flags for writing: `>` is {create, truncate}, `>>` {create, append}, `>|`/`<>` kinds aside. */
export interface WriteFlags {
  create?: boolean;
  truncate?: boolean;
  append?: boolean;
  /** O_EXCL with O_CREAT: fail with EEXIST if the name exists (set -C's `>`). */
  exclusive?: boolean;
  /** Permission bits of a created file, before the umask (default 0o666). */
  mode?: number;
}

/** access(2) mode bits. */
export const R_OK = 4;
export const W_OK = 2;
export const X_OK = 1;

export interface FileSystem {
  stat(path: string): Promise<FileStat>;
  lstat(path: string): Promise<FileStat>;
  /** Names in a directory, without `.` and `..`, in the filesystem's order (callers sort). */
  readdir(path: string): Promise<string[]>;
  readlink(path: string): Promise<string>;
  /** access(2) with the process's real credentials: resolves, or throws EACCES/ENOENT/... */
  access(path: string, mode: number): Promise<void>;
  /** open(O_RDONLY): a directory fails with EISDIR at the first read, as read(2) does. */
  openRead(path: string): Promise<ReadStream>;
  openWrite(path: string, flags: WriteFlags): Promise<WriteStream>;
  /** The absolute, normalised form of `path` against the cwd (no symlinks resolved). */
  resolve(path: string): string;

  // The rest of the syscall surface, for applets (mkdir, rm, mv, ln, chmod, chown, touch, ...).
  mkdir(path: string, mode?: number): Promise<void>;
  rmdir(path: string): Promise<void>;
  unlink(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  symlink(target: string, path: string): Promise<void>;
  link(existing: string, path: string): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
  chown(path: string, uid: number, gid: number, opts?: { follow?: boolean }): Promise<void>;
  utimes(path: string, mtime: number): Promise<void>;
  truncate(path: string, length: number): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------
// The system port: processes, signals, the clock.

/** What a signal does to this process: SIG_DFL, SIG_IGN, or a handler (the program polls for it). */
export type Disposition = 'default' | 'ignore' | 'catch';

/** How a child ended, as waitpid(2) reports it. */
export type WaitStatus = { readonly code: ExitCode } | { readonly signal: Signal };

/** The shell's `$?` for a wait status: the code, or 128+signal. */
export function statusCode(s: WaitStatus): ExitCode {
  return 'code' in s ? s.code : 128 + s.signal;
}

/**
 * What to run in a new process (fork+execve) or in place of the current one (execve):
 * `path` is a file in the process's filesystem (a relative path is from the cwd; no PATH search, the
 * caller did that); `applet` is a program the model has built in, run without a file, as busybox's
 * shell runs applets with no link in /bin (FEATURE_SH_STANDALONE). Exactly one is given.
 */
export interface ExecRequest {
  readonly path?: string;
  readonly applet?: string;
  readonly argv: readonly string[];
  /**
   * A busybox NOEXEC applet run by the shell in its own process (no execve): /proc keeps the
   * shell's command line and the task takes the applet's name (run_noexec_applet_and_exit).
   */
  readonly noexec?: boolean;
  /** The new environment; default: a copy of the caller's. */
  readonly env?: ReadonlyMap<string, string>;
}

export interface SpawnRequest extends ExecRequest {
  /** Working directory of the child; default the caller's. */
  readonly cwd?: string;
  /** fd 0, 1, 2 of the child: the caller's own streams, or ones it opened or piped. Default: the caller's. */
  readonly stdin?: ReadStream;
  readonly stdout?: WriteStream;
  readonly stderr?: WriteStream;
  /**
   * Signals the child starts with set to SIG_IGN (a non-interactive shell's `&` job ignores SIGINT
   * and SIGQUIT, POSIX 2.11). Caught signals are reset to default by exec; ignored ones stay ignored.
   */
  readonly ignore?: readonly Signal[];
}

/** One row of the process table as the caller's PID namespace sees it (what `ps` prints). */
export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly uid: number;
  readonly gid: number;
  readonly argv: readonly string[];
  /** The task's name (/proc/PID/comm). */
  readonly comm: string;
  /** R running or runnable, S sleeping (blocked), T stopped, Z zombie, as /proc/PID/stat says. */
  readonly state: 'R' | 'S' | 'T' | 'Z';
  /** When it started, ms since the epoch, on the system clock. */
  readonly startTime: number;
}

/** A connected TCP socket as two descriptors (read and write) of the process. */
export interface Connection {
  readonly input: ReadStream;
  readonly output: WriteStream;
  /** The peer, "IP:PORT". */
  readonly remote: string;
}

/** A socket in LISTEN the process holds. */
export interface ListeningSocket {
  /** accept(2): waits for a connection (EINTR on a caught signal, ProcessKilled at death). */
  accept(): Promise<Connection>;
  close(): void;
}

export interface System {
  readonly pid: number;
  readonly ppid: number;
  hostname(): string;
  /** The process's network namespace as the model sees it (none outside a container). */
  net?(): NetStack | undefined;
  /**
   * socket+bind+listen on a TCP port of the process's network namespace: a listening socket the
   * process holds (closed at its death). SysError EADDRINUSE when taken, ENETDOWN-like EINVAL with no
   * namespace the model knows.
   */
  listen?(port: number, ip?: string): ListeningSocket;
  /**
   * The listening socket another process holds, now held by this one too (a forked child's copy of
   * the descriptor: a daemon listens, forks, and the parent exits while the child serves).
   */
  adoptListener?(s: ListeningSocket): ListeningSocket;
  /** socket+connect: the connection's two streams, held by the process; SysError ECONNREFUSED etc. */
  connect?(ip: string, port: number): Promise<Connection>;

  /** Milliseconds since the epoch on the system clock (real, or a lab's virtual clock). */
  now(): number;
  /**
   * Waits `ms` on the system clock (a timer, never a busy loop). Rejects with EINTR when a caught
   * signal arrives, ProcessKilled when the process dies.
   */
  sleep(ms: number): Promise<void>;

  /** A new pipe: [read end, write end], both held by the caller until it closes or passes them. */
  pipe(): [ReadStream, WriteStream];

  /**
   * fork+execve: a child process running the request. Resolves to the child's pid once it is in the
   * table. Fails before any child exists with FsError ENOENT (no such file), EACCES (not executable,
   * a directory) or SysError ENOEXEC (a file the model has no program for), EAGAIN (pids limit).
   */
  spawn(req: SpawnRequest): Promise<number>;
  /**
   * execve: the calling process becomes the request, keeping its pid, parent, streams (or fd 0-2
   * replaced by the given ones, as a shell's `exec >file cmd` does) and ignored signals. On success it never returns to the old program: the promise settles with the new
   * program's exit code, which the caller returns as its own (`return sys.exec(...)`).
   * Failures are as for spawn, and leave the caller running.
   */
  exec(req: ExecRequest & { stdin?: ReadStream; stdout?: WriteStream; stderr?: WriteStream }): Promise<ExitCode>;
  /** Whether the model has a built-in program of this name (a busybox applet the shell may run by name). */
  hasApplet(name: string): boolean;
  /**
   * fork(2) without exec: a child process (same argv, env, cwd, credentials, dispositions) that runs
   * `body`, the caller's code, on the given streams. The shell runs subshells, pipeline stages of
   * builtins and `&` jobs this way, so each is a process with its own pid that signals reach.
   */
  fork(body: Program, stdio?: { stdin?: ReadStream; stdout?: WriteStream; stderr?: WriteStream }): Promise<number>;
  /**
   * waitpid: waits for a child to end and reaps it (the zombie leaves the table). pid -1: any child.
   * Rejects with EINTR when a caught signal arrives first, ECHILD when there is no such child.
   */
  wait(pid: number): Promise<{ pid: number; status: WaitStatus }>;
  /** Reaps a child that has already ended, without waiting; null if none has (WNOHANG). */
  poll(pid: number): { pid: number; status: WaitStatus } | null;

  /**
   * kill(2): pid > 0 one process, 0 the caller's process group, -1 every process it may signal,
   * < -1 the group -pid. Signal 0 only checks the target exists. ESRCH if there is none.
   */
  kill(pid: number, sig: Signal): void;
  /** sigaction: how this process takes `sig`. SIGKILL and SIGSTOP cannot be changed (EINVAL). */
  setDisposition(sig: Signal, d: Disposition): void;
  disposition(sig: Signal): Disposition;
  /**
   * Caught signals delivered since the last call, oldest first, each once; the program runs its
   * handlers for them (the shell does so between commands, as ash's dotrap does).
   */
  takeSignals(): Signal[];

  /** chdir(2): the cwd becomes `path` if it is a directory the process may search. */
  chdir(path: string): Promise<void>;
  /** The processes of the caller's PID namespace (ps, kill -1). */
  processes(): ProcessInfo[];
  /** getrlimit(2): soft and hard, Infinity for RLIM_INFINITY. */
  getrlimit(res: Resource): Rlimit;
  /** setrlimit(2): SysError EINVAL (soft above hard), EPERM (raising the hard limit without CAP_SYS_RESOURCE). */
  setrlimit(res: Resource, limit: Rlimit): void;
}

/** system.DefaultPathEnv("linux"): the PATH a process gets when its image and request set none. */
export const DEFAULT_PATH_ENV = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
