/**
 * One layer applied the way Docker's overlay2 driver applies it: the layer's tar members unpacked
 * into an empty diff directory (moby daemon/graphdriver/overlay2 ApplyDiff → pkg/archive Unpack with
 * the overlay whiteout converter). A whiteout becomes a character device 0/0, an opaque marker the
 * xattr `trusted.overlay.opaque=y` (Documentation/filesystems/overlayfs.rst, "whiteouts and opaque
 * directories"); the kernel's overlay rules then merge the diffs (src/overlay). This is the one way
 * boxlab applies a layer: `load` builds it to refuse what Docker refuses, the mount reads it.
 *
 * Docker's Unpack, entry by entry (the rules this file follows):
 * - a missing parent is made with MkdirAll(parent, 0755), following symlinks of this layer inside the
 *   root (the unpack runs chrooted); a lower layer is not there, so a lower symlink is never followed;
 * - an existing entry at the name is removed first unless both are directories (then the directory
 *   takes the entry's attributes and keeps its children);
 * - `.wh.NAME` mknods NAME: it fails when NAME exists in this layer ("file exists") or its parent is
 *   not a directory; `.wh..wh..opq` marks its directory opaque;
 * - a hardlink links to a name of this layer: another layer's file is not in the empty directory.
 * File bytes stay in the layer tar and are read on demand, in ranges.
 */
import type { Digest } from '../digest.js';
import { BoxlabError, isErrno } from '../errors.js';
import { linkInto, newDevice, newDir, newFifo, newLazyFile, newSymlink, unlinkFrom, type DirInode, type Inode, type InodeKind, type Meta } from '../vfs/inode.js';
import { resolvePath, type Resolvable } from '../vfs/resolve.js';
import type { LayerEntry, LayerSource } from './types.js';

export const OPAQUE_XATTR = 'trusted.overlay.opaque';
/** Set on a copied-up object: a file handle of its lower origin (fs/overlayfs/copy_up.c ovl_set_origin). */
export const ORIGIN_XATTR = 'trusted.overlay.origin';
/** Set on a directory that may hold copied-up entries (copy_up.c: "Mark parent \"impure\""). */
export const IMPURE_XATTR = 'trusted.overlay.impure';
const OVERLAY_XATTR_PREFIX = 'trusted.overlay.';

/** A layer's diff directory: its root and identities. */
export interface LayerTree {
  readonly diffId: Digest;
  readonly chainId: Digest;
  readonly root: DirInode;
}

export function isWhiteout(n: Inode | undefined | null): boolean {
  return !!n && n.kind === 'char' && n.major === 0 && n.minor === 0;
}

export function isOpaque(n: Inode | undefined | null): boolean {
  return !!n && n.kind === 'dir' && n.xattrs?.get(OPAQUE_XATTR) === 'y';
}

/**
 * The kernel's marks after a copy-up: the copy gets `origin` (a file handle of the lower object: on
 * ext4 29 bytes, ovl_fb's 5-byte header, the filesystem's 16-byte uuid, inode and generation), its
 * parent `impure`. Only their size matters here: they take space in the upper inode (see xattrBlock).
 */
export function markCopiedUp(up: Inode, parent: DirInode): void {
  (up.xattrs ??= new Map()).set(ORIGIN_XATTR, '\0'.repeat(29));
  (parent.xattrs ??= new Map()).set(IMPURE_XATTR, 'y');
}

export function setOpaque(d: DirInode): void {
  (d.xattrs ??= new Map()).set(OPAQUE_XATTR, 'y');
}

/** The kernel's private xattrs (origin, impure, redirect, opaque, ...): never copied up or packed. */
export function isOverlayXattr(name: string): boolean {
  return name.startsWith(OVERLAY_XATTR_PREFIX);
}

/** A whiteout as the kernel creates one (vfs_whiteout: S_IFCHR, mode 0, device 0/0). */
export function newWhiteout(meta: Partial<Meta> = {}): Inode {
  return newDevice('char', 0, 0, { uid: 0, gid: 0, ...meta, mode: 0 });
}

function metaOf(e: LayerEntry): Meta {
  return { mode: e.mode, uid: e.uid, gid: e.gid, mtime: e.mtime };
}

function withXattrs<T extends Inode>(n: T, e: LayerEntry): T {
  for (const [k, v] of Object.entries(e.xattrs ?? {})) {
    if (!isOverlayXattr(k)) (n.xattrs ??= new Map()).set(k, v);
  }
  return n;
}

/** Why an entry could not be unpacked: Go's error for the syscall Docker made, paths inside the root. */
type Errno = 'not a directory' | 'file exists' | 'no such file or directory' | 'too many levels of symbolic links' | 'operation not permitted';
class UnpackError extends Error {
  constructor(readonly errno: Errno) {
    super(errno);
  }
}

/** The syscall Docker's createTarFile (or the whiteout converter) makes for an entry, as Go words its error. */
function syscallWords(e: LayerEntry, errno: Errno): string {
  const p = `/${e.path}`;
  switch (e.type) {
    case 'dir':
      return `mkdir ${p}: ${errno}`;
    case 'symlink':
      return `symlink ${e.linkname ?? ''} ${p}: ${errno}`;
    case 'hardlink':
      return `link /${e.linkname ?? ''} ${p}: ${errno}`;
    case 'whiteout':
      return `failed to mknod(${JSON.stringify(p)}, S_IFCHR, 0): ${errno}`;
    case 'opaque':
      return `setxattr ${p}: ${errno}`;
    case 'char':
    case 'block':
    case 'fifo':
      return `mknod ${p}: ${errno}`;
    default:
      return `open ${p}: ${errno}`;
  }
}

