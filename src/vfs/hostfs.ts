/**
 * A real directory (or file) of the machine running boxlab, as a FileSystem: what a bind mount and a
 * volume's `_data` are. Reads and writes go to the host's files; owners, modes, inode numbers and the
 * device show through as the host has them.
 *
 * Confinement is the point of this file. Every call walks its path one component at a time, each
 * step anchored on a file descriptor of the directory reached so far (`/proc/self/fd/N/name`, the
 * kernel resolving `/proc/self/fd/N` to that very directory, never re-reading a path), opening the
 * next component with O_PATH|O_NOFOLLOW. A symlink is read and its target walked again from this
 * root (absolute) or from the directory holding it (relative); `..` never climbs above the root.
 * That is openat2(RESOLVE_IN_ROOT) done by hand (Node has no openat2): a symlink swapped in between
 * the check and the use is met by O_NOFOLLOW at the step that uses it, so no race can redirect an
 * operation outside the root (the class of CVE-2018-15664 and CVE-2021-30465). The final operation
 * names its target as a child of an anchored directory fd, or through the O_PATH fd of the final
 * inode itself (chmod, chown, utimes and reopen through `/proc/self/fd/N` act on exactly that inode).
 *
 * The caller's credentials decide EACCES and EPERM with the kernel's rules (cred.ts) from the host's
 * modes and owners: the daemon itself runs as root, as dockerd does, and creates as the caller.
 * Extended attributes are not reachable from Node: none are listed, setting one fails with EPERM.
 */
import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { FsError, type Errno } from '../errors.js';
import {
  MAY_READ, MAY_WRITE, ROOT_CRED, checkChown, checkCreate, checkDelete, checkLinkSource, checkPermission, checkSearch,
  checkUtimes, chmodMode, isRoot, modeAfterWrite, type Attrs, type Cred,
} from './cred.js';
import type { FileSystem, NodeKind, WriteOptions } from './fs.js';
import type { Inode, InodeKind } from './inode.js';
import { MAX_SYMLINK_HOPS, splitPath } from './resolve.js';
import { hostMountOf, type HostMountInfo } from './hostmount.js';
import { MKDIR_MODE_MASK, initOwner, type Stats } from './stats.js';

/** Linux's O_PATH (Node does not export it; open(2) takes it as given). */
const O_PATH = 0o10000000;
const { O_NOFOLLOW, O_WRONLY, O_RDONLY, O_CREAT, O_EXCL, O_TRUNC, O_APPEND } = fs.constants;
const FD = (fd: number) => `/proc/self/fd/${fd}`;

const ERRNOS = new Set<string>(['ENOENT', 'EEXIST', 'ENOTDIR', 'EISDIR', 'ENOTEMPTY', 'EXDEV', 'EROFS', 'ELOOP', 'EACCES', 'ENOSPC', 'EINVAL', 'EPERM', 'EBUSY', 'ENODATA']);

/** A host error as the model's FsError (errnos the model has no name for become EINVAL). */
function fsError(e: unknown, path: string, syscall: string): FsError {
  if (e instanceof FsError) return e;
  const code = (e as NodeJS.ErrnoException).code ?? '';
  return new FsError((ERRNOS.has(code) ? code : 'EINVAL') as Errno, path, syscall);
}

function kindOf(st: fs.Stats): InodeKind {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  return 'fifo';
}

const attrsOf = (st: fs.Stats): Attrs => ({ kind: kindOf(st), mode: st.mode & 0o7777, uid: st.uid, gid: st.gid });

export function hostStats(st: fs.Stats): Stats {
  const type = kindOf(st);
  const out: Stats = {
    type, mode: st.mode & 0o7777, stMode: st.mode, uid: st.uid, gid: st.gid, size: st.size,
    mtime: Math.floor(st.mtimeMs / 1000), ino: st.ino, nlink: st.nlink, dev: st.dev,
  };
  // Linux's dev_t encoding (include/linux/kdev_t.h new_decode_dev)
  if (type === 'char' || type === 'block') out.rdev = { major: (st.rdev >> 8) & 0xfff, minor: (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00) };
  return out;
}

/** Where a walk ended: the anchored parent directory, the final name, and the final inode's O_PATH fd. */
interface Res {
  dir: number;
  dirSt: fs.Stats;
  name: string;
  node: number | null;
  st: fs.Stats | null;
}

