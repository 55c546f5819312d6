/**
 * A process's view of the filesystem (the kernel's fs_struct and its credentials): a mount
 * namespace, a root, a working directory and a cred. Its calls resolve paths across the mount
 * table (namespace.ts), then ask the filesystem that holds the result, adding what belongs to a
 * mount rather than to a filesystem, in the kernel's order: EROFS on a read-only mount, EXDEV when
 * rename or link would cross mounts (compared by mount, so two binds of one filesystem are two
 * mounts, as do_renameat2 and do_linkat compare them), EBUSY for a mount point.
 */
import { FsError } from '../errors.js';
import { MAY_EXEC, MAY_WRITE, ROOT_CRED, checkCreate, checkDelete, isRoot, type Attrs, type Cred } from './cred.js';
import type { NodeKind, WriteOptions } from './fs.js';
import type { Loc, MountNamespace, Walked } from './namespace.js';
import { joinPath } from './resolve.js';
import type { Stats } from './stats.js';

const lastRaw = (p: string) => p.split('/').filter((c) => c !== '').pop() ?? '';

export class FsContext {
  root: Loc;
  cwd: Loc;

  constructor(
    readonly ns: MountNamespace,
    readonly cred: Cred = ROOT_CRED,
    at: { root?: Loc; cwd?: Loc } = {},
  ) {
    this.root = at.root ?? ns.root;
    this.cwd = at.cwd ?? this.root;
  }

  /** fork(2): the same namespace, root and working directory; optionally other credentials. */
  fork(cred: Cred = this.cred): FsContext {
    return new FsContext(this.ns, cred, { root: this.root, cwd: this.cwd });
  }

  private walk(path: string, follow: boolean, syscall: string): Walked {
    return this.ns.walk(path, this, follow, syscall);
  }
  private existing(path: string, follow: boolean, syscall: string): Loc {
    const w = this.walk(path, follow, syscall);
    if (!w.loc) throw new FsError('ENOENT', path, syscall);
    return w.loc;
  }
  private notReadOnly(loc: Loc, path: string, syscall: string): void {
    if (loc.mnt.readOnly) throw new FsError('EROFS', path, syscall);
  }
  private newName(w: Walked): string {
    return joinPath(w.parent.path, w.name);
  }

  chdir(path: string): void {
    const loc = this.existing(path, true, 'chdir');
    if (this.ns.stat(loc, this.cred).type !== 'dir') throw new FsError('ENOTDIR', path, 'chdir');
    loc.mnt.fs.access(loc.path, MAY_EXEC, this.cred);
    this.cwd = loc;
  }
  /** chroot(2): CAP_SYS_CHROOT only (EPERM); the working directory is left where it is. */
  chroot(path: string): void {
    if (!isRoot(this.cred)) throw new FsError('EPERM', path, 'chroot');
    const loc = this.existing(path, true, 'chroot');
    if (this.ns.stat(loc).type !== 'dir') throw new FsError('ENOTDIR', path, 'chroot');
    this.root = loc;
  }
  /** getcwd(3), for a working directory under the namespace's root. */
  getcwd(): string {
    const t = this.cwd.mnt.target;
    if (this.cwd.path === '') return t;
    return t === '/' ? `/${this.cwd.path}` : `${t}/${this.cwd.path}`;
  }

  stat(path: string): Stats {
    const loc = this.existing(path, true, 'stat');
    return loc.mnt.fs.stat(loc.path, this.cred);
  }
  lstat(path: string): Stats {
    const loc = this.existing(path, false, 'lstat');
    return loc.mnt.fs.lstat(loc.path, this.cred);
  }
  /** access(2): asking for write on a read-only mount is EROFS (for anything but a device or fifo). */
  access(path: string, mask: number): void {
    const loc = this.existing(path, true, 'access');
    const type = this.ns.stat(loc).type;
    if (mask & MAY_WRITE && ['file', 'dir', 'symlink'].includes(type)) this.notReadOnly(loc, path, 'access');
    loc.mnt.fs.access(loc.path, mask, this.cred);
  }
  readFile(path: string): Buffer {
    const loc = this.existing(path, true, 'open');
    return loc.mnt.fs.readFile(loc.path, this.cred);
  }
  read(path: string, offset: number, length: number): Buffer {
    const loc = this.existing(path, true, 'open');
    return loc.mnt.fs.read(loc.path, offset, length, this.cred);
  }
  readdir(path: string): string[] {
    const loc = this.existing(path, true, 'opendir');
    return loc.mnt.fs.readdir(loc.path, this.cred);
  }
  readlink(path: string): string {
    const loc = this.existing(path, false, 'readlink');
    return loc.mnt.fs.readlink(loc.path, this.cred);
  }

