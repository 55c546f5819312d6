/**
 * One layer applied the way Docker's overlay2 driver applies it: the layer's tar members unpacked
 * into an empty diff directory (moby daemon/graphdriver/overlay2 ApplyDiff → pkg/archive Unpack with
 * the overlay whiteout converter). A whiteout becomes a character device 0/0, an opaque marker the
 * xattr `trusted.overlay.opaque=y` (Documentation/filesystems/overlayfs.rst, "whiteouts and opaque
 * directories"); the kernel's overlay rules then merge the diffs (src/overlay). This is the one way
 * boxlab applies a layer: `load` builds it to refuse what Docker refuses, the mount reads it.
 *
 * Docker's Unpack (pkg/archive/archive.go, 20.10), entry by entry (the rules this file follows):
 * - a parent lstat(2) does not find is made with Go's os.MkdirAll(parent, 0755): it stats following
 *   this layer's symlinks inside the root (the unpack runs chrooted), makes missing directories by
 *   their lexical names and never a symlink's target (a dangling one on the way fails, "file exists");
 *   a lower layer is not there, so a lower symlink is never followed;
 * - an existing entry at the name is removed first unless both are directories (then the directory
 *   takes the entry's attributes and keeps its children);
 * - `.wh.NAME` mknods NAME: it fails when NAME exists in this layer ("file exists") or its parent is
 *   not a directory; `.wh..wh..opq` sets the opaque xattr on its directory (setxattr(2), following a
 *   symlink there: a dangling one fails);
 * - a hardlink links to a name of this layer (another layer's file is not in the empty directory),
 *   and the inode both names share takes the link entry's owner, mode and time;
 * - last, every directory entry's times are set (os.Chtimes, following symlinks): a directory that a
 *   later entry of the same layer removed or put beneath a file fails the layer.
 * File bytes stay in the layer tar and are read on demand, in ranges.
 */
import type { Digest } from '../digest.js';
import { BoxlabError, FsError } from '../errors.js';
import { linkInto, newDevice, newDir, newFifo, newLazyFile, newSymlink, unlinkFrom, type DirInode, type Inode, type InodeKind, type Meta } from '../vfs/inode.js';
import { resolvePath, type Resolvable, type Resolved } from '../vfs/resolve.js';
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

/** What `look` did not find: the errno, and for a missing final name in a known directory, where it would go. */
interface Missing {
  errno: string;
  dir?: DirInode;
  name?: string;
}

/** A path `lookNear` leaves to the full walk: empty components, `.`, `..`, or a trailing slash. */
const NOT_CANONICAL = /\/\/|\/\.\.?(?:\/|$)|\/$/;

/** Go's text for the errnos an unpack meets (syscall.Errno.Error()). */
const GO_ERRNO: Partial<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  EEXIST: 'file exists',
  ELOOP: 'too many levels of symbolic links',
  EPERM: 'operation not permitted',
};

/** Why an entry could not be unpacked: Go's error for the syscall Docker made, paths inside the root. */
class UnpackError extends Error {}

/** A failed syscall as Go's os package words it: `OP PATH: ERRNO` (a PathError). */
function failed(op: string, errno: string): UnpackError {
  return new UnpackError(`${op}: ${GO_ERRNO[errno] ?? errno}`);
}

/**
 * The diff directory being unpacked, resolved as the chrooted unpack sees it: through vfs's one
 * resolver (RESOLVE_IN_ROOT rules), following this layer's symlinks inside the root. Each method is
 * one syscall Docker's Unpack makes; a failure carries Go's words for it.
 */
class DiffDir implements Resolvable<Inode> {
  readonly root = newDir({ mode: 0o755 });

  /** `near: false` walks every path from the root (what lookNear must agree with). */
  constructor(private readonly near = true) {}

  kindOf(n: Inode): InodeKind {
    return n.kind;
  }
  linkTarget(n: Inode): string {
    return n.kind === 'symlink' ? n.target : '';
  }
  child(parent: Inode, name: string): Inode | null {
    return parent.kind === 'dir' ? (parent.entries.get(name) ?? null) : null;
  }