export class HostFs implements FileSystem {
  private readonly rootFd: number;
  private readonly mountInfo: HostMountInfo;
  readonly dev: number;

  /** `root`: a host path (followed once, as the daemon resolves a bind's source), or an O_PATH fd it takes over. */
  constructor(root: string | { fd: number }, info?: HostMountInfo) {
    this.rootFd = typeof root === 'string' ? fs.openSync(fs.realpathSync(root), O_PATH) : root.fd;
    this.dev = fs.fstatSync(this.rootFd).dev;
    this.mountInfo = info ?? hostMountOf(fs.readlinkSync(FD(this.rootFd)));
  }

  get fsType(): string {
    return this.mountInfo.fsType;
  }
  /** The device /proc/mounts shows for a bind of it (`/dev/vda`). */
  get source(): string {
    return this.mountInfo.source;
  }
  get flags(): string[] {
    return this.mountInfo.flags;
  }
  mountOptions(): string[] {
    return [...this.mountInfo.options];
  }
  /** Lets go of the root (the filesystem is unmounted for good). */
  close(): void {
    fs.closeSync(this.rootFd);
  }

  subtree(path: string): FileSystem {
    return this.run(path, 'mount', (fds) => {
      const r = this.walk(fds, path, true, 'mount', ROOT_CRED);
      if (r.node === null) throw new FsError('ENOENT', path, 'mount');
      return new HostFs({ fd: fs.openSync(FD(r.node), O_PATH) }, this.mountInfo);
    });
  }

  /** Runs `fn` with a list of fds it opens, closed afterwards; host errors become FsErrors. */
  private run<T>(path: string, syscall: string, fn: (fds: number[]) => T): T {
    const fds: number[] = [];
    try {
      return fn(fds);
    } catch (e) {
      throw fsError(e, path, syscall);
    } finally {
      for (const fd of fds) fs.closeSync(fd);
    }
  }

