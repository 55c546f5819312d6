/**
 * A plain in-memory filesystem over the inode model: what an upper dir, a volume or a tmpfs is.
 * Paths are confined to its root (see resolve.ts); errors are FsError with POSIX errno names.
 * The caller is root (uid 0, gid 0); permission bits are kept and reported, not enforced.
 */
import { FsError } from '../errors.js';
import {
  fileData,
  linkInto,
  newDevice,
  newDir,
  newFifo,
  newFile,
  newSymlink,
  unlinkFrom,
  type DirInode,
  type Inode,
} from './inode.js';
import { resolvePath, type Resolvable, type Resolved } from './resolve.js';
import { MKDIR_MODE_MASK, ROOT_CRED, initOwner, modeAfterChown, now, statOf, type Stats } from './stats.js';

/** Checks rename(2)'s rules on the kinds of source and existing target; throws the kernel's errno. */
export function checkRenameTarget(
  path: string,
  srcIsDir: boolean,
  dst: { isDir: boolean; isEmptyDir: boolean } | null,
): void {
  if (!dst) return;
  if (srcIsDir && !dst.isDir) throw new FsError('ENOTDIR', path, 'rename');
  if (!srcIsDir && dst.isDir) throw new FsError('EISDIR', path, 'rename');
  if (dst.isDir && !dst.isEmptyDir) throw new FsError('ENOTEMPTY', path, 'rename');
}

export class Vfs implements Resolvable<Inode> {
  readonly root: DirInode;

  constructor(root?: DirInode) {
    this.root = root ?? newDir({ mode: 0o755 });
  }

  kindOf(n: Inode) {
    return n.kind;
  }
  linkTarget(n: Inode): string {
    return n.kind === 'symlink' ? n.target : '';
  }
  child(parent: Inode, name: string): Inode | null {
    return parent.kind === 'dir' ? (parent.entries.get(name) ?? null) : null;
  }

  resolve(path: string, follow: boolean, syscall?: string): Resolved<Inode> {
    return resolvePath<Inode>(this, path, { follow, syscall });
  }

  private existing(path: string, follow: boolean, syscall: string): Inode {
    const r = this.resolve(path, follow, syscall);
    if (!r.node) throw new FsError('ENOENT', path, syscall);
    return r.node;
  }

  private parentDir(r: Resolved<Inode>, path: string, syscall: string): DirInode {
    if (r.parent.kind !== 'dir') throw new FsError('ENOTDIR', path, syscall);
    return r.parent;
  }

  stat(path: string): Stats {
    return statOf(this.existing(path, true, 'stat'));
  }
  lstat(path: string): Stats {
    return statOf(this.existing(path, false, 'lstat'));
  }
  exists(path: string): boolean {
    try {
      this.lstat(path);
      return true;
    } catch {
      return false;
    }
  }

  readFile(path: string): Buffer {
    const n = this.existing(path, true, 'open');
    if (n.kind === 'dir') throw new FsError('EISDIR', path, 'read');
    if (n.kind !== 'file') throw new FsError('EINVAL', path, 'read');
    return Buffer.from(fileData(n));
  }

  readlink(path: string): string {
    const n = this.existing(path, false, 'readlink');
    if (n.kind !== 'symlink') throw new FsError('EINVAL', path, 'readlink');
    return n.target;
  }

  readdir(path: string): string[] {
    const n = this.existing(path, true, 'opendir');
    if (n.kind !== 'dir') throw new FsError('ENOTDIR', path, 'opendir');
    return [...n.entries.keys()];
  }

  /** open(O_WRONLY|O_CREAT) then write: creates the file (following a dangling symlink) or rewrites it. */
  writeFile(path: string, data: Buffer | string, opts: { mode?: number; append?: boolean } = {}): void {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    const r = this.resolve(path, true, 'open');
    if (!r.node) {
      const dir = this.parentDir(r, path, 'open');
      const o = initOwner(dir, 'file', opts.mode ?? 0o644, ROOT_CRED);
      linkInto(dir, r.name, newFile(o, Buffer.from(bytes)));
      dir.mtime = now();
      return;
    }
    const n = r.node;
    if (n.kind === 'dir') throw new FsError('EISDIR', path, 'open');
    if (n.kind !== 'file') throw new FsError('EINVAL', path, 'open');
    const next = opts.append ? Buffer.concat([fileData(n), bytes]) : Buffer.from(bytes);
    n.data = next;
    n.load = undefined;
    n.size = next.length;
    n.mtime = now();
  }

  appendFile(path: string, data: Buffer | string): void {
    this.writeFile(path, data, { append: true });
  }

