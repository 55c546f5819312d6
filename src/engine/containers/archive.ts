/**
 * `docker cp`: the container's filesystem read and written through `/containers/{id}/archive`, as
 * moby's daemon/archive.go does it (running or stopped alike):
 * - a path is taken as absolute in the container; its directory is resolved in the container's
 *   scope (symlinks followed, never above the root: the namespace's root is the container's), its
 *   last element is not followed unless the path ends in `/` (container.ResolvePath);
 * - stat (HEAD, and the X-Docker-Container-Path-Stat header of GET): name, size, mode as Go's
 *   os.FileMode, mtime, and for a symlink the path it resolves to in the container (StatPath);
 * - GET is a tar of the resource named by its base name, a directory with all it holds
 *   (TarResourceRebase); symlinks are archived as themselves;
 * - PUT extracts a tar into a directory, which must exist (`extraction point is not a directory`),
 *   removing what an entry replaces, refusing entries that climb out (`..`), and with
 *   noOverwriteDirNonDir refusing to put a directory over a file or a file over a directory.
 */
import { posix } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { extract, type Header } from 'tar-stream';
import { BoxlabError, FsError } from '../../errors.js';
import { TarWriter, type TarHeader } from '../../util/tarout.js';
import { FsContext } from '../../vfs/context.js';
import type { Stats } from '../../vfs/stats.js';

/** `X-Docker-Container-Path-Stat`'s JSON (types.ContainerPathStat). */
export interface PathStat {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}

/** Go's os.FileMode type bits (io/fs): what the stat's `mode` carries above the permissions. */
const GO_MODE = { dir: 2 ** 31, symlink: 2 ** 27, block: 2 ** 26, fifo: 2 ** 25, socket: 2 ** 24, char: 2 ** 26 + 2 ** 21 } as const;

function goFileMode(st: Stats): number {
  let m = st.mode & 0o777;
  if (st.mode & 0o4000) m += 2 ** 23;
  if (st.mode & 0o2000) m += 2 ** 22;
  if (st.mode & 0o1000) m += 2 ** 20;
  return m + ((GO_MODE as Record<string, number>)[st.type] ?? 0);
}

const notFound = (path: string, ref: string) => new BoxlabError('NotFound', `Could not find the file ${path} in container ${ref}`);

/**
 * symlink.FollowSymlinkInScope's error past 255 links; the engine names the path under the rootfs'
 * merged dir on its host (measured), the container's path here.
 */
const tooManyLinks = (path: string) => new BoxlabError('Unavailable', `evalSymlinksInScope: too many links in ${posix.join('/', path).replace(/(.)\/\.?$/, '$1')}`);

/** container.ResolvePath: the absolute path, its trailing `/` or `/.` kept. */
function absPath(path: string): string {
  const abs = posix.join('/', path);
  if (/\/\.$/.test(path) && !abs.endsWith('/.')) return `${abs === '/' ? '' : abs}/.`;
  if (path.endsWith('/') && !abs.endsWith('/')) return `${abs}/`;
  return abs;
}

function lstatIn(fs: FsContext, path: string, ref: string): Stats {
  try {
    return fs.lstat(path);
  } catch (e) {
    if (e instanceof FsError && (e.errno === 'ENOENT' || e.errno === 'ENOTDIR')) throw notFound(path, ref);
    if (e instanceof FsError && e.errno === 'ELOOP') throw tooManyLinks(path);
    throw e;
  }
}

/** The path a symlink resolves to in the container's scope (symlink.FollowSymlinkInScope). */
function resolveInScope(fs: FsContext, path: string, depth = 0): string {
  const parts = path.split('/').filter(Boolean);
  let cur = '/';
  for (let i = 0; i < parts.length; i++) {
    const next = posix.join(cur, parts[i]!);
    let st: Stats | undefined;
    try {
      st = fs.lstat(next);
    } catch {
      return posix.join(next, ...parts.slice(i + 1));
    }
    if (st.type === 'symlink' && depth < 255) {
      const target = fs.readlink(next);
      cur = resolveInScope(fs, target.startsWith('/') ? target : posix.join(cur, target), depth + 1);
    } else cur = next;
  }
  return cur;
}