  /** Opens `name` under the anchored directory `dir` without following it; null when absent. */
  private openAt(fds: number[], dir: number, name: string): number | null {
    try {
      const fd = fs.openSync(`${FD(dir)}/${name}`, O_PATH | O_NOFOLLOW);
      fds.push(fd);
      return fd;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  /** The confined walk (see the file comment). A trailing `/` or `/.` forces following. */
  private walk(fds: number[], path: string, follow: boolean, syscall: string, cred: Cred): Res {
    const trailing = /\/\.?$/.test(path);
    const queue = splitPath(path);
    const stack: number[] = [this.rootFd];
    let hops = 0;
    const checkCred = !isRoot(cred);
    while (queue.length > 0) {
      const name = queue.shift()!;
      const dir = stack[stack.length - 1]!;
      const dirSt = fs.fstatSync(dir);
      if (!dirSt.isDirectory()) throw new FsError('ENOTDIR', path, syscall);
      if (checkCred) checkSearch(attrsOf(dirSt), cred, path, syscall);
      if (name === '..') {
        if (stack.length > 1) stack.pop();
        continue;
      }
      const isLast = queue.length === 0;
      const fd = this.openAt(fds, dir, name);
      if (fd === null) {
        if (isLast) return { dir, dirSt, name, node: null, st: null };
        throw new FsError('ENOENT', path, syscall);
      }
      const st = fs.fstatSync(fd);
      if (st.isSymbolicLink() && (!isLast || follow || trailing)) {
        if (++hops > MAX_SYMLINK_HOPS) throw new FsError('ELOOP', path, syscall);
        // read through the anchored parent: whatever the link says is walked inside this root
        const target = fs.readlinkSync(`${FD(dir)}/${name}`);
        if (target === '') throw new FsError('ENOENT', path, syscall);
        if (target.startsWith('/')) stack.length = 1;
        queue.unshift(...splitPath(target));
        continue;
      }
      if (isLast) {
        if (trailing && !st.isDirectory()) throw new FsError('ENOTDIR', path, syscall);
        return { dir, dirSt, name, node: fd, st };
      }
      stack.push(fd);
    }
    // the path named a directory reached by nothing, `.`, `..` or a symlink: the top of the stack
    const top = stack[stack.length - 1]!;
    const parent = stack[Math.max(0, stack.length - 2)]!;
    return { dir: parent, dirSt: fs.fstatSync(parent), name: '', node: top, st: fs.fstatSync(top) };
  }

  private existing(fds: number[], path: string, follow: boolean, syscall: string, cred: Cred): Res & { node: number; st: fs.Stats } {
    const r = this.walk(fds, path, follow, syscall, cred);
    if (r.node === null || r.st === null) throw new FsError('ENOENT', path, syscall);
    return r as Res & { node: number; st: fs.Stats };
  }

  /** The anchored path of a new or existing final name (never of the root). */
  private at(r: Res, path: string, syscall: string): string {
    if (r.name === '') throw new FsError('EBUSY', path, syscall);
    return `${FD(r.dir)}/${r.name}`;
  }

  /** Gives a new inode its owner and mode as the kernel would for `cred` (the daemon creates as root). */
  private own(fds: number[], r: Res, kind: InodeKind, mode: number, cred: Cred): void {
    const o = initOwner(attrsOf(r.dirSt) as unknown as Inode, kind, mode, cred);
    const fd = this.openAt(fds, r.dir, r.name);
    if (fd === null) return;
    if (kind === 'symlink') fs.lchownSync(`${FD(r.dir)}/${r.name}`, o.uid, o.gid);
    else {
      fs.chownSync(FD(fd), o.uid, o.gid);
      fs.chmodSync(FD(fd), o.mode);
    }
  }

  lookupAt(dir: string, name: string, cred: Cred = ROOT_CRED): Stats | null {
    return this.run(dir, 'lookup', (fds) => {
      const d = this.existing(fds, dir, true, 'lookup', cred);
      if (!d.st.isDirectory()) throw new FsError('ENOTDIR', dir, 'lookup');
      if (!isRoot(cred)) checkSearch(attrsOf(d.st), cred, dir, 'lookup');
      const fd = this.openAt(fds, d.node, name);
      return fd === null ? null : hostStats(fs.fstatSync(fd));
    });
  }
  stat(path: string, cred: Cred = ROOT_CRED): Stats {
    return this.run(path, 'stat', (fds) => hostStats(this.existing(fds, path, true, 'stat', cred).st));
  }
  lstat(path: string, cred: Cred = ROOT_CRED): Stats {
    return this.run(path, 'lstat', (fds) => hostStats(this.existing(fds, path, false, 'lstat', cred).st));
  }
  access(path: string, mask: number, cred: Cred = ROOT_CRED): void {
    this.run(path, 'access', (fds) => checkPermission(attrsOf(this.existing(fds, path, true, 'access', cred).st), mask, cred, path, 'access'));
  }

  /** A regular file, opened again through its O_PATH fd with `flags`. */
  private openFile(fds: number[], path: string, flags: number, mask: number, cred: Cred): { fd: number; st: fs.Stats } {
    const r = this.existing(fds, path, true, 'open', cred);
    checkPermission(attrsOf(r.st), mask, cred, path, 'open');
    if (r.st.isDirectory()) throw new FsError('EISDIR', path, mask & MAY_WRITE ? 'open' : 'read');
    if (!r.st.isFile()) throw new FsError('EINVAL', path, 'read');
    const fd = fs.openSync(FD(r.node), flags);
    fds.push(fd);
    return { fd, st: r.st };
  }

  readFile(path: string, cred: Cred = ROOT_CRED): Buffer {
    return this.run(path, 'open', (fds) => fs.readFileSync(this.openFile(fds, path, O_RDONLY, MAY_READ, cred).fd));
  }
  read(path: string, offset: number, length: number, cred: Cred = ROOT_CRED): Buffer {
    return this.run(path, 'open', (fds) => {
      const { fd } = this.openFile(fds, path, O_RDONLY, MAY_READ, cred);
      const buf = Buffer.alloc(length);
      return buf.subarray(0, fs.readSync(fd, buf, 0, length, offset));
    });
  }

  writeFile(path: string, data: Buffer | string, opts: WriteOptions = {}, cred: Cred = ROOT_CRED): void {
    this.run(path, 'open', (fds) => {
      const r = this.walk(fds, path, !opts.exclusive, 'open', cred);
      let fd: number;
      if (r.node === null) {
        checkCreate(attrsOf(r.dirSt), cred, path, 'open');
        fd = fs.openSync(this.at(r, path, 'open'), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
        fds.push(fd);
        this.own(fds, r, 'file', opts.mode ?? 0o644, cred);
      } else {
        if (opts.exclusive) throw new FsError('EEXIST', path, 'open');
        fd = this.openFile(fds, path, O_WRONLY | (opts.append ? O_APPEND : O_TRUNC), MAY_WRITE, cred).fd;
      }
      fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
      if (!isRoot(cred)) this.dropPrivs(fd, cred);
    });
  }
  appendFile(path: string, data: Buffer | string, cred: Cred = ROOT_CRED): void {
    this.writeFile(path, data, { append: true }, cred);
  }
  write(path: string, offset: number, data: Buffer | string, cred: Cred = ROOT_CRED): void {
    this.run(path, 'open', (fds) => {
      const { fd } = this.openFile(fds, path, O_WRONLY, MAY_WRITE, cred);
      fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data, 0, undefined, offset);
      if (!isRoot(cred)) this.dropPrivs(fd, cred);
    });
  }
  /** file_remove_privs: a write by a caller without CAP_FSETID clears setuid/setgid (the daemon is root). */
  private dropPrivs(fd: number, cred: Cred): void {
    const mode = fs.fstatSync(fd).mode & 0o7777;
    const next = modeAfterWrite(mode, cred);
    if (next !== mode) fs.fchmodSync(fd, next);
  }
  truncate(path: string, len: number, cred: Cred = ROOT_CRED): void {
    this.run(path, 'truncate', (fds) => {
      const r = this.existing(fds, path, true, 'truncate', cred);
      if (r.st.isDirectory()) throw new FsError('EISDIR', path, 'truncate');
      if (!r.st.isFile()) throw new FsError('EINVAL', path, 'truncate');
      checkPermission(attrsOf(r.st), MAY_WRITE, cred, path, 'truncate');
      fs.truncateSync(FD(r.node), len);
    });
  }

  readdir(path: string, cred: Cred = ROOT_CRED): string[] {
    return this.run(path, 'opendir', (fds) => {
      const r = this.existing(fds, path, true, 'opendir', cred);
      if (!r.st.isDirectory()) throw new FsError('ENOTDIR', path, 'opendir');
      checkPermission(attrsOf(r.st), MAY_READ, cred, path, 'opendir');
      return fs.readdirSync(FD(r.node));
    });
  }
  readlink(path: string, cred: Cred = ROOT_CRED): string {
    return this.run(path, 'readlink', (fds) => {
      const r = this.existing(fds, path, false, 'readlink', cred);
      if (!r.st.isSymbolicLink()) throw new FsError('EINVAL', path, 'readlink');
      return fs.readlinkSync(this.at(r, path, 'readlink'));
    });
  }

  /** The start of mkdir, symlink and mknod: EEXIST before the parent's permission, as Vfs. */
  private create(path: string, syscall: string, cred: Cred, make: (at: string) => void, kind: InodeKind, mode: number): void {
    this.run(path, syscall, (fds) => {
      const r = this.walk(fds, path, false, syscall, cred);
      if (r.node !== null) throw new FsError('EEXIST', path, syscall);
      checkCreate(attrsOf(r.dirSt), cred, path, syscall);
      make(this.at(r, path, syscall));
      this.own(fds, r, kind, mode, cred);
    });
  }
  mkdir(path: string, mode = 0o755, cred: Cred = ROOT_CRED): void {
    this.create(path, 'mkdir', cred, (at) => fs.mkdirSync(at, 0o700), 'dir', mode & MKDIR_MODE_MASK);
  }
  symlink(target: string, path: string, cred: Cred = ROOT_CRED): void {
    this.create(path, 'symlink', cred, (at) => fs.symlinkSync(target, at), 'symlink', 0o777);
  }
  /** mknod(2) through mknod(1) (Node has none), naming the anchored parent by this process's fd. */
  mknod(path: string, kind: NodeKind, mode: number, major = 0, minor = 0, cred: Cred = ROOT_CRED): void {
    if (kind !== 'fifo' && !isRoot(cred)) throw new FsError('EPERM', path, 'mknod');
    this.create(path, 'mknod', cred, (at) => {
      const target = at.replace('/proc/self/', `/proc/${process.pid}/`);
      const args = kind === 'fifo' ? [target, 'p'] : [target, kind === 'char' ? 'c' : 'b', String(major), String(minor)];
      const r = spawnSync('mknod', ['-m', '600', ...args]);
      if (r.status !== 0) throw new FsError('EPERM', path, 'mknod');
    }, kind, mode);
  }

  rmdir(path: string, cred: Cred = ROOT_CRED): void {
    this.run(path, 'rmdir', (fds) => {
      const r = this.existing(fds, path, false, 'rmdir', cred);
      if (r.name === '') throw new FsError('EBUSY', path, 'rmdir');
      checkDelete(attrsOf(r.dirSt), attrsOf(r.st), cred, path, 'rmdir');
      fs.rmdirSync(this.at(r, path, 'rmdir'));
    });
  }
  unlink(path: string, cred: Cred = ROOT_CRED): void {
    this.run(path, 'unlink', (fds) => {
      const r = this.existing(fds, path, false, 'unlink', cred);
      checkDelete(attrsOf(r.dirSt), attrsOf(r.st), cred, path, 'unlink');
      if (r.st.isDirectory()) throw new FsError('EISDIR', path, 'unlink');
      fs.unlinkSync(this.at(r, path, 'unlink'));
    });
  }
  /** rename(2): permissions as may_delete/may_create decide; the host kernel rules on the kinds. */
  rename(from: string, to: string, cred: Cred = ROOT_CRED): void {
    this.run(to, 'rename', (fds) => {
      const s = this.walk(fds, from, false, 'rename', cred);
      const d = this.walk(fds, to, false, 'rename', cred);
      if (s.node === null || s.st === null) throw new FsError('ENOENT', from, 'rename');
      checkDelete(attrsOf(s.dirSt), attrsOf(s.st), cred, from, 'rename');
      if (d.st) checkDelete(attrsOf(d.dirSt), attrsOf(d.st), cred, to, 'rename');
      else checkCreate(attrsOf(d.dirSt), cred, to, 'rename');
      fs.renameSync(this.at(s, from, 'rename'), this.at(d, to, 'rename'));
    });
  }
  link(existingPath: string, newPath: string, cred: Cred = ROOT_CRED): void {
    this.run(newPath, 'link', (fds) => {
      const s = this.existing(fds, existingPath, false, 'link', cred);
      const d = this.walk(fds, newPath, false, 'link', cred);
      if (d.node !== null) throw new FsError('EEXIST', newPath, 'link');
      checkLinkSource(attrsOf(s.st), cred, existingPath);
      checkCreate(attrsOf(d.dirSt), cred, newPath, 'link');
      if (s.st.isDirectory()) throw new FsError('EPERM', existingPath, 'link');
      // linkat(2) without AT_SYMLINK_FOLLOW: the anchored name itself, never what a link points at
      fs.linkSync(this.at(s, existingPath, 'link'), this.at(d, newPath, 'link'));
    });
  }

  chmod(path: string, mode: number, cred: Cred = ROOT_CRED): void {
    this.run(path, 'chmod', (fds) => {
      const r = this.existing(fds, path, true, 'chmod', cred);
      fs.chmodSync(FD(r.node), chmodMode(attrsOf(r.st), mode, cred, path));
    });
  }
  chown(path: string, uid: number, gid: number, opts: { follow?: boolean } = {}, cred: Cred = ROOT_CRED): void {
    this.run(path, 'chown', (fds) => {
      const r = this.existing(fds, path, opts.follow ?? true, 'chown', cred);
      checkChown(attrsOf(r.st), uid, gid, cred, path);
      if (r.st.isSymbolicLink()) fs.lchownSync(this.at(r, path, 'chown'), uid, gid);
      else fs.chownSync(FD(r.node), uid, gid);
    });
  }
  utimes(path: string, mtime: number | null, cred: Cred = ROOT_CRED): void {
    this.run(path, 'utimes', (fds) => {
      const r = this.existing(fds, path, true, 'utimes', cred);
      checkUtimes(attrsOf(r.st), mtime !== null, cred, path);
      const t = mtime ?? Date.now() / 1000;
      fs.utimesSync(FD(r.node), t, t);
    });
  }

  getxattr(path: string, _name: string, cred: Cred = ROOT_CRED): string | undefined {
    this.stat(path, cred);
    return undefined;
  }
  setxattr(path: string, _name: string, _value: string, cred: Cred = ROOT_CRED): void {
    this.stat(path, cred);
    throw new FsError('EPERM', path, 'setxattr');
  }
  listxattr(path: string, opts: { follow?: boolean } = {}, cred: Cred = ROOT_CRED): string[] {
    if (opts.follow === false) this.lstat(path, cred);
    else this.stat(path, cred);
    return [];
  }
  removexattr(path: string, _name: string, cred: Cred = ROOT_CRED): void {
    this.stat(path, cred);
    throw new FsError('ENODATA', path, 'removexattr');
  }
}

