/**
 * /proc/PID/fd and /proc/PID/limits (fs/proc/fd.c, fs/proc/base.c proc_pid_limits). The model numbers
 * only a process's standard descriptors, 0, 1 and 2; each shows as a symlink named by its number to
 * what d_path gives for the open file (a path, `pipe:[INO]`, /dev/null, the terminal), with the
 * open mode as the link's permission bits and a size of 64 (proc_fd_link's inodes report it).
 *
 * A process that lists its own fd directory holds one more descriptor while it reads it: the one
 * opendir took, at the lowest free number. `ls /proc/self/fd` therefore shows 0 1 2 3. busybox ls
 * lstats each entry while the directory is open and reads the links after closedir, so the extra
 * entry lstats but its link is gone (ENOENT) by then: `ls -l` prints it with no target and an error.
 * The model keeps that number on the listing process until it lists again, execs or dies.
 */
import { posix } from 'node:path';
import { FsError } from '../errors.js';
import { currentProc } from './current.js';
import { fdLink } from './handles.js';
import type { Proc } from './process.js';
import { limitsFile } from './rlimits.js';
import { fileOf, type SynthNode } from '../vfs/synthfs.js';

/** The directory descriptor a process's own listing of its fd directory took, by process. */
const scanFd = new WeakMap<Proc, { fd: number; image: number }>();

function openFds(p: Proc): number[] {
  const out: number[] = [];
  p.fds.forEach((s, i) => {
    if (fdLink(s)) out.push(i);
  });
  return out;
}

function entries(p: Proc): string[] {
  const fds = openFds(p);
  if (currentProc() === p) {
    let fd = 0;
    while (fds.includes(fd)) fd++;
    scanFd.set(p, { fd, image: p.image });
    fds.push(fd);
    fds.sort((a, b) => a - b);
  }
  return fds.map(String);
}

function fdNode(p: Proc, name: string): SynthNode | null {
  if (!/^(0|[1-9][0-9]*)$/.test(name)) return null;
  const n = Number(name);
  const s = p.fds[n];
  const link = s ? fdLink(s) : null;
  if (link) return { type: 'symlink', target: () => link.target, mode: link.mode, size: 64 };
  const scan = scanFd.get(p);
  if (scan && scan.fd === n && scan.image === p.image && currentProc() === p) {
    // opendir's descriptor: O_RDONLY|O_DIRECTORY, already closed when its link is read
    return {
      type: 'symlink',
      mode: 0o500,
      size: 64,
      target: () => {
        throw new FsError('ENOENT', posix.join('/proc', String(n)), 'readlink');
      },
    };
  }
  return null;
}

/** The node at `rest` (['fd', ...] or ['limits']) under /proc/PID, or undefined for another name. */
export function fdLimitsNode(p: Proc, rest: readonly string[]): SynthNode | null | undefined {
  const [name, sub] = rest;
  if (name === 'limits') return rest.length === 1 ? fileOf(() => limitsFile(p.rlimits)) : null;
  if (name !== 'fd') return undefined;
  if (rest.length === 1) return { type: 'dir', mode: 0o500, entries: () => entries(p), nlink: 2 };
  return rest.length === 2 && sub !== undefined ? fdNode(p, sub) : null;
}