  truncate(path: string, len: number): void {
    const n = this.existing(path, true, 'truncate');
    if (n.kind === 'dir') throw new FsError('EISDIR', path, 'truncate');
    if (n.kind !== 'file') throw new FsError('EINVAL', path, 'truncate');
    const old = fileData(n);
    const next = Buffer.alloc(len);
    old.copy(next, 0, 0, Math.min(len, old.length));
    n.data = next;
    n.load = undefined;
    n.size = len;
    n.mtime = now();
  }

  chmod(path: string, mode: number): void {
    const n = this.existing(path, true, 'chmod');
    n.mode = mode & 0o7777;
  }

  chown(path: string, uid: number, gid: number, opts: { follow?: boolean } = {}): void {
    const n = this.existing(path, opts.follow ?? true, 'chown');
    n.uid = uid;
    n.gid = gid;
    n.mode = modeAfterChown(n.kind, n.mode);
  }

  utimes(path: string, mtime: number): void {
    this.existing(path, true, 'utimes').mtime = mtime;
  }

  setxattr(path: string, name: string, value: string): void {
    const n = this.existing(path, true, 'setxattr');
    (n.xattrs ??= new Map()).set(name, value);
  }
  getxattr(path: string, name: string): string | undefined {
    return this.existing(path, true, 'getxattr').xattrs?.get(name);
  }

  private create(path: string, syscall: string, make: (dir: DirInode) => Inode): void {
    const r = this.resolve(path, false, syscall);
    if (r.node) throw new FsError('EEXIST', path, syscall);
    const dir = this.parentDir(r, path, syscall);
    linkInto(dir, r.name, make(dir));
    dir.mtime = now();
  }

  mkdir(path: string, mode = 0o755): void {
    this.create(path, 'mkdir', (dir) => newDir(initOwner(dir, 'dir', mode & MKDIR_MODE_MASK, ROOT_CRED)));
  }
  symlink(target: string, path: string): void {
    this.create(path, 'symlink', (dir) => newSymlink(target, initOwner(dir, 'symlink', 0o777, ROOT_CRED)));
  }
  mknod(path: string, kind: 'char' | 'block' | 'fifo', mode: number, major = 0, minor = 0): void {
    this.create(path, 'mknod', (dir) => {
      const o = initOwner(dir, kind, mode, ROOT_CRED);
      return kind === 'fifo' ? newFifo(o) : newDevice(kind, major, minor, o);
    });
  }

  link(existingPath: string, newPath: string): void {
    const src = this.existing(existingPath, false, 'link');
    // linkat(2) creates the new name (EEXIST) before vfs_link refuses a directory (EPERM).
    this.create(newPath, 'link', () => {
      if (src.kind === 'dir') throw new FsError('EPERM', existingPath, 'link');
      return src;
    });
  }

  unlink(path: string): void {
    const r = this.resolve(path, false, 'unlink');
    if (!r.node) throw new FsError('ENOENT', path, 'unlink');
    if (r.node.kind === 'dir') throw new FsError('EISDIR', path, 'unlink');
    unlinkFrom(this.parentDir(r, path, 'unlink'), r.name);
  }

  rmdir(path: string): void {
    const r = this.resolve(path, false, 'rmdir');
    if (!r.node) throw new FsError('ENOENT', path, 'rmdir');
    if (r.node.kind !== 'dir') throw new FsError('ENOTDIR', path, 'rmdir');
    if (r.node === this.root) throw new FsError('EBUSY', path, 'rmdir');
    if (r.node.entries.size > 0) throw new FsError('ENOTEMPTY', path, 'rmdir');
    unlinkFrom(this.parentDir(r, path, 'rmdir'), r.name);
  }

  rename(from: string, to: string): void {
    // renameat2 looks up both parents before the old name itself (fs/namei.c do_renameat2).
    const s = this.resolve(from, false, 'rename');
    const d = this.resolve(to, false, 'rename');
    if (!s.node) throw new FsError('ENOENT', from, 'rename');
    const src = s.node;
    if (src === d.node) return; // rename(2): the same file, nothing to do
    if (src.kind === 'dir' && (d.path === s.path || d.path.startsWith(s.path + '/')))
      throw new FsError('EINVAL', to, 'rename');
    const dst = d.node;
    checkRenameTarget(
      to,
      src.kind === 'dir',
      dst ? { isDir: dst.kind === 'dir', isEmptyDir: dst.kind === 'dir' && dst.entries.size === 0 } : null,
    );
    const dstDir = this.parentDir(d, to, 'rename');
    if (dst) unlinkFrom(dstDir, d.name);
    unlinkFrom(this.parentDir(s, from, 'rename'), s.name);
    linkInto(dstDir, d.name, src);
  }
}
