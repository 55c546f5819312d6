/**
 * The filesystem port the process model runs over: the calls of program.ts's FileSystem, with
 * absolute paths (already in the process's root and mount namespace) and raw streams. The engine
 * adapts a container's mount namespace to it, one port per set of credentials; `vfsPort` adapts the
 * in-memory Vfs (the caller is root there). The kernel turns a port into each process's view:
 * relative paths from its cwd, streams held by the process (processView below).
 */
import { FsError } from '../errors.js';
import type { Vfs } from '../vfs/vfs.js';
import type { FileStat, FileSystem, ReadStream, WriteFlags, WriteStream } from './program.js';
import { X_OK } from './program.js';
import { nameOpenFile, type Sink, type Source } from './stream.js';
import type { StatFs } from './busybox/ext.js';

export interface FsPort extends Omit<FileSystem, 'openRead' | 'openWrite' | 'resolve'> {
  openRead(path: string): Promise<Source>;
  openWrite(path: string, flags: WriteFlags): Promise<Sink>;
  /** statfs(2) of the filesystem holding `path`, when the port's owner can say (a container's can). */
  statfs?(path: string): Promise<StatFs>;
}

/** The port over an in-memory Vfs; a process there acts as root, so access() checks only X_OK's bits. */
export function vfsPort(vfs: Vfs): FsPort {
  return {
    stat: async (p) => vfs.stat(p),
    lstat: async (p) => vfs.lstat(p),
    readdir: async (p) => vfs.readdir(p),
    readlink: async (p) => vfs.readlink(p),
    access: async (p, mode) => {
      const st = vfs.stat(p);
      // Root passes every check but X_OK, which needs an execute bit somewhere (or a directory).
      if (mode & X_OK && st.type !== 'dir' && (st.mode & 0o111) === 0) throw new FsError('EACCES', p, 'access');
    },
    openRead: async (p) => openReadVfs(vfs, p),
    openWrite: async (p, f) => openWriteVfs(vfs, p, f),
    // mkdir(2) applies the process's umask (runc's 022), as open(2) does when it creates
    mkdir: async (p, m) => vfs.mkdir(p, (m ?? 0o755) & ~0o022),
    rmdir: async (p) => vfs.rmdir(p),
    unlink: async (p) => vfs.unlink(p),
    rename: async (a, b) => vfs.rename(a, b),
    symlink: async (t, p) => vfs.symlink(t, p),
    link: async (a, b) => vfs.link(a, b),
    chmod: async (p, m) => vfs.chmod(p, m),
    chown: async (p, u, g, o) => vfs.chown(p, u, g, o),
    utimes: async (p, t) => vfs.utimes(p, t),
    truncate: async (p, n) => vfs.truncate(p, n),
  };
}

function openReadVfs(vfs: Vfs, path: string): Source {
  const st = vfs.stat(path);
  // open(O_RDONLY) of a directory succeeds; read(2) then fails with EISDIR.
  let data: Buffer | null = st.type === 'dir' ? null : st.type === 'file' ? vfs.readFile(path) : Buffer.alloc(0);
  let off = 0;
  return {
    kind: st.type === 'char' ? 'null' : 'file',
    read: async (max) => {
      if (data === null) throw new FsError('EISDIR', path, 'read');
      if (off >= data.length) return null;
      const out = data.subarray(off, off + max);
      off += out.length;
      return out;
    },
    close: () => {
      data = Buffer.alloc(0);
    },
  };
}

function openWriteVfs(vfs: Vfs, path: string, f: WriteFlags): Sink {
  const exists = vfs.exists(path);
  if (exists && f.exclusive) throw new FsError('EEXIST', path, 'open');
  if (!exists && !f.create) throw new FsError('ENOENT', path, 'open');
  const st = exists ? vfs.stat(path) : null;
  if (st?.type === 'dir') throw new FsError('EISDIR', path, 'open');
  // Writes to /dev/null and other devices go nowhere in this model.
  if (st && st.type !== 'file') return { kind: 'null', write: async () => {}, close: () => {} };
  if (!exists) vfs.writeFile(path, Buffer.alloc(0), { mode: (f.mode ?? 0o666) & ~0o022 });
  else if (f.truncate) vfs.truncate(path, 0);
  let off = f.append ? vfs.stat(path).size : 0;
  return {
    kind: 'file',
    write: async (d) => {
      const cur = vfs.readFile(path);
      const at = f.append ? cur.length : off;
      const next = Buffer.alloc(Math.max(cur.length, at + d.length));
      cur.copy(next);
      next.set(d, at);
      vfs.writeFile(path, next);
      off = at + d.length;
    },
    close: () => {},
  };
}

/** What the kernel needs of a process to give it a view of a port. */
export interface ViewOwner {
  readonly cwd: string;
  holdSource(s: Source): ReadStream;
  holdSink(s: Sink): WriteStream;
}

/** A process's FileSystem: paths from its cwd, opened streams held (and closed at exit) by it. */
export function processView(port: FsPort, owner: ViewOwner): FileSystem {
  // Relative to the cwd, but not normalised: the kernel's walk decides what `..` after a symlink and a
  // trailing slash mean (`ls -l link/` lists the directory a symlink names; path_resolution(7)).
  const abs = (p: string) => (p === '' ? owner.cwd : p.startsWith('/') ? p : owner.cwd === '/' ? `/${p}` : `${owner.cwd}/${p}`);
  return {
    resolve: abs,
    stat: (p) => port.stat(abs(p)),
    lstat: (p) => port.lstat(abs(p)),
    readdir: (p) => port.readdir(abs(p)),
    readlink: (p) => port.readlink(abs(p)),
    access: (p, m) => port.access(abs(p), m),
    openRead: async (p) => owner.holdSource(nameOpenFile(await port.openRead(abs(p)), abs(p))),
    openWrite: async (p, f) => owner.holdSink(nameOpenFile(await port.openWrite(abs(p), f), abs(p))),
    mkdir: (p, m) => port.mkdir(abs(p), m),
    rmdir: (p) => port.rmdir(abs(p)),
    unlink: (p) => port.unlink(abs(p)),
    rename: (a, b) => port.rename(abs(a), abs(b)),
    symlink: (t, p) => port.symlink(t, abs(p)),
    link: (a, b) => port.link(abs(a), abs(b)),
    chmod: (p, m) => port.chmod(abs(p), m),
    chown: (p, u, g, o) => port.chown(abs(p), u, g, o),
    utimes: (p, t) => port.utimes(abs(p), t),
    truncate: (p, n) => port.truncate(abs(p), n),
  };
}

export type { FileStat };