  /**
   * open(O_WRONLY|O_CREAT, and O_TRUNC or O_APPEND) + write. On a read-only mount a new name is
   * EROFS; an existing regular file is EROFS at once with O_TRUNC (do_open takes write access to
   * truncate) but only after the permission check with O_APPEND (do_dentry_open).
   */
  writeFile(path: string, data: Buffer | string, opts: WriteOptions = {}): void {
    const w = this.walk(path, !opts.exclusive, 'open');
    if (!w.loc) {
      this.notReadOnly(w.parent, path, 'open');
      w.parent.mnt.fs.writeFile(this.newName(w), data, opts, this.cred);
      return;
    }
    if (opts.exclusive) throw new FsError('EEXIST', path, 'open');
    this.openForWrite(w.loc, path, !opts.append);
    w.loc.mnt.fs.writeFile(w.loc.path, data, opts, this.cred);
  }
  appendFile(path: string, data: Buffer | string): void {
    this.writeFile(path, data, { append: true });
  }
  write(path: string, offset: number, data: Buffer | string): void {
    const loc = this.existing(path, true, 'open');
    this.openForWrite(loc, path, false);
    loc.mnt.fs.write(loc.path, offset, data, this.cred);
  }
  private openForWrite(loc: Loc, path: string, trunc: boolean): void {
    if (!loc.mnt.readOnly) return;
    const type = this.ns.stat(loc).type;
    if (type === 'dir') throw new FsError('EISDIR', path, 'open');
    if (type !== 'file') return;
    if (!trunc) loc.mnt.fs.access(loc.path, MAY_WRITE, this.cred);
    throw new FsError('EROFS', path, 'open');
  }
  truncate(path: string, len: number): void {
    const loc = this.existing(path, true, 'truncate');
    const type = this.ns.stat(loc).type;
    if (type === 'dir') throw new FsError('EISDIR', path, 'truncate');
    if (type !== 'file') throw new FsError('EINVAL', path, 'truncate');
    // Measured on this kernel (6.18): write permission is checked before the read-only mount.
    if (loc.mnt.readOnly) loc.mnt.fs.access(loc.path, MAY_WRITE, this.cred);
    this.notReadOnly(loc, path, 'truncate');
    loc.mnt.fs.truncate(loc.path, len, this.cred);
  }

  /** The start of mkdir, symlink and mknod (filename_create): EEXIST, then EROFS. */
  private creating(path: string, syscall: string): Walked {
    const w = this.walk(path, false, syscall);
    if (w.loc) throw new FsError('EEXIST', path, syscall);
    this.notReadOnly(w.parent, path, syscall);
    return w;
  }
  mkdir(path: string, mode = 0o755): void {
    const w = this.creating(path, 'mkdir');
    w.parent.mnt.fs.mkdir(this.newName(w), mode, this.cred);
  }
  symlink(target: string, path: string): void {
    const w = this.creating(path, 'symlink');
    w.parent.mnt.fs.symlink(target, this.newName(w), this.cred);
  }
  mknod(path: string, kind: NodeKind, mode: number, major = 0, minor = 0): void {
    const w = this.creating(path, 'mknod');
    w.parent.mnt.fs.mknod(this.newName(w), kind, mode, major, minor, this.cred);
  }
  /** link(2) (do_linkat): the old name, the new name (EEXIST, EROFS), then EXDEV across mounts. */
  link(existingPath: string, newPath: string): void {
    const old = this.existing(existingPath, false, 'link');
    const w = this.creating(newPath, 'link');
    if (old.mnt !== w.parent.mnt) throw new FsError('EXDEV', newPath, 'link');
    old.mnt.fs.link(old.path, this.newName(w), this.cred);
  }

  private attrs(loc: Loc): Attrs {
    const st = this.ns.stat(loc);
    return { kind: st.type, mode: st.mode, uid: st.uid, gid: st.gid };
  }
  /**
   * A mount point cannot be removed or renamed (EBUSY), but vfs_unlink, vfs_rmdir and vfs_rename
   * say so only after may_delete's permission checks, which are made here first for that case.
   */
  private busy(w: Walked, path: string, syscall: string): void {
    if (!w.under || !this.ns.isMountpoint(w.under)) return;
    checkDelete(this.attrs(w.parent), this.attrs(w.under), this.cred, path, syscall);
    const isDir = this.ns.stat(w.under).type === 'dir';
    if (syscall === 'unlink' && isDir) throw new FsError('EISDIR', path, syscall);
    if (syscall === 'rmdir' && !isDir) throw new FsError('ENOTDIR', path, syscall);
    throw new FsError('EBUSY', path, syscall);
  }

