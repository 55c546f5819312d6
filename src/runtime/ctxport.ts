/**
 * The filesystem port over a process's view of a mount namespace (vfs/context.ts): what the kernel
 * gives a container's processes. Paths arrive absolute; credentials are the context's, so the kernel's
 * permission rules (EACCES, EPERM, EROFS, EXDEV) apply. Reads and writes go through the mounted
 * filesystem: an opened file is read from the offset it has reached, a write lands at once. A
 * character device swallows what is written; /dev/zero and /dev/urandom read without end, others as empty.
 */
import { randomBytes } from 'node:crypto';
import { FsError } from '../errors.js';
import type { FsContext } from '../vfs/context.js';
import type { FileSystem as VfsFileSystem } from '../vfs/fs.js';
import type { StatFs } from './busybox/ext.js';
import type { FsPort } from './fsport.js';
import type { WriteFlags } from './program.js';
import type { Sink, Source } from './stream.js';

/** What statfs(2) reports for a mounted filesystem; the engine knows the disks behind them. */
export type StatFsOf = (fs: VfsFileSystem) => StatFs;

export function contextPort(ctx: FsContext, statfsOf?: StatFsOf): FsPort {
  return {
    ...(statfsOf
      ? {
          statfs: async (p: string) => {
            const w = ctx.ns.walk(p, ctx, true, 'statfs');
            if (!w.loc) throw new FsError('ENOENT', p, 'statfs');
            return statfsOf(w.loc.mnt.fs);
          },
        }
      : {}),
    stat: async (p) => ctx.stat(p),
    lstat: async (p) => ctx.lstat(p),
    readdir: async (p) => ctx.readdir(p),
    readlink: async (p) => ctx.readlink(p),
    access: async (p, mode) => ctx.access(p, mode),
    openRead: async (p) => openRead(ctx, p),
    openWrite: async (p, f) => openWrite(ctx, p, f),
    // mkdir(2) applies the process's umask (runc's 022), as open(2) does when it creates
    mkdir: async (p, m) => ctx.mkdir(p, (m ?? 0o755) & ~0o022),
    rmdir: async (p) => ctx.rmdir(p),
    unlink: async (p) => ctx.unlink(p),
    rename: async (a, b) => ctx.rename(a, b),
    symlink: async (t, p) => ctx.symlink(t, p),
    link: async (a, b) => ctx.link(a, b),
    chmod: async (p, m) => ctx.chmod(p, m),
    chown: async (p, u, g, o) => ctx.chown(p, u, g, o),
    utimes: async (p, t) => ctx.utimes(p, t),
    truncate: async (p, n) => ctx.truncate(p, n),
  };
}

function openRead(ctx: FsContext, path: string): Source {
  const st = ctx.stat(path);
  ctx.access(path, 4);
  const isDir = st.type === 'dir';
  const device = st.type !== 'file' && !isDir;
  let off = 0;
  let closed = false;
  // the memory devices of drivers/char/mem.c: /dev/zero (1:5) reads zeros, /dev/random and
  // /dev/urandom (1:8, 1:9) random bytes, without end; any other device reads as empty
  const mem = st.type === 'char' && st.rdev?.major === 1 ? st.rdev.minor : -1;
  if (mem === 5 || mem === 8 || mem === 9) {
    return {
      kind: 'file',
      read: async (max) => (closed ? null : mem === 5 ? new Uint8Array(Math.min(max, 65536)) : randomBytes(Math.min(max, 65536))),
      close: () => {
        closed = true;
      },
    };
  }
  return {
    kind: device ? 'null' : 'file',
    read: async (max) => {
      if (isDir) throw new FsError('EISDIR', path, 'read');
      if (device || closed) return null;
      const chunk = ctx.read(path, off, Math.min(max, 1 << 20));
      if (chunk.length === 0) return null;
      off += chunk.length;
      return chunk;
    },
    close: () => {
      closed = true;
    },
  };
}

function openWrite(ctx: FsContext, path: string, f: WriteFlags): Sink {
  let st = null;
  try {
    st = ctx.stat(path);
  } catch (e) {
    if (!(e instanceof FsError) || e.errno !== 'ENOENT') throw e;
  }
  if (st && f.exclusive) throw new FsError('EEXIST', path, 'open');
  if (!st && !f.create) throw new FsError('ENOENT', path, 'open');
  if (st?.type === 'dir') throw new FsError('EISDIR', path, 'open');
  if (st && st.type !== 'file') {
    ctx.access(path, 2);
    return { kind: 'null', write: async () => {}, close: () => {} };
  }
  if (!st) ctx.writeFile(path, Buffer.alloc(0), { mode: (f.mode ?? 0o666) & ~0o022, exclusive: !!f.exclusive });
  else {
    ctx.access(path, 2);
    if (f.truncate) ctx.truncate(path, 0);
  }
  let off = f.append ? ctx.stat(path).size : 0;
  return {
    kind: 'file',
    write: async (d) => {
      if (f.append) ctx.appendFile(path, Buffer.from(d));
      else {
        ctx.write(path, off, Buffer.from(d));
        off += d.length;
      }
    },
    close: () => {},
  };
}
