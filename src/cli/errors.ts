/**
 * The words a person reads for an error, as the docker CLI prints them. A Node system error from
 * opening an output file becomes Go's *PathError text ("open /x/y.tar: no such file or directory"),
 * naming the path the user gave, never a temporary one of ours.
 */
const ERRNO_TEXT: Record<string, string> = {
  // Go's syscall.Errno strings (zerrors_linux.go), which the docker CLI prints
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EEXIST: 'file exists',
  EPERM: 'operation not permitted',
};

export interface SysError extends Error {
  code?: string;
  syscall?: string;
  path?: string;
}

/** Go's text for the errno of a Node system error, or Node's message. */
export function errnoText(err: unknown): string {
  const e = err as SysError;
  return (typeof e?.code === 'string' && ERRNO_TEXT[e.code]) || (e instanceof Error ? e.message : String(err));
}

export function errorMessage(err: unknown): string {
  const e = err as SysError;
  if (typeof e?.code === 'string' && e.syscall && e.path && ERRNO_TEXT[e.code]) {
    // a rename onto the user's path is, to them, the open of it
    return `${e.syscall === 'rename' ? 'open' : e.syscall} ${e.path}: ${ERRNO_TEXT[e.code]}`;
  }
  return e instanceof Error ? e.message : String(err);
}

/** A write to a closed pipe (`boxlab export IMG | head -c100`): the reader is gone, say nothing. */
export function isBrokenPipe(err: unknown): boolean {
  return (err as SysError)?.code === 'EPIPE' || (err as SysError)?.code === 'ERR_STREAM_DESTROYED';
}