  /** unlink(2): EROFS before the name is looked up; a mount point is EBUSY. */
  unlink(path: string): void {
    const w = this.walk(path, false, 'unlink');
    if (w.name === '') throw new FsError('EISDIR', path, 'unlink');
    this.notReadOnly(w.parent, path, 'unlink');
    if (!w.under) throw new FsError('ENOENT', path, 'unlink');
    this.busy(w, path, 'unlink');
    w.under.mnt.fs.unlink(w.under.path, this.cred);
  }
  rmdir(path: string): void {
    // do_rmdir: the parent is resolved first, then a last `..`, `.` or `/` is refused.
    const w = this.walk(path, false, 'rmdir');
    const last = lastRaw(path);
    if (last === '..') throw new FsError('ENOTEMPTY', path, 'rmdir');
    if (last === '.') throw new FsError('EINVAL', path, 'rmdir');
    if (w.name === '') throw new FsError('EBUSY', path, 'rmdir');
    this.notReadOnly(w.parent, path, 'rmdir');
    if (!w.under) throw new FsError('ENOENT', path, 'rmdir');
    this.busy(w, path, 'rmdir');
    w.under.mnt.fs.rmdir(w.under.path, this.cred);
  }
  /** rename(2) (do_renameat2): EXDEV when the two parents are on different mounts, then EBUSY, EROFS. */
  rename(from: string, to: string): void {
    const s = this.walk(from, false, 'rename');
    const d = this.walk(to, false, 'rename');
    if (s.parent.mnt !== d.parent.mnt) throw new FsError('EXDEV', to, 'rename');
    if (s.name === '' || d.name === '') throw new FsError('EBUSY', to, 'rename');
    this.notReadOnly(s.parent, to, 'rename');
    if (!s.under) throw new FsError('ENOENT', from, 'rename');
    // lock_rename's traps come before vfs_rename: a directory into itself (EINVAL), onto an ancestor (ENOTEMPTY).
    const sp = s.under.path;
    const dp = this.newName(d);
    if (sp !== dp && dp.startsWith(sp === '' ? '' : `${sp}/`) && this.ns.stat(s.under).type === 'dir') throw new FsError('EINVAL', to, 'rename');
    if (sp !== dp && sp.startsWith(dp === '' ? '' : `${dp}/`) && d.under) throw new FsError('ENOTEMPTY', to, 'rename');
    // vfs_rename: two names of one inode, nothing to do (before any permission or EBUSY check).
    if (d.under && this.ns.stat(s.under).ino === this.ns.stat(d.under).ino) return;
    if (this.ns.isMountpoint(s.under) || (d.under && this.ns.isMountpoint(d.under))) {
      checkDelete(this.attrs(s.parent), this.attrs(s.under), this.cred, from, 'rename');
      if (d.under) checkDelete(this.attrs(d.parent), this.attrs(d.under), this.cred, to, 'rename');
      else checkCreate(this.attrs(d.parent), this.cred, to, 'rename');
      if (d.under) {
        const srcDir = this.ns.stat(s.under).type === 'dir';
        const dstDir = this.ns.stat(d.under).type === 'dir';
        if (srcDir !== dstDir) throw new FsError(srcDir ? 'ENOTDIR' : 'EISDIR', to, 'rename');
      }
      throw new FsError('EBUSY', to, 'rename');
    }
    s.parent.mnt.fs.rename(sp, dp, this.cred);
    if (sp !== dp) this.ns.renamed(s.parent.mnt, sp, dp);
  }

  /** The attribute calls: the path (following links unless told), EROFS, then the filesystem. */
  private changing(path: string, syscall: string, follow = true): Loc {
    const loc = this.existing(path, follow, syscall);
    this.notReadOnly(loc, path, syscall);
    return loc;
  }
  chmod(path: string, mode: number): void {
    const loc = this.changing(path, 'chmod');
    loc.mnt.fs.chmod(loc.path, mode, this.cred);
  }
  chown(path: string, uid: number, gid: number, opts: { follow?: boolean } = {}): void {
    const loc = this.changing(path, 'chown', opts.follow ?? true);
    loc.mnt.fs.chown(loc.path, uid, gid, opts, this.cred);
  }
  utimes(path: string, mtime: number | null): void {
    const loc = this.changing(path, 'utimensat');
    loc.mnt.fs.utimes(loc.path, mtime, this.cred);
  }
  getxattr(path: string, name: string): string | undefined {
    const loc = this.existing(path, true, 'getxattr');
    return loc.mnt.fs.getxattr(loc.path, name, this.cred);
  }
  setxattr(path: string, name: string, value: string): void {
    const loc = this.changing(path, 'setxattr');
    loc.mnt.fs.setxattr(loc.path, name, value, this.cred);
  }
  listxattr(path: string, opts: { follow?: boolean } = {}): string[] {
    const loc = this.existing(path, opts.follow ?? true, 'listxattr');
    return loc.mnt.fs.listxattr(loc.path, opts, this.cred);
  }
  removexattr(path: string, name: string): void {
    const loc = this.changing(path, 'removexattr');
    loc.mnt.fs.removexattr(loc.path, name, this.cred);
  }
}