  /**
   * Directories reached from the root through directories only (no symlink, `.` or `..` on the way),
   * by canonical path: a tar's entries come parent first, so most lookups are one step from one of
   * these. Cleared whenever a name is removed, the only change that can make one stale.
   */
  private readonly plainDirs = new Map<string, DirInode>([['', this.root]]);

  /** unlink(2) of a name `look` found (RemoveAll's result). */
  remove(dir: DirInode, name: string): void {
    unlinkFrom(dir, name);
    this.plainDirs.clear();
    this.plainDirs.set('', this.root);
  }

  /** `look` without the walk, when `p`'s parent is a known plain directory; undefined otherwise. */
  private lookNear(p: string, follow: boolean): Resolved<Inode> | Missing | undefined {
    const slash = p.lastIndexOf('/');
    if (slash < 0 || p.charCodeAt(0) !== 47 || NOT_CANONICAL.test(p)) return undefined;
    const parentPath = p.slice(1, slash);
    const parent = this.plainDirs.get(parentPath);
    if (!parent) return undefined;
    const name = p.slice(slash + 1);
    const node = parent.entries.get(name) ?? null;
    if (node?.kind === 'symlink' && follow) return undefined;
    if (!node) return { errno: 'ENOENT', dir: parent, name };
    const path = parentPath === '' ? name : `${parentPath}/${name}`;
    if (node.kind === 'dir') this.plainDirs.set(path, node);
    return { parent, parentPath, name, node, path };
  }

  /** stat(2) (`follow`) or lstat(2) of `p`: where it is, or the errno the walk met. */
  look(p: string, follow: boolean): Resolved<Inode> | Missing {
    const near = this.near ? this.lookNear(p, follow) : undefined;
    if (near) return near;
    try {
      const r = resolvePath(this, p, { follow });
      return r.node ? r : { errno: 'ENOENT' };
    } catch (e) {
      if (e instanceof FsError) return { errno: e.errno };
      throw e;
    }
  }

  /** Where a new name `p` goes (its parent resolved, symlinks followed): mkdir, open(O_CREAT), symlink, link, mknod. */
  slot(p: string, op: string): { dir: DirInode; name: string; node: Inode | null } {
    const r = this.look(p, false);
    if ('errno' in r) {
      if (r.errno !== 'ENOENT') throw failed(op, r.errno);
      if (r.dir) return { dir: r.dir, name: r.name!, node: null };
      // missing: the final name (then the parent exists) or a directory on the way
      try {
        const at = resolvePath(this, p, { follow: false });
        return { dir: at.parent as DirInode, name: at.name, node: null };
      } catch (e) {
        if (e instanceof FsError) throw failed(op, e.errno);
        throw e;
      }
    }
    return { dir: r.parent as DirInode, name: r.name, node: r.node };
  }

  /** mkdir(2) of `p` with mode 0755, as Go's os.Mkdir: EEXIST when anything (a dangling symlink too) is there. */
  mkdir(p: string): void {
    const at = this.slot(p, `mkdir ${p}`);
    if (at.node) throw failed(`mkdir ${p}`, 'EEXIST');
    linkInto(at.dir, at.name, newDir({ mode: 0o755 }));
  }

  /**
   * Go's os.MkdirAll, which Unpack calls for a missing parent (idtools.MkdirAllAndChownNew): stat
   * (following symlinks) and done if a directory; otherwise make the lexical parent first, then
   * mkdir, which a name already there fails unless it is (lstat) a directory. A symlink's target is
   * never made: a dangling one fails the mkdir with "file exists".
   */
  mkdirAll(p: string): void {
    const st = this.look(p, true);
    if (!('errno' in st)) {
      if (st.node?.kind === 'dir') return;
      throw failed(`mkdir ${p}`, 'ENOTDIR');
    }
    const parent = p.slice(0, p.lastIndexOf('/'));
    if (parent !== '') this.mkdirAll(parent);
    try {
      this.mkdir(p);
    } catch (e) {
      const l = this.look(p, false);
      if (!('errno' in l) && l.node?.kind === 'dir') return;
      throw e;
    }
  }
}

