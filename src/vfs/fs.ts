/**
 * The declared syscall surface of a filesystem: what a process (a shell, a busybox applet, the
 * runtime setting up a container) calls, and what a mount namespace calls on each mounted
 * filesystem. The in-memory filesystem (`Vfs`, which is also what a tmpfs is) and the overlay mount
 * (`OverlayMount`) implement it.
 *
 * Paths are relative to the filesystem's root (a leading `/` is allowed and means the same); they
 * are resolved inside it as openat2(RESOLVE_IN_ROOT) would (see resolve.ts). Every call takes the
 * caller's credentials last, defaulting to root, and fails with an `FsError` carrying the errno
 * Linux gives, in the kernel's order of checks (cred.ts has the permission rules).
 *
 * The byte-level calls are what a shell and busybox need: whole-file reads and the three ways a
 * shell opens for writing (`>` is writeFile, `>>` appendFile, `set -C; >` writeFile with
 * `exclusive`), plus positioned read and write (pread/pwrite, what `dd seek=` and `head -c` use).
 */
import type { Cred } from './cred.js';
import type { Stats } from './stats.js';

export type { Cred } from './cred.js';

export interface WriteOptions {
  /** Mode of a file the call creates (after the caller's umask); default 0644. */
  mode?: number;
  /** O_APPEND instead of O_TRUNC. */
  append?: boolean;
  /** O_EXCL: fail with EEXIST when the name exists (`set -C` in a shell, mktemp). */
  exclusive?: boolean;
}

export type NodeKind = 'char' | 'block' | 'fifo';

export interface FileSystem {
  /** The type /proc/self/mounts shows for it: `tmpfs`, `overlay`. */
  readonly fsType: string;
  /** st_dev of every inode on it; two mounts (binds) of one filesystem report the same number. */
  readonly dev: number;
  /** Its own options as /proc/self/mounts lists them after the mount flags (size=, mode=, lowerdir=). */
  mountOptions(): string[];
  /**
   * The same filesystem seen from `path` down (a directory, or a single file): what a bind mount
   * of that path makes. Resolution in the view never climbs above its root, and the directories
   * above it are not searched (a bind mount's root is a dentry already reached).
   */
  subtree(path: string): FileSystem;

  /**
   * One step of path resolution: `name` in directory `dir` (a path with no symlinks left in it),
   * as the kernel's walk does it: ENOTDIR when `dir` is not a directory, EACCES without search
   * permission on it, null when the name does not exist. Symlinks are not followed.
   */
  lookupAt(dir: string, name: string, cred?: Cred): Stats | null;
  stat(path: string, cred?: Cred): Stats;
  lstat(path: string, cred?: Cred): Stats;
  /** faccessat(2): throws EACCES unless the caller may read (4), write (2) or execute (1) it. */
  access(path: string, mask: number, cred?: Cred): void;

  readFile(path: string, cred?: Cred): Buffer;
  /** pread(2): up to `length` bytes from `offset`. */
  read(path: string, offset: number, length: number, cred?: Cred): Buffer;
  /** open(O_WRONLY|O_CREAT|O_TRUNC) + write, or O_APPEND, or O_EXCL (see WriteOptions). */
  writeFile(path: string, data: Buffer | string, opts?: WriteOptions, cred?: Cred): void;
  appendFile(path: string, data: Buffer | string, cred?: Cred): void;
  /** open(O_WRONLY) of an existing file + pwrite(2) at `offset` (a gap reads as zeros). */
  write(path: string, offset: number, data: Buffer | string, cred?: Cred): void;
  truncate(path: string, len: number, cred?: Cred): void;

  readdir(path: string, cred?: Cred): string[];
  readlink(path: string, cred?: Cred): string;

  mkdir(path: string, mode?: number, cred?: Cred): void;
  rmdir(path: string, cred?: Cred): void;
  unlink(path: string, cred?: Cred): void;
  rename(from: string, to: string, cred?: Cred): void;
  link(existingPath: string, newPath: string, cred?: Cred): void;
  symlink(target: string, path: string, cred?: Cred): void;
  mknod(path: string, kind: NodeKind, mode: number, major?: number, minor?: number, cred?: Cred): void;

  chmod(path: string, mode: number, cred?: Cred): void;
  /** chown(2), or lchown(2) with `follow: false`; -1 keeps an id. */
  chown(path: string, uid: number, gid: number, opts?: { follow?: boolean }, cred?: Cred): void;
  /** utimensat(2): an explicit mtime, or null for "now" (what `touch` asks). */
  utimes(path: string, mtime: number | null, cred?: Cred): void;

  /** The value, or undefined when the attribute is not set (getxattr's ENODATA). */
  getxattr(path: string, name: string, cred?: Cred): string | undefined;
  setxattr(path: string, name: string, value: string, cred?: Cred): void;
  listxattr(path: string, opts?: { follow?: boolean }, cred?: Cred): string[];
  /** Fails with ENODATA when the attribute is not set. */
  removexattr(path: string, name: string, cred?: Cred): void;
}
