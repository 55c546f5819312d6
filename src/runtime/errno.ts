/**
 * Errors of the process model's system calls. Filesystem calls fail with FsError (src/errors.ts);
 * the calls that are not about a file (a write to a pipe nobody reads, a wait interrupted by a
 * signal, kill of a pid that is not there) fail with SysError, whose errno names are the kernel's.
 * A process that has been killed sees ProcessKilled from every call it makes afterwards.
 */
import { FsError } from '../errors.js';

export type SysErrno =
  | 'EPIPE' // write to a pipe with no reader left (after SIGPIPE, if that did not kill the writer)
  | 'EINTR' // a blocking call interrupted by a caught signal
  | 'ESRCH' // no such process
  | 'ECHILD' // wait for a pid that is not a child of the caller
  | 'EPERM' // not allowed to signal that process
  | 'EBADF' // a closed stream
  | 'ENOEXEC' // the file is no program the model can run
  | 'EAGAIN' // fork refused (pids limit)
  | 'ENOSYS' // a call the model's kernel does not have (statfs over a port without it)
  | 'EINVAL'
  | 'EADDRINUSE' // bind(2) to a port a socket of the namespace holds
  | 'ECONNREFUSED' // connect(2) to a port nothing listens on (the peer answered RST)
  | 'ECONNRESET' // the peer closed a connection it had not accepted
  | 'ETIMEDOUT' // connect(2) whose SYN a firewall rule dropped
  | 'ENETUNREACH'; // connect(2) with no route, or off the machine (boxlab sends nothing out)

const text: Record<SysErrno, string> = {
  EPIPE: 'Broken pipe',
  EINTR: 'Interrupted system call',
  ESRCH: 'No such process',
  ECHILD: 'No child processes',
  EPERM: 'Operation not permitted',
  EBADF: 'Bad file descriptor',
  ENOEXEC: 'Exec format error',
  EAGAIN: 'Resource temporarily unavailable',
  EINVAL: 'Invalid argument',
  ENOSYS: 'Function not implemented',
  EADDRINUSE: 'Address already in use',
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  ETIMEDOUT: 'Connection timed out',
  ENETUNREACH: 'Network is unreachable',
};

export class SysError extends Error {
  readonly errno: SysErrno;
  constructor(errno: SysErrno, what = '') {
    super(`${what ? what + ': ' : ''}${text[errno]}`);
    this.name = 'SysError';
    this.errno = errno;
  }
}

/**
 * Thrown into a program by every system call once its process is dead (killed by a signal, or its
 * image replaced by exec). A program must let it propagate: the process's exit status is already
 * decided, and nothing it does afterwards is seen.
 */
export class ProcessKilled extends Error {
  constructor(readonly signal: number) {
    super(`killed by signal ${signal}`);
    this.name = 'ProcessKilled';
  }
}

export function isKilled(e: unknown): e is ProcessKilled {
  return e instanceof ProcessKilled;
}

export function isSysErrno(e: unknown, errno: SysErrno): e is SysError {
  return e instanceof SysError && e.errno === errno;
}

/** The errno name of a filesystem or system error, or undefined for anything else. */
export function errnoOf(e: unknown): string | undefined {
  if (e instanceof FsError || e instanceof SysError) return e.errno;
  return undefined;
}

/** strerror(3) as glibc spells it (Debian's busybox-static is linked with glibc), for the errnos a model process meets. */
export const STRERROR: Record<string, string> = {
  ...text,
  ENOENT: 'No such file or directory',
  EEXIST: 'File exists',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  ENOTEMPTY: 'Directory not empty',
  EXDEV: 'Invalid cross-device link',
  EROFS: 'Read-only file system',
  ELOOP: 'Too many levels of symbolic links',
  EACCES: 'Permission denied',
  ENOSPC: 'No space left on device',
  EINVAL: 'Invalid argument',
  EBUSY: 'Device or resource busy',
};

/** The C library's message for an error a system call threw, or the error's own message. */
export function strerror(e: unknown): string {
  const n = errnoOf(e);
  if (n && STRERROR[n]) return STRERROR[n];
  return e instanceof Error ? e.message : String(e);
}