/** Unpack's step before each entry: a parent that lstat(2) does not find is made with MkdirAll. */
function ensureParent(d: DiffDir, p: string): void {
  const parent = p.slice(0, p.lastIndexOf('/'));
  if (parent === '') return;
  const l = d.look(parent, false);
  if ('errno' in l && l.errno === 'ENOENT') d.mkdirAll(parent);
}

/** Unpack's RemoveAll of what lstat(2) finds at the name, unless both it and the entry are directories. */
function clearFor(d: DiffDir, e: LayerEntry, p: string): void {
  const l = d.look(p, false);
  if ('errno' in l || !l.node) return;
  if (l.node.kind === 'dir' && e.type === 'dir') return;
  d.remove(l.parent as DirInode, l.name);
}

/** The overlay whiteout converter (ConvertRead): an opaque marker sets the xattr, a whiteout mknods 0/0. */
function convertWhiteout(d: DiffDir, e: LayerEntry, p: string): void {
  if (e.type === 'opaque') {
    // setxattr(2) follows symlinks; on a file the xattr is set and means nothing to the kernel
    const st = d.look(p, true);
    if ('errno' in st) throw failed(`setxattr(${JSON.stringify(p)}, ${OPAQUE_XATTR}=y)`, st.errno);
    if (st.node?.kind === 'dir') setOpaque(st.node);
    return;
  }
  const op = `failed to mknod(${JSON.stringify(p)}, S_IFCHR, 0)`;
  const at = d.slot(p, op);
  if (at.node) throw failed(op, 'EEXIST');
  linkInto(at.dir, at.name, newWhiteout({ uid: e.uid, gid: e.gid }));
}

/** A new name made by createTarFile: EEXIST is impossible after clearFor but kept as the syscall has it. */
function create(d: DiffDir, p: string, op: string, node: Inode): void {
  const at = d.slot(p, op);
  if (at.node) throw failed(op, 'EEXIST');
  linkInto(at.dir, at.name, node);
}

/** createTarFile: the syscall for the entry's type, in Go's words when it fails. */
function createEntry(d: DiffDir, e: LayerEntry, p: string, source: LayerSource): void {
  switch (e.type) {
    case 'dir': {
      const l = d.look(p, false);
      if (!('errno' in l) && l.node?.kind === 'dir') withXattrs(Object.assign(l.node, metaOf(e), { mode: e.mode & 0o7777 }), e);
      else create(d, p, `mkdir ${p}`, withXattrs(newDir(metaOf(e)), e));
      return;
    }
    case 'file':
      create(d, p, `open ${p}`, withXattrs(newLazyFile(metaOf(e), e.size, () => source.readContent(e), (off, len) => source.readContent(e, off, len)), e));
      return;
    case 'symlink':
      create(d, p, `symlink ${e.linkname ?? ''} ${p}`, withXattrs(newSymlink(e.linkname ?? '', metaOf(e)), e));
      return;
    case 'hardlink': {
      const op = `link /${e.linkname ?? ''} ${p}`;
      // link(2) does not follow a symlink named as the old path
      const old = d.look(`/${e.linkname ?? ''}`, false);
      if ('errno' in old) throw failed(op, old.errno);
      const node = old.node!;
      if (node.kind === 'dir') throw failed(op, 'EPERM');
      create(d, p, op, node);
      // then createTarFile lchowns the new name and, unless it links a symlink, chmods and chtimes
      // it: the one inode both names share takes the link entry's owner, mode and time
      Object.assign(node, { uid: e.uid, gid: e.gid }, node.kind === 'symlink' ? {} : { mode: e.mode & 0o7777, mtime: e.mtime });
      withXattrs(node, e);
      return;
    }
    case 'char':
    case 'block':
    case 'fifo': {
      // system.Mknod returns the bare errno: Docker's message names no syscall and no path
      const node = e.type === 'fifo' ? newFifo(metaOf(e)) : newDevice(e.type, e.devmajor ?? 0, e.devminor ?? 0, metaOf(e));
      const at = d.slot(p, '');
      if (at.node) throw new UnpackError(GO_ERRNO.EEXIST);
      linkInto(at.dir, at.name, withXattrs(node, e));
      return;
    }
  }
}

