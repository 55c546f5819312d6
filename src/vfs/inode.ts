/**
 * The inode model (memfs's split): an Inode holds what a file *is* (kind, mode, owner, data);
 * a directory maps names to inodes. A name is not part of the inode, so hardlinks are two names
 * for one object, and copy-up, which makes a new inode, breaks a link by construction.
 */

export type InodeKind = 'file' | 'dir' | 'symlink' | 'char' | 'block' | 'fifo';

interface InodeBase {
  readonly ino: number;
  /** Permission bits including setuid, setgid and sticky (mask 0o7777). */
  mode: number;
  uid: number;
  gid: number;
  /** Modification time, seconds since the epoch. */
  mtime: number;
  /** Names pointing at this inode (for a directory: 2 + its subdirectories, as POSIX counts). */
  nlink: number;
  xattrs?: Map<string, string>;
}

export interface FileInode extends InodeBase {
  readonly kind: 'file';
  /** Bytes owned by this inode, or null while they still live in a layer and are read on demand. */
  data: Buffer | null;
  /** Reads the bytes of a lazily backed file (a lower layer's member); never cached here. */
  load?: () => Buffer;
  /** Reads part of a lazily backed file, so a large file is never held whole (export, `cat`). */
  loadRange?: (offset: number, length: number) => Buffer;
  size: number;
}

export interface DirInode extends InodeBase {
  readonly kind: 'dir';
  readonly entries: Map<string, Inode>;
}

export interface SymlinkInode extends InodeBase {
  readonly kind: 'symlink';
  target: string;
}

export interface DeviceInode extends InodeBase {
  readonly kind: 'char' | 'block';
  major: number;
  minor: number;
}

export interface FifoInode extends InodeBase {
  readonly kind: 'fifo';
}

export type Inode = FileInode | DirInode | SymlinkInode | DeviceInode | FifoInode;

let nextIno = 1;

/** A fresh inode number; unique within this process, like st_ino within one filesystem. */
export function allocIno(): number {
  return nextIno++;
}

export interface Meta {
  mode: number;
  uid?: number;
  gid?: number;
  mtime?: number;
}

// Each constructor writes its object literal whole (no spread of a shared base): V8 builds a
// spread object through a slow generic path, and an image of 20,000 files makes 20,000 of them.
const when = (meta: Partial<Meta>): number => meta.mtime ?? Math.floor(Date.now() / 1000);

export function newDir(meta: Meta): DirInode {
  return { kind: 'dir', ino: allocIno(), mode: meta.mode & 0o7777, uid: meta.uid ?? 0, gid: meta.gid ?? 0, mtime: when(meta), nlink: 2, entries: new Map() };
}

export function newFile(meta: Meta, data: Buffer = Buffer.alloc(0)): FileInode {
  return { kind: 'file', ino: allocIno(), mode: meta.mode & 0o7777, uid: meta.uid ?? 0, gid: meta.gid ?? 0, mtime: when(meta), nlink: 0, data, size: data.length };
}

/** A file whose bytes are read from elsewhere (a layer tar) only when someone reads them, whole or in ranges. */
export function newLazyFile(meta: Meta, size: number, load: () => Buffer, loadRange?: (offset: number, length: number) => Buffer): FileInode {
  const f: FileInode = { kind: 'file', ino: allocIno(), mode: meta.mode & 0o7777, uid: meta.uid ?? 0, gid: meta.gid ?? 0, mtime: when(meta), nlink: 0, data: null, load, size };
  if (loadRange) f.loadRange = loadRange;
  return f;
}

export function newSymlink(target: string, meta: Partial<Meta> = {}): SymlinkInode {
  return { kind: 'symlink', ino: allocIno(), mode: (meta.mode ?? 0o777) & 0o7777, uid: meta.uid ?? 0, gid: meta.gid ?? 0, mtime: when(meta), nlink: 0, target };
}

export function newDevice(kind: 'char' | 'block', major: number, minor: number, meta: Meta): DeviceInode {
  return { kind, ino: allocIno(), mode: meta.mode & 0o7777, uid: meta.uid ?? 0, gid: meta.gid ?? 0, mtime: when(meta), nlink: 0, major, minor };
}

export function newFifo(meta: Meta): FifoInode {
  return { kind: 'fifo', ino: allocIno(), mode: meta.mode & 0o7777, uid: meta.uid ?? 0, gid: meta.gid ?? 0, mtime: when(meta), nlink: 0 };
}

/** The bytes of a file inode, reading a lazily backed one from its layer. */
export function fileData(f: FileInode): Buffer {
  if (f.data) return f.data;
  return f.load ? f.load() : Buffer.alloc(0);
}

/** pread(2) on a file inode: up to `length` bytes from `offset`, a lazily backed one read in that range only. */
export function fileRange(f: FileInode, offset: number, length: number): Buffer {
  if (f.data) return Buffer.from(f.data.subarray(offset, offset + length));
  const n = Math.max(0, Math.min(length, f.size - offset));
  if (n === 0) return Buffer.alloc(0);
  if (f.loadRange) return f.loadRange(offset, n);
  return Buffer.from(fileData(f).subarray(offset, offset + n));
}

/** Puts `child` under `name` in `dir` (the caller has checked that the name is free). */
export function linkInto(dir: DirInode, name: string, child: Inode): void {
  dir.entries.set(name, child);
  child.nlink += child.kind === 'dir' ? 0 : 1;
  if (child.kind === 'dir') dir.nlink++;
}

/** Removes the name `name` from `dir`; the inode lives on while other names point at it. */
export function unlinkFrom(dir: DirInode, name: string): Inode | undefined {
  const child = dir.entries.get(name);
  if (!child) return undefined;
  dir.entries.delete(name);
  if (child.kind === 'dir') dir.nlink--;
  else child.nlink--;
  return child;
}

/** A copy of an inode's metadata and content as a new inode (what copy-up and `cp -a` make). */
export function cloneInode(src: Inode, opts: { skipXattr?: (name: string) => boolean } = {}): Inode {
  const meta: Meta = { mode: src.mode, uid: src.uid, gid: src.gid, mtime: src.mtime };
  let out: Inode;
  switch (src.kind) {
    case 'file':
      out = newFile(meta, Buffer.from(fileData(src)));
      break;
    case 'dir':
      out = newDir(meta);
      break;
    case 'symlink':
      out = newSymlink(src.target, meta);
      break;
    case 'char':
    case 'block':
      out = newDevice(src.kind, src.major, src.minor, meta);
      break;
    case 'fifo':
      out = newFifo(meta);
      break;
  }
  if (src.xattrs) {
    for (const [k, v] of src.xattrs) {
      if (opts.skipXattr?.(k)) continue;
      (out.xattrs ??= new Map()).set(k, v);
    }
  }
  return out;
}

/** Type bits of st_mode, as stat(2) reports them. */
export const S_IFMT: Record<InodeKind, number> = {
  file: 0o100000,
  dir: 0o040000,
  symlink: 0o120000,
  char: 0o020000,
  block: 0o060000,
  fifo: 0o010000,
};
