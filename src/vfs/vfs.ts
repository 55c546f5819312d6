/**
 * A plain in-memory filesystem over the inode model: what an upper dir, a volume or a tmpfs is.
 * It implements the declared syscall surface (fs.ts): paths are confined to its root (resolve.ts),
 * errors are FsError with POSIX errno names, and the caller's credentials decide EACCES and EPERM
 * as the kernel does (cred.ts). Root is the default caller.
 */
import { FsError } from '../errors.js';
import {
  MAY_EXEC,
  MAY_READ,
  MAY_WRITE,
  ROOT_CRED,
  checkChown,
  checkCreate,
  checkDelete,
  checkLinkSource,
  checkPermission,
  checkUtimes,
  checkXattr,
  chmodMode,
  modeAfterWrite,
  xattrVisible,
  type Cred,
} from './cred.js';
import type { FileSystem, NodeKind, WriteOptions } from './fs.js';
import { fileData, fileRange, linkInto, newDevice, newDir, newFifo, newFile, newSymlink, unlinkFrom, type DirInode, type FileInode, type Inode } from './inode.js';
import { resolvePath, type Resolvable, type Resolved } from './resolve.js';
import { MKDIR_MODE_MASK, initOwner, modeAfterChown, now, statOf, type Stats } from './stats.js';
import { Superblock, type SuperblockOptions } from './superblock.js';

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

/** Each file's buffer with room to grow into (see Vfs.grown): only this filesystem writes there. */
const spare = new WeakMap<FileInode, Buffer>();

const bytesOf = (data: Buffer | string) => (typeof data === 'string' ? Buffer.from(data) : data);

export type VfsOptions = SuperblockOptions;

export class Vfs implements Resolvable<Inode>, FileSystem {
  /** The root directory (for a view made by subtree() of a single file, that file). */
  readonly root: DirInode;
  readonly sb: Superblock;

  constructor(root?: DirInode, opts: VfsOptions | Superblock = {}) {
    this.root = root ?? newDir({ mode: 0o755 });
    this.sb = opts instanceof Superblock ? opts : new Superblock(this.root, opts);
  }

  get fsType(): string {
    return this.sb.fsType;
  }
  get dev(): number {
    return this.sb.dev;
  }
  mountOptions(): string[] {
    return this.sb.mountOptions();
  }

