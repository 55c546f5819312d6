/**
 * A filesystem seen from one of its directories (or files) down, for a bind mount of a path inside
 * a filesystem that cannot re-root itself (the overlay mount). Every path is the view's root path
 * joined with the one asked for. A mount namespace only ever passes paths it has resolved itself
 * (no `..`, no symlink left but a final one not to be followed), so the view never climbs above its
 * root. One difference from the kernel, where a bind mount's root is a dentry already reached: the
 * filesystem checks search permission on the directories above the view's root as well.
 */
import type { Cred } from './cred.js';
import type { FileSystem, NodeKind, WriteOptions } from './fs.js';
import { joinPath, splitPath } from './resolve.js';
import type { Stats } from './stats.js';

export class SubtreeView implements FileSystem {
  private readonly base: string;

  constructor(
    private readonly fs: FileSystem,
    root: string,
  ) {
    this.base = splitPath(root).join('/');
  }

  private p(path: string): string {
    const rel = splitPath(path).join('/');
    return rel === '' ? this.base : joinPath(this.base, rel);
  }

  get fsType(): string {
    return this.fs.fsType;
  }
  get dev(): number {
    return this.fs.dev;
  }
  mountOptions(): string[] {
    return this.fs.mountOptions();
  }
  subtree(path: string): FileSystem {
    return new SubtreeView(this.fs, this.p(path));
  }

  lookupAt(dir: string, name: string, cred?: Cred): Stats | null {
    return this.fs.lookupAt(this.p(dir), name, cred);
  }
  stat(path: string, cred?: Cred): Stats {
    return this.fs.stat(this.p(path), cred);
  }
  lstat(path: string, cred?: Cred): Stats {
    return this.fs.lstat(this.p(path), cred);
  }
  access(path: string, mask: number, cred?: Cred): void {
    this.fs.access(this.p(path), mask, cred);
  }
  readFile(path: string, cred?: Cred): Buffer {
    return this.fs.readFile(this.p(path), cred);
  }
  read(path: string, offset: number, length: number, cred?: Cred): Buffer {
    return this.fs.read(this.p(path), offset, length, cred);
  }
  writeFile(path: string, data: Buffer | string, opts?: WriteOptions, cred?: Cred): void {
    this.fs.writeFile(this.p(path), data, opts, cred);
  }
  appendFile(path: string, data: Buffer | string, cred?: Cred): void {
    this.fs.appendFile(this.p(path), data, cred);
  }
  write(path: string, offset: number, data: Buffer | string, cred?: Cred): void {
    this.fs.write(this.p(path), offset, data, cred);
  }
  truncate(path: string, len: number, cred?: Cred): void {
    this.fs.truncate(this.p(path), len, cred);
  }
  readdir(path: string, cred?: Cred): string[] {
    return this.fs.readdir(this.p(path), cred);
  }
  readlink(path: string, cred?: Cred): string {
    return this.fs.readlink(this.p(path), cred);
  }
  mkdir(path: string, mode?: number, cred?: Cred): void {
    this.fs.mkdir(this.p(path), mode, cred);
  }
  rmdir(path: string, cred?: Cred): void {
    this.fs.rmdir(this.p(path), cred);
  }
  unlink(path: string, cred?: Cred): void {
    this.fs.unlink(this.p(path), cred);
  }
  rename(from: string, to: string, cred?: Cred): void {
    this.fs.rename(this.p(from), this.p(to), cred);
  }
  link(existingPath: string, newPath: string, cred?: Cred): void {
    this.fs.link(this.p(existingPath), this.p(newPath), cred);
  }
  symlink(target: string, path: string, cred?: Cred): void {
    this.fs.symlink(target, this.p(path), cred);
  }
  mknod(path: string, kind: NodeKind, mode: number, major?: number, minor?: number, cred?: Cred): void {
    this.fs.mknod(this.p(path), kind, mode, major, minor, cred);
  }
  chmod(path: string, mode: number, cred?: Cred): void {
    this.fs.chmod(this.p(path), mode, cred);
  }
  chown(path: string, uid: number, gid: number, opts?: { follow?: boolean }, cred?: Cred): void {
    this.fs.chown(this.p(path), uid, gid, opts, cred);
  }
  utimes(path: string, mtime: number | null, cred?: Cred): void {
    this.fs.utimes(this.p(path), mtime, cred);
  }
  getxattr(path: string, name: string, cred?: Cred): string | undefined {
    return this.fs.getxattr(this.p(path), name, cred);
  }
  setxattr(path: string, name: string, value: string, cred?: Cred): void {
    this.fs.setxattr(this.p(path), name, value, cred);
  }
  listxattr(path: string, opts?: { follow?: boolean }, cred?: Cred): string[] {
    return this.fs.listxattr(this.p(path), opts, cred);
  }
  removexattr(path: string, name: string, cred?: Cred): void {
    this.fs.removexattr(this.p(path), name, cred);
  }
}