export function statPath(fs: FsContext, path: string, ref: string): PathStat {
  if (path === '') throw new BoxlabError('InvalidArgument', 'bad parameter: pathcannot be empty');
  const abs = absPath(path);
  const st = lstatIn(fs, abs, ref);
  const clean = posix.normalize(abs).replace(/\/\.?$/, '') || '/';
  return {
    name: posix.basename(clean) || '/',
    size: st.size,
    mode: goFileMode(st),
    mtime: goTime(st.mtime),
    linkTarget: st.type === 'symlink' ? resolveInScope(fs, clean) : '',
  };
}

/** Go's RFC3339Nano: fraction digits without trailing zeros. */
function goTime(seconds: number): string {
  const iso = new Date(seconds * 1000).toISOString();
  return iso.replace(/\.(\d*?)0*Z$/, (_, f: string) => (f ? `.${f}Z` : 'Z'));
}

const TAR_TYPE = { file: 'file', dir: 'directory', symlink: 'symlink', char: 'character-device', block: 'block-device', fifo: 'fifo' } as const;

/** GET: the resource as a tar named by its base name; resolves once the tar is written. */
export async function archivePath(fs: FsContext, path: string, ref: string, out: Writable): Promise<void> {
  const stat = statPath(fs, path, ref);
  const abs = absPath(path);
  const w = new TarWriter(out);
  const add = async (src: string, name: string): Promise<void> => {
    const st = fs.lstat(src);
    const header: TarHeader = {
      name: st.type === 'dir' ? `${name}/` : name,
      mode: st.mode,
      uid: st.uid,
      gid: st.gid,
      mtime: new Date(st.mtime * 1000),
      type: TAR_TYPE[st.type as keyof typeof TAR_TYPE],
      // Go's tar.FileInfoHeader names the owner as the daemon's host does: uid 0 is root
      ...(st.uid === 0 ? { uname: 'root' } : {}),
      ...(st.gid === 0 ? { gname: 'root' } : {}),
    };
    if (st.type === 'symlink') header.linkname = fs.readlink(src);
    if (st.rdev) {
      header.devmajor = st.rdev.major;
      header.devminor = st.rdev.minor;
    }
    if (st.type === 'file') await w.add({ ...header, size: st.size }, fs.readFile(src));
    else await w.add({ ...header, size: 0 });
    // filepath.Walk: a directory's entries in lexical order, symlinks not followed
    if (st.type === 'dir') for (const n of fs.readdir(src).sort()) await add(posix.join(src, n), `${name}/${n}`);
  };
  await add(abs, stat.name === '/' ? '.' : stat.name);
  await w.finish();
}

export interface PutOptions {
  noOverwriteDirNonDir: boolean;
  /** The container's volumes and binds (where its MountPoints are, and whether RW). */
  volumes?: readonly { target: string; readOnly: boolean }[];
  /** HostConfig.ReadonlyRootfs: only a volume may be written. */
  readOnlyRootfs?: boolean;
}

/** volume.HasResource: `path` is the mount's destination or lies under it. */
const under = (path: string, dst: string) => path === dst || path.startsWith(dst === '/' ? '/' : `${dst}/`);

