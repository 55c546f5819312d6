/**
 * A synthetic filesystem: its files are generated when read, as the kernel's proc, sysfs and cgroup
 * filesystems generate theirs (fs/proc, fs/sysfs, kernel/cgroup). A subclass describes the tree
 * with `node(parts)`: a directory lists its entries, a file renders its content at each read (what
 * seq_file does at open), a symlink its target. Nothing can be created, removed or renamed in it
 * (EPERM, as proc and sysfs refuse); a file with no `write` refuses writes with EACCES, as a proc
 * file without a write handler does for root. Sizes are 0 (proc, cgroup) unless the node says.
 */
import { FsError } from '../errors.js';
import { ROOT_CRED, checkSearch, permitted, type Cred } from './cred.js';
import type { FileSystem, NodeKind, WriteOptions } from './fs.js';
import { S_IFMT } from './inode.js';
import { joinPath, splitPath } from './resolve.js';
import type { Stats } from './stats.js';
import { SubtreeView } from './subtree.js';
import { allocDev } from './superblock.js';

export type SynthNode =
  | { type: 'dir'; mode?: number; entries(): string[]; nlink?: number }
  | { type: 'file'; mode?: number; size?: number; content(): string | Buffer; write?(data: string): void }
  | { type: 'symlink'; target(): string; size?: number; mode?: number };

export interface SynthOptions {
  fsType: string;
  /** Options /proc/self/mounts shows after the mount flags (`cpu`, `mode=620`). */
  options?: readonly string[];
  /** The time every inode shows (the mount's). */
  mtime: number;
}

const MODE: Record<SynthNode['type'], number> = { dir: 0o555, file: 0o444, symlink: 0o777 };

export abstract class SynthFs implements FileSystem {
  readonly dev = allocDev();
  readonly fsType: string;
  private readonly options: readonly string[];
  private readonly mtime: number;
  /**
   * Inode numbers handed out so far, by path: made at the first stat. A container mounts about a
   * dozen of these views (/proc, /sys, each cgroup hierarchy, devpts, mqueue) that nobody reads in
   * most containers, and an empty Map is ~150 bytes (60,000 containers: bench:ipam).
   */
  private inodes: Map<string, number> | undefined;

  constructor(opts: SynthOptions) {
    this.fsType = opts.fsType;
    this.options = opts.options ?? [];
    this.mtime = opts.mtime;
  }

  /** The node at `parts` (no `.` or `..` in it), or null when there is none. */
  protected abstract node(parts: readonly string[]): SynthNode | null;

  mountOptions(): string[] {
    return [...this.options];
  }
  subtree(path: string): FileSystem {
    return new SubtreeView(this, path);
  }

  private find(path: string, syscall: string): { node: SynthNode; parts: string[] } {
    const parts = splitPath(path);
    for (let i = 0; i < parts.length; i++) {
      const dir = this.node(parts.slice(0, i));
      if (!dir) throw new FsError('ENOENT', path, syscall);
      if (dir.type !== 'dir') throw new FsError('ENOTDIR', path, syscall);
    }
    const node = this.node(parts);
    if (!node) throw new FsError('ENOENT', path, syscall);
    return { node, parts };
  }

  private ino(key: string): number {
    const inodes = (this.inodes ??= new Map());
    let n = inodes.get(key);
    if (n === undefined) {
      n = inodes.size + 1;
      inodes.set(key, n);
    }
    return n;
  }

  private statNode(node: SynthNode, parts: readonly string[]): Stats {
    const mode = node.mode ?? MODE[node.type];
    const nlink = node.type === 'dir' ? (node.nlink ?? 2 + this.subdirs(parts, node)) : 1;
    return {
      type: node.type,
      mode,
      stMode: S_IFMT[node.type] | mode,
      uid: 0,
      gid: 0,
      size: node.type === 'dir' ? 0 : (node.size ?? 0),
      mtime: this.mtime,
      ino: this.ino(parts.join('/')),
      nlink,
      dev: this.dev,
      // a pseudo filesystem's symlinks take no blocks (/proc/PID/fd links report a size of 64)
      ...(node.type === 'symlink' ? { blocks: 0 } : {}),
    };
  }

  private subdirs(parts: readonly string[], dir: SynthNode & { type: 'dir' }): number {
    return dir.entries().filter((e) => this.node([...parts, e])?.type === 'dir').length;
  }

