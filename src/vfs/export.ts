/**
 * A filesystem as one tar, the way `docker export` writes a container's merged view: every path once,
 * parents before children in byte order, no whiteouts (what a merged view never shows), the second
 * and later names of one inode as hardlinks to the first, extended attributes as SCHILY.xattr PAX
 * records. It reads through the FileSystem interface, so it serves an overlay mount, a tmpfs or a
 * bind alike; file bodies are read in chunks, never whole.
 */
import { Readable, type Writable } from 'node:stream';
import { TarWriter, type TarHeader } from '../util/tarout.js';
import { isErrno } from '../errors.js';
import type { FileSystem } from './fs.js';
import type { Stats } from './stats.js';

const TAR_TYPE = {
  file: 'file',
  dir: 'directory',
  symlink: 'symlink',
  char: 'character-device',
  block: 'block-device',
  fifo: 'fifo',
} as const;

// 4 MiB pieces: fewer reads of the layer tar for a large file, little memory held
const CHUNK = 4 << 20;

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * Every path under `dir` (relative, no leading slash) with its lstat, parents first, names in byte
 * order. A name readdir lists but lstat does not find is passed over, as moby's tar walker skips a
 * file it cannot stat: the kernel lists a whiteout of a directory that only one layer has (the
 * overlay reads that directory as a plain one) while a lookup of the name says ENOENT.
 */
export function* walkFs(fs: FileSystem, dir = ''): Generator<{ path: string; st: Stats }> {
  for (const name of fs.readdir(dir || '/').sort(byteOrder)) {
    const path = dir ? `${dir}/${name}` : name;
    let st: Stats;
    try {
      st = fs.lstat(path);
    } catch (e) {
      if (isErrno(e, 'ENOENT')) continue;
      throw e;
    }
    yield { path, st };
    if (st.type === 'dir') yield* walkFs(fs, path);
  }
}

export async function exportFs(fs: FileSystem, out: Writable, opts: { skip?: (path: string) => boolean } = {}): Promise<void> {
  const w = new TarWriter(out);
  const firstName = new Map<string, string>();
  for (const { path, st } of walkFs(fs)) {
    if (opts.skip?.(path)) continue;
    const header: TarHeader = {
      name: st.type === 'dir' ? `${path}/` : path,
      mode: st.mode,
      uid: st.uid,
      gid: st.gid,
      mtime: new Date(st.mtime * 1000),
      type: TAR_TYPE[st.type as keyof typeof TAR_TYPE],
    };
    const xattrs = fs.listxattr(path, { follow: false });
    if (xattrs.length)
      header.pax = Object.fromEntries(xattrs.map((k) => [`SCHILY.xattr.${k}`, fs.getxattr(path, k) ?? '']));
    const identity = `${st.dev}:${st.ino}`;
    const first = st.type !== 'dir' && st.nlink > 1 ? firstName.get(identity) : undefined;
    if (first !== undefined) {
      await w.add({ ...header, type: 'link', linkname: first, size: 0 });
      continue;
    }
    if (st.type !== 'dir' && st.nlink > 1) firstName.set(identity, path);
    if (st.type === 'symlink') header.linkname = fs.readlink(path);
    if ((st.type === 'char' || st.type === 'block') && st.rdev) {
      header.devmajor = st.rdev.major;
      header.devminor = st.rdev.minor;
    }
    if (st.type === 'file' && st.size > 0) await addFile(w, header, fs, path, st.size);
    else await w.add({ ...header, size: 0 });
  }
  await w.finish();
}

function addFile(w: TarWriter, header: TarHeader, fs: FileSystem, path: string, size: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const entry = w.pack.entry({ ...header, size }, (err) => (err ? reject(err) : resolve()));
    let off = 0;
    Readable.from(
      (function* () {
        while (off < size) {
          const chunk = fs.read(path, off, Math.min(CHUNK, size - off));
          if (chunk.length === 0) break;
          off += chunk.length;
          yield chunk;
        }
      })(),
    )
      .pipe(entry as unknown as NodeJS.WritableStream)
      .on('error', reject);
  });
}