/** PUT: the tar in `body` extracted under the directory `path`. */
export async function extractArchive(fs: FsContext, path: string, ref: string, body: Readable, opts: PutOptions): Promise<void> {
  if (path === '') throw new BoxlabError('InvalidArgument', 'bad parameter: pathcannot be empty');
  const abs = absPath(path);
  let st: Stats;
  try {
    st = fs.stat(abs);
  } catch (e) {
    if (e instanceof FsError && (e.errno === 'ENOENT' || e.errno === 'ENOTDIR')) throw notFound(path, ref);
    if (e instanceof FsError && e.errno === 'ELOOP') throw tooManyLinks(path);
    throw e;
  }
  if (st.type !== 'dir') throw new BoxlabError('Unavailable', 'extraction point is not a directory');
  const dest = resolveInScope(fs, abs);
  // moby checkIfPathIsInAVolume and the read-only rootfs: refused before the body is read (measured)
  const volume = (opts.volumes ?? []).find((m) => under(dest, posix.normalize(m.target)));
  if (volume?.readOnly) throw new BoxlabError('Unavailable', 'mounted volume is marked read-only');
  if (!volume && opts.readOnlyRootfs) throw new BoxlabError('Unavailable', 'container rootfs is marked read-only');
  const ex = extract();
  // a directory's times are set after its entries are written (archive.Unpack's deferred chtimes)
  const dirTimes: [string, number][] = [];
  let entries = 0;
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (h, stream, next) => {
      entries++;
      const parts: Buffer[] = [];
      stream.on('data', (d) => parts.push(d as Buffer));
      stream.on('end', () => {
        try {
          writeEntry(fs, dest, h, Buffer.concat(parts), opts, dirTimes);
          next();
        } catch (e) {
          next(e as Error);
        }
      });
      stream.on('error', reject);
    });
    ex.on('finish', resolve);
    ex.on('error', (e) => {
      // Go's tar reader takes input shorter than one header as an empty archive
      if (entries === 0 && /Unexpected end of data/.test(e.message)) resolve();
      else reject(e);
    });
  });
  body.pipe(ex);
  await done;
  for (const [dir, mtime] of dirTimes.reverse()) fs.utimes(dir, mtime);
}

function writeEntry(fs: FsContext, dest: string, h: Header, data: Buffer, opts: PutOptions, dirTimes: [string, number][]): void {
  const rel = posix.normalize(`/${h.name}`);
  if (rel === '/') return;
  if (posix.normalize(h.name).startsWith('../')) throw new BoxlabError('InvalidArgument', `${JSON.stringify(h.name)} is outside of ${JSON.stringify(dest)}`);
  const target = posix.join(dest, rel);
  let existing: Stats | undefined;
  try {
    existing = fs.lstat(target);
  } catch {
    existing = undefined;
  }
  const isDir = h.type === 'directory';
  if (existing && opts.noOverwriteDirNonDir) {
    if (existing.type === 'dir' && !isDir) throw new BoxlabError('InvalidArgument', `cannot overwrite directory "${target}" with non-directory "${h.name}"`);
    if (existing.type !== 'dir' && isDir) throw new BoxlabError('InvalidArgument', `cannot overwrite non-directory "${target}" with directory "${h.name}"`);
  }
  // what an entry replaces goes first, unless a directory meets a directory (archive.createTarFile)
  if (existing && !(existing.type === 'dir' && isDir)) removeAll(fs, target);
  const mode = (h.mode ?? 0o644) & 0o7777;
  switch (h.type) {
    case 'directory':
      if (!existing || existing.type !== 'dir') fs.mkdir(target, mode);
      break;
    case 'file':
    case 'contiguous-file':
      fs.writeFile(target, data, { mode });
      break;
    case 'symlink':
      fs.symlink(h.linkname ?? '', target);
      break;
    case 'link':
      fs.link(posix.join(dest, posix.normalize(`/${h.linkname ?? ''}`)), target);
      return;
    case 'character-device':
    case 'block-device':
    case 'fifo':
      fs.mknod(target, h.type === 'fifo' ? 'fifo' : h.type === 'block-device' ? 'block' : 'char', mode, h.devmajor ?? 0, h.devminor ?? 0);
      break;
    default:
      return; // pax headers and the like carry no file
  }
  fs.chown(target, h.uid ?? 0, h.gid ?? 0, { follow: false });
  if (h.type !== 'symlink') {
    fs.chmod(target, mode);
    if (h.mtime && h.type === 'directory') dirTimes.push([target, h.mtime.getTime() / 1000]);
    else if (h.mtime) fs.utimes(target, h.mtime.getTime() / 1000);
  }
}

function removeAll(fs: FsContext, path: string): void {
  const st = fs.lstat(path);
  if (st.type === 'dir') {
    for (const n of fs.readdir(path)) removeAll(fs, posix.join(path, n));
    fs.rmdir(path);
  } else fs.unlink(path);
}