  lookupAt(dir: string, name: string, cred: Cred = ROOT_CRED): Stats | null {
    const d = this.find(dir, 'lookup');
    if (d.node.type !== 'dir') throw new FsError('ENOTDIR', dir, 'lookup');
    const ds = this.statNode(d.node, d.parts);
    checkSearch({ kind: 'dir', mode: ds.mode, uid: ds.uid, gid: ds.gid }, cred, dir, 'lookup');
    if (name === '.' || name === '') return this.statNode(d.node, d.parts);
    const parts = [...d.parts, name];
    const node = this.node(parts);
    return node ? this.statNode(node, parts) : null;
  }
  lstat(path: string): Stats {
    const { node, parts } = this.find(path, 'lstat');
    return this.statNode(node, parts);
  }
  stat(path: string, cred: Cred = ROOT_CRED): Stats {
    const { node, parts } = this.find(path, 'stat');
    if (node.type !== 'symlink') return this.statNode(node, parts);
    const target = node.target();
    const next = target.startsWith('/') ? target : joinPath(parts.slice(0, -1).join('/'), target);
    return this.stat(next, cred);
  }
  access(path: string, mask: number, cred: Cred = ROOT_CRED): void {
    const st = this.stat(path, cred);
    if (!permitted({ kind: st.type, mode: st.mode, uid: st.uid, gid: st.gid }, mask, cred)) throw new FsError('EACCES', path, 'access');
  }

  readFile(path: string): Buffer {
    const { node } = this.find(path, 'open');
    if (node.type === 'dir') throw new FsError('EISDIR', path, 'read');
    if (node.type === 'symlink') return this.readFile(node.target());
    const c = node.content();
    return typeof c === 'string' ? Buffer.from(c) : c;
  }
  read(path: string, offset: number, length: number): Buffer {
    return this.readFile(path).subarray(offset, offset + length);
  }
  writeFile(path: string, data: Buffer | string): void {
    const { node } = this.find(path, 'open');
    if (node.type !== 'file' || !node.write) throw new FsError('EACCES', path, 'open');
    node.write(data.toString());
  }
  appendFile(path: string, data: Buffer | string): void {
    this.writeFile(path, data);
  }
  write(path: string, _offset: number, data: Buffer | string): void {
    this.writeFile(path, data);
  }
  truncate(path: string): void {
    const { node } = this.find(path, 'truncate');
    // O_TRUNC on a proc or cgroup file is ignored by the kernel; the file is rewritten at each write
    if (node.type !== 'file' || !node.write) throw new FsError('EACCES', path, 'truncate');
  }

  readdir(path: string): string[] {
    const { node } = this.find(path, 'readdir');
    if (node.type !== 'dir') throw new FsError('ENOTDIR', path, 'readdir');
    return node.entries();
  }
  readlink(path: string): string {
    const { node } = this.find(path, 'readlink');
    if (node.type !== 'symlink') throw new FsError('EINVAL', path, 'readlink');
    return node.target();
  }

  private refuse(path: string, syscall: string): never {
    throw new FsError('EPERM', path, syscall);
  }
  mkdir(path: string): void {
    this.refuse(path, 'mkdir');
  }
  rmdir(path: string): void {
    this.refuse(path, 'rmdir');
  }
  unlink(path: string): void {
    this.refuse(path, 'unlink');
  }
  rename(from: string): void {
    this.refuse(from, 'rename');
  }
  link(_existing: string, path: string): void {
    this.refuse(path, 'link');
  }
  symlink(_target: string, path: string): void {
    this.refuse(path, 'symlink');
  }
  mknod(path: string, _kind: NodeKind): void {
    this.refuse(path, 'mknod');
  }
  chmod(path: string): void {
    this.refuse(path, 'chmod');
  }
  chown(path: string): void {
    this.refuse(path, 'chown');
  }
  utimes(path: string): void {
    this.refuse(path, 'utimensat');
  }
  getxattr(path: string): string | undefined {
    this.find(path, 'getxattr');
    return undefined;
  }
  setxattr(path: string): void {
    this.refuse(path, 'setxattr');
  }
  listxattr(): string[] {
    return [];
  }
  removexattr(path: string): void {
    throw new FsError('ENODATA', path, 'removexattr');
  }
}

/** A directory node listing `names`. */
export function dirOf(names: readonly string[], mode?: number): SynthNode {
  return { type: 'dir', entries: () => [...names], ...(mode !== undefined ? { mode } : {}) };
}

/** A read-only file node. */
export function fileOf(content: () => string, mode?: number): SynthNode {
  return { type: 'file', content, ...(mode !== undefined ? { mode } : {}) };
}

/** An empty directory filesystem of a type (mqueue, devpts, a sysfs with nothing modelled under it). */
export class EmptyFs extends SynthFs {
  constructor(opts: SynthOptions, private readonly rootMode = 0o755) {
    super(opts);
  }
  protected node(parts: readonly string[]): SynthNode | null {
    return parts.length === 0 ? dirOf([], this.rootMode) : null;
  }
}

export type { WriteOptions };