  subtree(path: string): Vfs {
    const n = this.existing(path, true, 'mount');
    return new Vfs(n as DirInode, this.sb);
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
  attrsOf(n: Inode): Inode {
    return n;
  }

  resolve(path: string, follow: boolean, syscall?: string, cred: Cred = ROOT_CRED): Resolved<Inode> {
    return resolvePath<Inode>(this, path, { follow, syscall, cred });
  }

  private existing(path: string, follow: boolean, syscall: string, cred: Cred = ROOT_CRED): Inode {
    const r = this.resolve(path, follow, syscall, cred);
    if (!r.node) throw new FsError('ENOENT', path, syscall);
    return r.node;
  }

  private parentDir(r: Resolved<Inode>, path: string, syscall: string): DirInode {
    if (r.parent.kind !== 'dir') throw new FsError('ENOTDIR', path, syscall);
    return r.parent;
  }

  lookupAt(dir: string, name: string, cred: Cred = ROOT_CRED): Stats | null {
    const d = this.existing(dir, true, 'lookup', cred);
    if (d.kind !== 'dir') throw new FsError('ENOTDIR', dir, 'lookup');
    checkPermission(d, MAY_EXEC, cred, dir, 'lookup');
    const c = d.entries.get(name);
    return c ? statOf(c, this.dev) : null;
  }
  stat(path: string, cred: Cred = ROOT_CRED): Stats {
    return statOf(this.existing(path, true, 'stat', cred), this.dev);
  }
  lstat(path: string, cred: Cred = ROOT_CRED): Stats {
    return statOf(this.existing(path, false, 'lstat', cred), this.dev);
  }
  access(path: string, mask: number, cred: Cred = ROOT_CRED): void {
    checkPermission(this.existing(path, true, 'access', cred), mask, cred, path, 'access');
  }
  exists(path: string): boolean {
    try {
      this.lstat(path);
      return true;
    } catch {
      return false;
    }
  }

  private readable(path: string, cred: Cred): FileInode {
    const n = this.existing(path, true, 'open', cred);
    checkPermission(n, MAY_READ, cred, path, 'open');
    if (n.kind === 'dir') throw new FsError('EISDIR', path, 'read');
    if (n.kind !== 'file') throw new FsError('EINVAL', path, 'read');
    return n;
  }
  readFile(path: string, cred: Cred = ROOT_CRED): Buffer {
    return Buffer.from(fileData(this.readable(path, cred)));
  }
  read(path: string, offset: number, length: number, cred: Cred = ROOT_CRED): Buffer {
    return fileRange(this.readable(path, cred), offset, length);
  }

  readlink(path: string, cred: Cred = ROOT_CRED): string {
    const n = this.existing(path, false, 'readlink', cred);
    if (n.kind !== 'symlink') throw new FsError('EINVAL', path, 'readlink');
    return n.target;
  }

  readdir(path: string, cred: Cred = ROOT_CRED): string[] {
    const n = this.existing(path, true, 'opendir', cred);
    if (n.kind !== 'dir') throw new FsError('ENOTDIR', path, 'opendir');
    checkPermission(n, MAY_READ, cred, path, 'opendir');
    return [...n.entries.keys()];
  }

  /** open(O_WRONLY|O_CREAT) then write: creates the file (following a dangling symlink) or rewrites it. */
  writeFile(path: string, data: Buffer | string, opts: WriteOptions = {}, cred: Cred = ROOT_CRED): void {
    const bytes = bytesOf(data);
    const r = this.resolve(path, !opts.exclusive, 'open', cred);
    if (!r.node) {
      const dir = this.parentDir(r, path, 'open');
      checkCreate(dir, cred, path, 'open');
      const f = newFile(initOwner(dir, 'file', opts.mode ?? 0o644, cred));
      linkInto(dir, r.name, f);
      dir.mtime = now();
      this.store(f, 0, bytes, path, cred);
      return;
    }
    if (opts.exclusive) throw new FsError('EEXIST', path, 'open');
    const f = this.writableFile(r.node, path, 'open', cred);
    if (opts.append) this.store(f, f.size, bytes, path, cred);
    else this.replace(f, bytes, path, cred);
  }

  appendFile(path: string, data: Buffer | string, cred: Cred = ROOT_CRED): void {
    this.writeFile(path, data, { append: true }, cred);
  }

  write(path: string, offset: number, data: Buffer | string, cred: Cred = ROOT_CRED): void {
    const f = this.writableFile(this.existing(path, true, 'open', cred), path, 'open', cred);
    this.store(f, offset, bytesOf(data), path, cred);
  }

  private writableFile(n: Inode, path: string, syscall: string, cred: Cred): FileInode {
    if (n.kind === 'dir') throw new FsError('EISDIR', path, syscall);
    checkPermission(n, MAY_WRITE, cred, path, syscall);
    if (n.kind !== 'file') throw new FsError('EINVAL', path, syscall);
    return n;
  }

  /** O_TRUNC then write: the old pages are freed before the new ones are charged. */
  private replace(f: FileInode, bytes: Buffer, path: string, cred: Cred): void {
    f.data = Buffer.alloc(0);
    f.load = f.loadRange = undefined;
    f.size = 0;
    this.store(f, 0, bytes, path, cred);
  }

  /** pwrite: as many bytes as the filesystem has room for, then ENOSPC (a short write, as shmem gives). */
  private store(f: FileInode, offset: number, bytes: Buffer, path: string, cred: Cred = ROOT_CRED): void {
    const old = fileData(f);
    const end = offset + bytes.length;
    const room = this.sb.roomFor(f, Math.max(end, old.length));
    const writeEnd = Math.min(end, room);
    const next = this.grown(f, old, offset, Math.max(old.length, writeEnd));
    if (writeEnd > offset) bytes.copy(next, offset, 0, writeEnd - offset);
    f.data = next;
    f.load = f.loadRange = undefined;
    f.size = next.length;
    f.mtime = now();
    // A write of nothing reaches no file_remove_privs (generic_write_checks returns 0 first).
    if (bytes.length > 0) f.mode = modeAfterWrite(f.mode, cred);
    if (writeEnd < end) throw new FsError('ENOSPC', path, 'write');
  }

  /**
   * The buffer a write of the file's bytes up to `len` goes into. An append lands in spare room this
   * filesystem keeps behind the file's bytes (grown by half each time), so writing a big file in
   * pieces costs its size, not its size squared; any other write copies, so that a reader holding
   * the old bytes never sees them change.
   */
  private grown(f: FileInode, old: Buffer, offset: number, len: number): Buffer {
    const back = spare.get(f);
    if (back && offset >= old.length && old.buffer === back.buffer && old.byteOffset === back.byteOffset && len <= back.length) return back.subarray(0, len);
    const cap = offset >= old.length && len > 65536 ? Math.max(len, Math.floor(old.length * 1.5)) : len;
    const next = Buffer.alloc(cap);
    old.copy(next);
    spare.set(f, next);
    return next.subarray(0, len);
  }

  truncate(path: string, len: number, cred: Cred = ROOT_CRED): void {
    const n = this.existing(path, true, 'truncate', cred);
    if (n.kind === 'dir') throw new FsError('EISDIR', path, 'truncate');
    if (n.kind !== 'file') throw new FsError('EINVAL', path, 'truncate');
    checkPermission(n, MAY_WRITE, cred, path, 'truncate');
    const old = fileData(n);
    const next = Buffer.alloc(len);
    old.copy(next, 0, 0, Math.min(len, old.length));
    n.data = next;
    n.load = n.loadRange = undefined;
    n.size = len;
    n.mtime = now();
    n.mode = modeAfterWrite(n.mode, cred);
  }

  chmod(path: string, mode: number, cred: Cred = ROOT_CRED): void {
    const n = this.existing(path, true, 'chmod', cred);
    n.mode = chmodMode(n, mode, cred, path);
  }

  chown(path: string, uid: number, gid: number, opts: { follow?: boolean } = {}, cred: Cred = ROOT_CRED): void {
    const n = this.existing(path, opts.follow ?? true, 'chown', cred);
    checkChown(n, uid, gid, cred, path);
    if (uid !== -1) n.uid = uid;
    if (gid !== -1) n.gid = gid;
    n.mode = modeAfterChown(n.kind, n.mode);
  }

  utimes(path: string, mtime: number | null, cred: Cred = ROOT_CRED): void {
    const n = this.existing(path, true, 'utimes', cred);
    checkUtimes(n, mtime !== null, cred, path);
    n.mtime = mtime ?? now();
  }

  setxattr(path: string, name: string, value: string, cred: Cred = ROOT_CRED): void {
    const n = this.existing(path, true, 'setxattr', cred);
    checkXattr(n, name, true, cred, path, 'setxattr');
    (n.xattrs ??= new Map()).set(name, value);
  }
  getxattr(path: string, name: string, cred: Cred = ROOT_CRED): string | undefined {
    const n = this.existing(path, true, 'getxattr', cred);
    if (!xattrVisible(name, cred)) return undefined;
    checkXattr(n, name, false, cred, path, 'getxattr');
    return n.xattrs?.get(name);
  }
  listxattr(path: string, opts: { follow?: boolean } = {}, cred: Cred = ROOT_CRED): string[] {
    const n = this.existing(path, opts.follow ?? true, 'listxattr', cred);
    return [...(n.xattrs?.keys() ?? [])].filter((k) => xattrVisible(k, cred));
  }
  removexattr(path: string, name: string, cred: Cred = ROOT_CRED): void {
    const n = this.existing(path, true, 'removexattr', cred);
    checkXattr(n, name, true, cred, path, 'removexattr');
    if (!n.xattrs?.delete(name)) throw new FsError('ENODATA', path, 'removexattr');
  }

  /** The common start of mkdir, symlink, mknod and link: EEXIST before the parent's permission. */
  private create(path: string, syscall: string, cred: Cred, make: (dir: DirInode) => Inode): void {
    const r = this.resolve(path, false, syscall, cred);
    if (r.node) throw new FsError('EEXIST', path, syscall);
    const dir = this.parentDir(r, path, syscall);
    checkCreate(dir, cred, path, syscall);
    const inode = make(dir);
    this.sb.charge(inode, path, syscall);
    linkInto(dir, r.name, inode);
    dir.mtime = now();
  }

  mkdir(path: string, mode = 0o755, cred: Cred = ROOT_CRED): void {
    this.create(path, 'mkdir', cred, (dir) => newDir(initOwner(dir, 'dir', mode & MKDIR_MODE_MASK, cred)));
  }
  symlink(target: string, path: string, cred: Cred = ROOT_CRED): void {
    this.create(path, 'symlink', cred, (dir) => newSymlink(target, initOwner(dir, 'symlink', 0o777, cred)));
  }
  /** mknod(2): a device needs CAP_MKNOD (EPERM for anyone else); a fifo anyone may make. */
  mknod(path: string, kind: NodeKind, mode: number, major = 0, minor = 0, cred: Cred = ROOT_CRED): void {
    this.create(path, 'mknod', cred, (dir) => {
      if (kind !== 'fifo' && cred.uid !== 0) throw new FsError('EPERM', path, 'mknod');
      const o = initOwner(dir, kind, mode, cred);
      return kind === 'fifo' ? newFifo(o) : newDevice(kind, major, minor, o);
    });
  }

  link(existingPath: string, newPath: string, cred: Cred = ROOT_CRED): void {
    const src = this.existing(existingPath, false, 'link', cred);
    // linkat(2) creates the new name (EEXIST) and may_linkat decides (EPERM) before may_create
    // (EACCES) and vfs_link's refusal of a directory (EPERM).
    const r = this.resolve(newPath, false, 'link', cred);
    if (r.node) throw new FsError('EEXIST', newPath, 'link');
    checkLinkSource(src, cred, existingPath);
    const dir = this.parentDir(r, newPath, 'link');
    checkCreate(dir, cred, newPath, 'link');
    if (src.kind === 'dir') throw new FsError('EPERM', existingPath, 'link');
    linkInto(dir, r.name, src);
    dir.mtime = now();
  }

  unlink(path: string, cred: Cred = ROOT_CRED): void {
    const r = this.resolve(path, false, 'unlink', cred);
    if (!r.node) throw new FsError('ENOENT', path, 'unlink');
    const dir = this.parentDir(r, path, 'unlink');
    checkDelete(dir, r.node, cred, path, 'unlink');
    if (r.node.kind === 'dir') throw new FsError('EISDIR', path, 'unlink');
    unlinkFrom(dir, r.name);
    dir.mtime = now();
  }

  rmdir(path: string, cred: Cred = ROOT_CRED): void {
    const r = this.resolve(path, false, 'rmdir', cred);
    if (!r.node) throw new FsError('ENOENT', path, 'rmdir');
    if (r.node === this.root) throw new FsError('EBUSY', path, 'rmdir');
    const dir = this.parentDir(r, path, 'rmdir');
    checkDelete(dir, r.node, cred, path, 'rmdir');
    if (r.node.kind !== 'dir') throw new FsError('ENOTDIR', path, 'rmdir');
    if (r.node.entries.size > 0) throw new FsError('ENOTEMPTY', path, 'rmdir');
    unlinkFrom(dir, r.name);
    dir.mtime = now();
  }

  rename(from: string, to: string, cred: Cred = ROOT_CRED): void {
    // renameat2 looks up both parents before the old name itself (fs/namei.c do_renameat2).
    const s = this.resolve(from, false, 'rename', cred);
    const d = this.resolve(to, false, 'rename', cred);
    if (!s.node) throw new FsError('ENOENT', from, 'rename');
    const src = s.node;
    if (src === d.node) return; // rename(2): the same file, nothing to do
    if (src === this.root || d.node === this.root) throw new FsError('EBUSY', to, 'rename');
    if (src.kind === 'dir' && (d.path === s.path || d.path.startsWith(s.path + '/')))
      throw new FsError('EINVAL', to, 'rename');
    const dst = d.node;
    if (dst && dst.kind === 'dir' && s.path.startsWith(d.path + '/')) throw new FsError('ENOTEMPTY', to, 'rename');
    const srcDir = this.parentDir(s, from, 'rename');
    const dstDir = this.parentDir(d, to, 'rename');
    // vfs_rename: may_delete on the old name, may_create or may_delete on the new one, then a
    // directory changing parents needs write permission on itself (its `..` entry changes).
    checkDelete(srcDir, src, cred, from, 'rename');
    if (dst) checkDelete(dstDir, dst, cred, to, 'rename');
    else checkCreate(dstDir, cred, to, 'rename');
    checkRenameTarget(
      to,
      src.kind === 'dir',
      dst ? { isDir: dst.kind === 'dir', isEmptyDir: dst.kind === 'dir' && dst.entries.size === 0 } : null,
    );
    if (src.kind === 'dir' && srcDir !== dstDir) checkPermission(src, MAY_WRITE, cred, from, 'rename');
    if (dst) unlinkFrom(dstDir, d.name);
    unlinkFrom(srcDir, s.name);
    linkInto(dstDir, d.name, src);
    srcDir.mtime = dstDir.mtime = now();
  }
}

/** `mount -t tmpfs -o size=…,mode=…`: a fresh in-memory filesystem; the kernel's default mode is 1777. */
export function tmpfs(opts: { size?: number; mode?: number; uid?: number; gid?: number } = {}): Vfs {
  const root = newDir({ mode: opts.mode ?? 0o1777, uid: opts.uid, gid: opts.gid });
  return new Vfs(root, { size: opts.size });
}