/**
 * The diff directory being unpacked, resolved as the chrooted unpack sees it: through vfs's one
 * resolver (RESOLVE_IN_ROOT rules), following this layer's symlinks inside the root. With `mkdirAll`
 * set, a missing directory on the way is made (Go's MkdirAll, 0755), as Unpack makes a parent.
 */
class DiffDir implements Resolvable<Inode> {
  readonly root = newDir({ mode: 0o755 });
  private mkdirAll = false;

  kindOf(n: Inode): InodeKind {
    return n.kind;
  }
  linkTarget(n: Inode): string {
    return n.kind === 'symlink' ? n.target : '';
  }
  child(parent: Inode, name: string): Inode | null {
    if (parent.kind !== 'dir') return null;
    const found = parent.entries.get(name);
    if (found || !this.mkdirAll) return found ?? null;
    const made = newDir({ mode: 0o755 });
    linkInto(parent, name, made);
    return made;
  }

  private resolve<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (isErrno(e, 'ENOTDIR')) throw new UnpackError('not a directory');
      if (isErrno(e, 'ELOOP')) throw new UnpackError('too many levels of symbolic links');
      throw e;
    } finally {
      this.mkdirAll = false;
    }
  }

  /** The directory at `path` (symlinks followed), made with its missing parents if need be. */
  dir(path: string): DirInode {
    return this.resolve(() => {
      this.mkdirAll = true;
      const node = resolvePath(this, path, { follow: true }).node;
      if (node?.kind !== 'dir') throw new UnpackError('not a directory');
      return node;
    });
  }

  parentOf(path: string): { dir: DirInode; name: string } {
    const i = path.lastIndexOf('/');
    return { dir: i < 0 ? this.root : this.dir(path.slice(0, i)), name: path.slice(i + 1) };
  }

  /** The inode a path names, its parents resolved (symlinks followed), its last name not: link(2)'s oldpath. */
  find(path: string): Inode | null {
    try {
      return this.resolve(() => resolvePath(this, path, { follow: false }).node);
    } catch {
      return null;
    }
  }
}

/** Puts `node` at `name`, replacing what is there (Unpack's RemoveAll before creating). */
function place(dir: DirInode, name: string, node: Inode): void {
  if (dir.entries.has(name)) unlinkFrom(dir, name);
  linkInto(dir, name, node);
}

function unpackEntry(d: DiffDir, e: LayerEntry, source: LayerSource): void {
  if (e.path === '') {
    // the root of the diff exists: a directory entry gives it its attributes, an opaque marker
    // is set (the kernel ignores it on a lowerdir's root), anything else cannot replace it
    if (e.type === 'dir') Object.assign(d.root, metaOf(e), { mode: e.mode & 0o7777 });
    else if (e.type === 'opaque') setOpaque(d.root);
    else if (e.type !== 'whiteout') throw new UnpackError('file exists');
    return;
  }
  if (e.type === 'opaque') {
    setOpaque(d.dir(e.path));
    return;
  }
  const { dir, name } = d.parentOf(e.path);
  switch (e.type) {
    case 'dir': {
      const old = dir.entries.get(name);
      if (old?.kind === 'dir') withXattrs(Object.assign(old, metaOf(e), { mode: e.mode & 0o7777 }), e);
      else place(dir, name, withXattrs(newDir(metaOf(e)), e));
      return;
    }
    case 'file':
      place(dir, name, withXattrs(newLazyFile(metaOf(e), e.size, () => source.readContent(e), (off, len) => source.readContent(e, off, len)), e));
      return;
    case 'symlink':
      place(dir, name, withXattrs(newSymlink(e.linkname ?? '', metaOf(e)), e));
      return;
    case 'hardlink': {
      const target = d.find(e.linkname ?? '');
      if (!target) throw new UnpackError('no such file or directory');
      if (target.kind === 'dir') throw new UnpackError('operation not permitted');
      place(dir, name, target);
      return;
    }
    case 'char':
    case 'block':
      place(dir, name, withXattrs(newDevice(e.type, e.devmajor ?? 0, e.devminor ?? 0, metaOf(e)), e));
      return;
    case 'fifo':
      place(dir, name, withXattrs(newFifo(metaOf(e)), e));
      return;
    case 'whiteout':
      if (dir.entries.has(name)) throw new UnpackError('file exists');
      linkInto(dir, name, newWhiteout({ uid: e.uid, gid: e.gid }));
      return;
  }
}

/**
 * Unpacks `source` into a fresh diff directory. An entry Docker's unpack fails on is refused with
 * Docker's words (`member` names the layer in the message); the two choices oracles.md declares
 * stay: a duplicate entry replaces the earlier one (the last wins).
 */
export function unpackLayer(source: LayerSource, chainId: Digest, member: string): LayerTree {
  const d = new DiffDir();
  for (const e of source.entries) {
    try {
      unpackEntry(d, e, source);
    } catch (err) {
      if (!(err instanceof UnpackError)) throw err;
      throw new BoxlabError('InvalidArchive', `${member}: ${syscallWords(e, err.errno)}`, { member });
    }
  }
  return { diffId: source.diffId, chainId, root: d.root };
}