/**
 * Unpack's last pass: each directory entry's times are set (os.Chtimes, following symlinks) after
 * every entry is in, so a directory a later entry of the same layer replaced, or put beneath a file,
 * fails the layer.
 */
function setDirTimes(d: DiffDir, dirs: readonly string[]): void {
  for (const p of dirs) {
    const st = d.look(p, true);
    if ('errno' in st) throw failed(`chtimes ${p}`, st.errno);
  }
}

function unpackEntry(d: DiffDir, e: LayerEntry, source: LayerSource, dirs: string[]): void {
  if (e.path === '') {
    // the root of the diff exists: a directory entry gives it its attributes, an opaque marker
    // is set (the kernel ignores it on a lowerdir's root), anything else cannot replace it
    if (e.type === 'dir') Object.assign(d.root, metaOf(e), { mode: e.mode & 0o7777 });
    else if (e.type === 'opaque') setOpaque(d.root);
    else if (e.type !== 'whiteout') throw failed(`${e.type === 'symlink' ? `symlink ${e.linkname ?? ''}` : e.type === 'hardlink' ? `link /${e.linkname ?? ''}` : 'open'} /`, 'EEXIST');
    return;
  }
  const p = `/${e.path}`;
  // a marker's tar name is DIR/.wh.NAME: its parent is the directory the whiteout or opacity is in
  ensureParent(d, e.type === 'opaque' ? `${p}/.wh..wh..opq` : p);
  if (e.type === 'opaque' || e.type === 'whiteout') return convertWhiteout(d, e, p);
  clearFor(d, e, p);
  createEntry(d, e, p, source);
  if (e.type === 'dir') dirs.push(p);
}

/**
 * Unpacks `source` into a fresh diff directory. An entry Docker's unpack fails on is refused with
 * Docker's words (`member` names the layer in the message); the two choices oracles.md declares
 * stay: a duplicate entry replaces the earlier one (the last wins).
 */
export function unpackLayer(source: LayerSource, chainId: Digest, member: string): LayerTree {
  const unpack = new UnpackCheck({ source });
  for (const e of source.entries) unpack.add(e);
  const failure = unpack.end();
  if (failure !== undefined) throw unpackRefused(member, failure);
  return { diffId: source.diffId, chainId, root: unpack.root };
}

/** The load's refusal of a layer Docker's unpack fails on: `why` in Go's words, after the member's name. */
export function unpackRefused(member: string, why: string): BoxlabError {
  return new BoxlabError('InvalidArchive', `${member}: ${why}`, { member });
}

const NO_BYTES: LayerSource = { diffId: 'sha256:', entries: [], readContent: () => Buffer.alloc(0) };

/**
 * Docker's unpack of one layer, entry by entry: unpackLayer feeds it the whole index, and a load
 * feeds it each entry as the layer's tar streams in (keeping only the verdict, its file bytes never
 * read). After a failure the entries that follow are ignored, as the unpack stops there.
 */
export class UnpackCheck {
  private readonly d: DiffDir;
  private readonly source: LayerSource;
  private readonly dirs: string[] = [];
  private failure: string | undefined;

  /**
   * `source`: where the files' bytes are read from (none by default: only the verdict is wanted).
   * `walk`: resolve every path from the root, without the shortcut through known directories.
   */
  constructor(opts: { source?: LayerSource; walk?: boolean } = {}) {
    this.d = new DiffDir(!opts.walk);
    this.source = opts.source ?? NO_BYTES;
  }

  /** The diff directory as unpacked so far. */
  get root(): DirInode {
    return this.d.root;
  }

  add(e: LayerEntry): void {
    if (this.failure === undefined) this.attempt(() => unpackEntry(this.d, e, this.source, this.dirs));
  }

  /** After the last entry: the directories' times (Unpack's last pass), then Go's words for the first failure, if any. */
  end(): string | undefined {
    if (this.failure === undefined) this.attempt(() => setDirTimes(this.d, this.dirs));
    this.dirs.length = 0;
    return this.failure;
  }

  private attempt(step: () => void): void {
    try {
      step();
    } catch (err) {
      if (!(err instanceof UnpackError)) throw err;
      this.failure = err.message;
    }
  }
}
