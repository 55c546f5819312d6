/**
 * One error vocabulary for the whole library (containerd's errdefs idea): every failure is a
 * BoxlabError with a stable `code`, tested with `isCode(err, 'NotFound')`, never by matching text.
 * Filesystem operations throw FsError with a POSIX errno name instead.
 */

export type ErrorCode =
  | 'NotFound' // an image, tag, blob or path that is not there
  | 'AlreadyExists'
  | 'InvalidArgument' // the caller asked for something malformed (bad reference, bad flag)
  | 'InvalidArchive' // input that is not what it claims: truncated, not a tar, bad JSON, bad layer
  | 'DigestMismatch' // content does not hash to its descriptor's digest, or its size differs
  | 'Unsupported' // well-formed, but beyond what boxlab reads (an unknown compression, say)
  | 'FailedPrecondition' // the store's state forbids it (image in use, max depth exceeded)
  | 'Forbidden' // never allowed in this state (removing a predefined network or one with endpoints): HTTP 403
  | 'Locked' // another process holds the store lock
  | 'NotModified' // already in the asked-for state (start of a running container): HTTP 304
  | 'Unavailable'; // a runtime failure (an OCI runtime error, a mount that failed): HTTP 500

export class BoxlabError extends Error {
  readonly code: ErrorCode;
  /** The archive member, blob or path the error is about, when there is one. */
  readonly member?: string;

  constructor(code: ErrorCode, message: string, opts: { member?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'BoxlabError';
    this.code = code;
    this.member = opts.member;
  }
}

export function isCode(err: unknown, code: ErrorCode): err is BoxlabError {
  return err instanceof BoxlabError && err.code === code;
}

export type Errno =
  | 'ENOENT'
  | 'EEXIST'
  | 'ENOTDIR'
  | 'EISDIR'
  | 'ENOTEMPTY'
  | 'EXDEV'
  | 'EROFS'
  | 'ELOOP'
  | 'EACCES'
  | 'ENOSPC'
  | 'EINVAL'
  | 'EPERM'
  | 'EBUSY'
  | 'ENODATA';

const errnoText: Record<Errno, string> = {
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
  EPERM: 'Operation not permitted',
  EBUSY: 'Device or resource busy',
  ENODATA: 'No data available',
};

/** A POSIX error from a model filesystem; `message` reads like the C library's strerror. */
export class FsError extends Error {
  readonly errno: Errno;
  readonly path: string;

  constructor(errno: Errno, path: string, syscall = '') {
    super(`${syscall ? syscall + ' ' : ''}${path}: ${errnoText[errno]}`);
    this.name = 'FsError';
    this.errno = errno;
    this.path = path;
  }
}

export function isErrno(err: unknown, errno: Errno): err is FsError {
  return err instanceof FsError && err.errno === errno;
}
