/**
 * A mounted overlay: read-only lower layers (a shared LowerStack) and one writable upper layer (a
 * Vfs laid out as the kernel lays out upperdir: whiteouts are 0/0 character devices, opaque
 * directories carry trusted.overlay.opaque=y). Semantics follow Documentation/filesystems/overlayfs.rst
 * with the defaults of this machine's kernel (redirect_dir=off, index=off, metacopy=off), and where
 * the documentation is silent, what that kernel was measured to do (noted "measured").
 */
import { FsError, type Errno } from '../errors.js';
import {
  cloneInode,
  fileData,
  fileRange,
  linkInto,
  newDevice,
  newDir,
  newFifo,
  newFile,
  newSymlink,
  unlinkFrom,
  type DirInode,
  type FileInode,
  type Inode,
} from '../vfs/inode.js';
import {
  MAY_EXEC,
  MAY_READ,
  MAY_WRITE,
  ROOT_CRED,
  checkChown,
  checkCreate,
  checkDelete,
  checkLinkSource,
  checkPermission,
  checkUtimes,
  checkXattr,
  chmodMode,
  modeAfterWrite,
  xattrVisible,
  type Cred,
} from '../vfs/cred.js';
import type { FileSystem, NodeKind, WriteOptions } from '../vfs/fs.js';
import { resolvePath, type Resolved } from '../vfs/resolve.js';
import { MKDIR_MODE_MASK, initOwner, modeAfterChown, now, statOf, type Stats } from '../vfs/stats.js';
import { SubtreeView } from '../vfs/subtree.js';
import { allocDev } from '../vfs/superblock.js';
import { Vfs, checkRenameTarget } from '../vfs/vfs.js';
import { isOpaque, isOverlayXattr, isWhiteout, markCopiedUp, newWhiteout, setOpaque } from '../layer/diff-dir.js';
import { MergedLookup, MergedNode, type Probe, type Strategy } from './lookup.js';
import { mergeLowerChildren, type LowerStack } from './stack.js';

export interface MountOptions {
  strategy?: Strategy;
  /** Dentry-cache model in front of the lookups; on by default for `walk`, off for `indexed`. */
  dentryCache?: boolean;
  /** No upper layer: every write fails with EROFS (an image mounted for inspection). */
  readOnly?: boolean;
  /** Host paths of the layers, for the options /proc/self/mounts shows (Docker's overlay2 layout). */
  paths?: { lowerdir: string[]; upperdir: string; workdir: string };
}

export interface OverlayStats {
  /** Objects copied up (files, directories, symlinks, devices). */
  copyUps: number;
  /** File bytes copied from lower layers into the upper layer. */
  copyUpBytes: number;
  /** Whiteouts created in the upper layer. */
  whiteouts: number;
  /** Probes of a layer or of the index, over all operations. */
  probes: number;
  dentryHits: number;
}

export interface LookupResult {
  path: string;
  /** The canonical path after following symlinks (no leading slash). */
  resolved: string;
  found: boolean;
  type?: Inode['kind'];
  /** Where the object lives: the upper layer, a lower layer (0 = bottom), or nowhere. */
  layer: 'upper' | number | null;
  /** Every probe in order: which layer (or the index) was asked for which name. */
  probes: Probe[];
  probeCount: number;
  dentryHits: number;
  ns: number;
}

export class OverlayMount implements FileSystem {
  readonly fsType = 'overlay';
  readonly dev = allocDev();
  /** The container's upper layer, laid out as the kernel's upperdir. */
  readonly upper: Vfs;
  readonly lowers: LowerStack;
  readonly strategy: Strategy;
  private readonly look: MergedLookup;
  private readonly readOnly: boolean;
  private readonly counters = { copyUps: 0, copyUpBytes: 0, whiteouts: 0 };
  private readonly paths: MountOptions['paths'];

  constructor(lowers: LowerStack, opts: MountOptions = {}) {
    this.lowers = lowers;
    this.upper = new Vfs();
    this.strategy = opts.strategy ?? 'walk';
    this.readOnly = opts.readOnly ?? false;
    this.paths = opts.paths;
    const dcache = opts.dentryCache ?? this.strategy === 'walk';
    this.look = new MergedLookup(this.upper.root, lowers, this.strategy, dcache);
    // The upper root takes the merged root's attributes, as Docker's overlay2 creates diff/ from the lower root.
    const top = this.look.root.lowerDirs[0]?.dir;
    if (top) Object.assign(this.upper.root, { mode: top.mode, uid: top.uid, gid: top.gid });
  }

  get dentryCache(): boolean {
    return this.look.dentryCache;
  }
  set dentryCache(on: boolean) {
    this.look.dentryCache = on;
    if (!on) this.look.dropCaches();
  }
  dropCaches(): void {
    this.look.dropCaches();
  }

  stats(): OverlayStats {
    return { ...this.counters, probes: this.look.cost.probes, dentryHits: this.look.cost.dentryHits };
  }

  /**
   * What the kernel shows after rw/ro for an overlay. Measured in a container of Docker 20.10 on
   * this machine (overlay2 on ext4): `overlay / overlay rw,relatime,lowerdir=…/l/A:…/l/B,upperdir=…/diff,workdir=…/work`.
   * Docker passes lowerdir as short `l/` links, top layer first (daemon/graphdriver/overlay2).
   * (With the upper on a tmpfs this kernel adds `uuid=on`; Docker's layout never has that.)
   */
  mountOptions(): string[] {
    const p = this.paths;
    if (!p) return [];
    const out = [`lowerdir=${p.lowerdir.join(':')}`];
    if (!this.readOnly) out.push(`upperdir=${p.upperdir}`, `workdir=${p.workdir}`);
    return out;
  }

  /** A bind of a path inside the overlay: the whole mount, or a view from that path down. */
  subtree(path: string): FileSystem {
    const r = this.resolve(path, true, 'mount');
    if (!r.node) throw new FsError('ENOENT', path, 'mount');
    return r.path === '' ? this : new SubtreeView(this, r.path);
  }

  // ---- resolution ---------------------------------------------------------------------------

  private resolve(path: string, follow: boolean, syscall: string, cred: Cred = ROOT_CRED): Resolved<MergedNode> {
    return resolvePath(this.look, path, { follow, syscall, cred });
  }
  private existing(path: string, follow: boolean, syscall: string, cred: Cred = ROOT_CRED): MergedNode {
    const r = this.resolve(path, follow, syscall, cred);
    if (!r.node) throw new FsError('ENOENT', path, syscall);
    return r.node;
  }
  private writable(path: string, syscall: string): void {
    if (this.readOnly) throw new FsError('EROFS', path, syscall);
  }

  /** Resolves `path` and reports where it was found, which layers were probed and what it cost. */
  lookup(path: string, opts: { follow?: boolean } = {}): LookupResult {
    const cost = this.look.cost;
    const before = { probes: cost.probes, hits: cost.dentryHits };
    const trail: Probe[] = [];
    cost.trail = trail;
    const t0 = process.hrtime.bigint();
    let node: MergedNode | null = null;
    let resolved = '';
    try {
      const r = this.resolve(path, opts.follow ?? true, 'lookup');
      node = r.node;
      resolved = r.path;
    } catch (e) {
      if (!(e instanceof FsError) || !['ENOENT', 'ENOTDIR', 'ELOOP'].includes(e.errno)) throw e;
    } finally {
      cost.trail = null;
    }
    const ns = Number(process.hrtime.bigint() - t0);
    return {
      path,
      resolved,
      found: node !== null,
      type: node?.kind,
      layer: node === null ? null : node.upper ? 'upper' : node.lowerLayer,
      probes: trail,
      probeCount: cost.probes - before.probes,
      dentryHits: cost.dentryHits - before.hits,
      ns,
    };
  }

  /**
   * The canonical path `path` names (symlinks resolved, the last one only when `follow`), or null
   * when it does not resolve. Not counted in the lookup cost: for observers of the upper layer
   * (overlay/watch.ts), which are no part of what a process pays.
   */
  canonicalPath(path: string, follow: boolean): string | null {
    const cost = this.look.cost;
    const { probes, dentryHits } = cost;
    try {
      return this.resolve(path, follow, 'lookup').path;
    } catch {
      return null;
    } finally {
      cost.probes = probes;
      cost.dentryHits = dentryHits;
    }
  }

  /** The bare resolution the benchmark times: true when the path exists. */
  exists(path: string): boolean {
    try {
      return this.resolve(path, true, 'stat').node !== null;
    } catch (e) {
      if (e instanceof FsError) return false;
      throw e;
    }
  }

  lookupAt(dir: string, name: string, cred: Cred = ROOT_CRED): Stats | null {
    const d = this.existing(dir, true, 'lookup', cred);
    if (d.kind !== 'dir') throw new FsError('ENOTDIR', dir, 'lookup');
    checkPermission(d.inode, MAY_EXEC, cred, dir, 'lookup');
    const c = this.look.child(d, name, d.path);
    return c ? this.statNode(c) : null;
  }

  access(path: string, mask: number, cred: Cred = ROOT_CRED): void {
    checkPermission(this.existing(path, true, 'access', cred).inode, mask, cred, path, 'access');
  }

  // ---- copy-up ------------------------------------------------------------------------------

  /**
   * Copies a lower object (and first its parent directories) into the upper layer: "create parents,
   * create the object with the same metadata, copy data, copy xattrs" (overlayfs.rst, copy up).
   * A directory is copied without its contents. `data: false` is open(O_TRUNC): the kernel copies
   * no bytes then (fs/overlayfs/copy_up.c: "maybe truncate regular file", size = 0 on O_TRUNC).
   */
  private copyUp(node: MergedNode, opts: { data?: boolean } = {}): Inode {
    if (node.upper) return node.upper;
    const parentUpper = this.copyUp(node.parent!) as DirInode;
    // Another MergedNode of the same path (resolved without the dentry cache) may have copied it up.
    const already = parentUpper.entries.get(node.name);
    if (already && !isWhiteout(already)) return (node.upper = already);
    const lower = node.lower!;
    let up: Inode;
    const skipXattr = isOverlayXattr;
    if (lower.kind === 'dir') {
      up = newDir(lower);
      for (const [k, v] of lower.xattrs ?? []) if (!skipXattr(k)) (up.xattrs ??= new Map()).set(k, v);
    } else if (lower.kind === 'file' && opts.data === false) {
      up = newFile(lower);
      for (const [k, v] of lower.xattrs ?? []) if (!skipXattr(k)) (up.xattrs ??= new Map()).set(k, v);
    } else {
      up = cloneInode(lower, { skipXattr });
      if (up.kind === 'file') this.counters.copyUpBytes += up.size;
    }
    up.mtime = lower.mtime;
    linkInto(parentUpper, node.name, up);
    markCopiedUp(up, parentUpper);
    node.upper = up;
    this.counters.copyUps++;
    return up;
  }

  /** Creates `make()` at `name` in merged directory `parent`, replacing an upper whiteout there. */
  private createAt(parent: MergedNode, name: string, path: string, syscall: string, inode: Inode): void {
    this.writable(path, syscall);
    const dir = this.copyUp(parent) as DirInode;
    const old = dir.entries.get(name);
    if (old && isWhiteout(old)) {
      unlinkFrom(dir, name);
      // Measured on this kernel (6.18): mkdir over an upper whiteout makes the new directory opaque
      // (ovl_create_over_whiteout); over a whiteout that is only in a lower layer it does not.
      if (inode.kind === 'dir') setOpaque(inode);
    }
    linkInto(dir, name, inode);
    dir.mtime = now();
    this.look.invalidate(parent, name);
  }

  /** vfs_rename's may_delete / may_create, and write on a directory that changes parents. */
  private checkRenamePermission(s: Resolved<MergedNode>, d: Resolved<MergedNode>, cred: Cred, from: string, to: string): void {
    const src = s.node!;
    checkDelete(s.parent.inode, src.inode, cred, from, 'rename');
    if (d.node) checkDelete(d.parent.inode, d.node.inode, cred, to, 'rename');
    else checkCreate(d.parent.inode, cred, to, 'rename');
    if (src.kind === 'dir' && s.parentPath !== d.parentPath) checkPermission(src.inode, MAY_WRITE, cred, from, 'rename');
  }

  private newOwner(parent: MergedNode, kind: Inode['kind'], mode: number, cred: Cred) {
    return initOwner(parent.inode, kind, mode, cred);
  }

  /** Removes `name` from merged `parent`, leaving a whiteout if a lower layer still has the name. */
  private removeAt(parent: MergedNode, name: string): void {
    const dir = this.copyUp(parent) as DirInode;
    const lowerPositive = this.look.lowerPositive(parent, name);
    unlinkFrom(dir, name);
    if (lowerPositive) {
      linkInto(dir, name, newWhiteout());
      this.counters.whiteouts++;
    }
    dir.mtime = now();
    this.look.invalidate(parent, name);
  }

  // ---- reads --------------------------------------------------------------------------------

  stat(path: string, cred: Cred = ROOT_CRED): Stats {
    return this.statNode(this.existing(path, true, 'stat', cred));
  }
  lstat(path: string, cred: Cred = ROOT_CRED): Stats {
    return this.statNode(this.existing(path, false, 'lstat', cred));
  }
  private statNode(n: MergedNode): Stats {
    const st = statOf(n.inode, this.dev);
    // Measured: a merge directory (upper and lower, or several lowers) reports st_nlink 1.
    if (n.kind === 'dir' && n.lowerDirs.length + (n.upper ? 1 : 0) > 1) st.nlink = 1;
    return st;
  }

  private readable(path: string, cred: Cred): FileInode {
    const i = this.existing(path, true, 'open', cred).inode;
    checkPermission(i, MAY_READ, cred, path, 'open');
    if (i.kind === 'dir') throw new FsError('EISDIR', path, 'read');
    if (i.kind !== 'file') throw new FsError('EINVAL', path, 'read');
    return i;
  }
  readFile(path: string, cred: Cred = ROOT_CRED): Buffer {
    return Buffer.from(fileData(this.readable(path, cred)));
  }
  read(path: string, offset: number, length: number, cred: Cred = ROOT_CRED): Buffer {
    return fileRange(this.readable(path, cred), offset, length);
  }

  readlink(path: string, cred: Cred = ROOT_CRED): string {
    const i = this.existing(path, false, 'readlink', cred).inode;
    if (i.kind !== 'symlink') throw new FsError('EINVAL', path, 'readlink');
    return i.target;
  }

  /** The kernel hides its own trusted.overlay.* attributes in the merged view (ovl_is_private_xattr). */
  getxattr(path: string, name: string, cred: Cred = ROOT_CRED): string | undefined {
    const i = this.existing(path, true, 'getxattr', cred).inode;
    if (isOverlayXattr(name) || !xattrVisible(name, cred)) return undefined;
    checkXattr(i, name, false, cred, path, 'getxattr');
    return i.xattrs?.get(name);
  }
  listxattr(path: string, opts: { follow?: boolean } = {}, cred: Cred = ROOT_CRED): string[] {
    this.existing(path, opts.follow ?? true, 'listxattr', cred);
    return [...this.xattrs(path, opts).keys()].filter((k) => xattrVisible(k, cred));
  }
  removexattr(path: string, name: string, cred: Cred = ROOT_CRED): void {
    const i = this.metaChange(path, 'removexattr', cred, (n) => checkXattr(n, name, true, cred, path, 'removexattr'));
    if (isOverlayXattr(name) || !i.xattrs?.delete(name)) throw new FsError('ENODATA', path, 'removexattr');
  }

  /** Every extended attribute with its value (listxattr + getxattr); `follow: false` is llistxattr. */
  xattrs(path: string, opts: { follow?: boolean } = {}): Map<string, string> {
    const all = this.existing(path, opts.follow ?? true, 'listxattr').inode.xattrs ?? [];
    return new Map([...all].filter(([k]) => !isOverlayXattr(k)));
  }

  /**
   * Merged readdir: "upper is read first, then lower — entries that already exist are not re-added"
   * (overlayfs.rst), whiteouts applied. With `withDots`, `.` and `..` come first, as getdents on a
   * merge directory returns them on this kernel (measured with `ls -f`).
   */
  readdir(path: string, cred: Cred = ROOT_CRED, opts: { withDots?: boolean } = {}): string[] {
    const n = this.existing(path, true, 'opendir', cred);
    if (n.kind !== 'dir') throw new FsError('ENOTDIR', path, 'opendir');
    checkPermission(n.inode, MAY_READ, cred, path, 'opendir');
    // A directory that lives in one layer only is not a merge directory: the kernel iterates the
    // real directory, so a whiteout in it is listed although lookup of the name fails with ENOENT
    // (measured on this kernel: a whiteout in the bottom layer shows up in readdir, lstat says ENOENT).
    const layers = n.lowerDirs.length + (n.upper ? 1 : 0);
    const real = n.upper ?? n.lowerDirs[0]?.dir;
    const names = layers === 1 && real?.kind === 'dir' ? [...real.entries.keys()] : this.mergedNames(n);
    return opts.withDots ? ['.', '..', ...names] : names;
  }

  private mergedNames(n: MergedNode): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    if (n.upper?.kind === 'dir') {
      for (const [name, e] of n.upper.entries) {
        seen.add(name);
        if (!isWhiteout(e)) out.push(name);
      }
    }
    if (n.lowerDirs.length > 0) {
      for (const name of mergeLowerChildren(n.lowerDirs).keys()) if (!seen.has(name)) out.push(name);
    }
    return out;
  }

  // ---- writes -------------------------------------------------------------------------------

  /** open(O_WRONLY|O_CREAT|O_TRUNC) + write; or O_APPEND with `append`, O_EXCL with `exclusive`. */
  writeFile(path: string, data: Buffer | string, opts: WriteOptions = {}, cred: Cred = ROOT_CRED): void {
    this.writable(path, 'open');
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    const r = this.resolve(path, !opts.exclusive, 'open', cred);
    if (!r.node) {
      checkCreate(r.parent.inode, cred, path, 'open');
      const o = this.newOwner(r.parent, 'file', opts.mode ?? 0o644, cred);
      if (bytes.length > 0) o.mode = modeAfterWrite(o.mode, cred);
      this.createAt(r.parent, r.name, path, 'open', newFile(o, Buffer.from(bytes)));
      return;
    }
    if (opts.exclusive) throw new FsError('EEXIST', path, 'open');
    const f = this.fileFor(r.node, path, 'open', cred, { data: opts.append === true });
    this.store(f, opts.append ? fileData(f).length : 0, bytes, cred, !opts.append);
  }

  appendFile(path: string, data: Buffer | string, cred: Cred = ROOT_CRED): void {
    this.writeFile(path, data, { append: true }, cred);
  }

  write(path: string, offset: number, data: Buffer | string, cred: Cred = ROOT_CRED): void {
    this.writable(path, 'open');
    const f = this.fileFor(this.existing(path, true, 'open', cred), path, 'open', cred);
    this.store(f, offset, typeof data === 'string' ? Buffer.from(data) : data, cred, false);
  }

  /** Writes `bytes` at `offset` into an upper file (after O_TRUNC when `trunc`). */
  private store(f: FileInode, offset: number, bytes: Buffer, cred: Cred, trunc: boolean): void {
    const old = trunc ? Buffer.alloc(0) : fileData(f);
    const next = Buffer.alloc(Math.max(old.length, offset + bytes.length));
    old.copy(next);
    bytes.copy(next, offset);
    f.data = next;
    f.load = f.loadRange = undefined;
    f.size = next.length;
    f.mtime = now();
    if (bytes.length > 0) f.mode = modeAfterWrite(f.mode, cred);
  }

  /** The upper copy of a file about to be written: may_open's checks first, copy-up after. */
  private fileFor(n: MergedNode, path: string, syscall: string, cred: Cred, opts: { data?: boolean } = {}): FileInode {
    if (n.kind === 'dir') throw new FsError('EISDIR', path, syscall);
    checkPermission(n.inode, MAY_WRITE, cred, path, syscall);
    if (n.kind !== 'file') throw new FsError('EINVAL', path, syscall);
    return this.copyUp(n, opts) as FileInode;
  }

  truncate(path: string, len: number, cred: Cred = ROOT_CRED): void {
    this.writable(path, 'truncate');
    const f = this.fileFor(this.existing(path, true, 'truncate', cred), path, 'truncate', cred);
    const old = fileData(f);
    const next = Buffer.alloc(len);
    old.copy(next, 0, 0, Math.min(len, old.length));
    f.data = next;
    f.load = f.loadRange = undefined;
    f.size = len;
    f.mtime = now();
    f.mode = modeAfterWrite(f.mode, cred);
  }

  /** An attribute change: EROFS, the path, the caller's right to it (`check`), then copy-up. */
  private metaChange(path: string, syscall: string, cred: Cred, check: (i: Inode) => void, follow = true): Inode {
    this.writable(path, syscall);
    const n = this.existing(path, follow, syscall, cred);
    check(n.inode);
    return this.copyUp(n);
  }

  chmod(path: string, mode: number, cred: Cred = ROOT_CRED): void {
    let m = 0;
    const i = this.metaChange(path, 'chmod', cred, (n) => (m = chmodMode(n, mode, cred, path)));
    i.mode = m;
  }
  chown(path: string, uid: number, gid: number, opts: { follow?: boolean } = {}, cred: Cred = ROOT_CRED): void {
    const check = (n: Inode) => checkChown(n, uid, gid, cred, path);
    const i = this.metaChange(path, 'chown', cred, check, opts.follow ?? true);
    if (uid !== -1) i.uid = uid;
    if (gid !== -1) i.gid = gid;
    i.mode = modeAfterChown(i.kind, i.mode);
  }
  utimes(path: string, mtime: number | null, cred: Cred = ROOT_CRED): void {
    this.metaChange(path, 'utimes', cred, (n) => checkUtimes(n, mtime !== null, cred, path)).mtime = mtime ?? now();
  }
  setxattr(path: string, name: string, value: string, cred: Cred = ROOT_CRED): void {
    if (isOverlayXattr(name)) throw new FsError('EPERM', path, 'setxattr');
    const i = this.metaChange(path, 'setxattr', cred, (n) => checkXattr(n, name, true, cred, path, 'setxattr'));
    (i.xattrs ??= new Map()).set(name, value);
  }

  private createNew(path: string, syscall: string, cred: Cred, make: (parent: MergedNode) => Inode): void {
    this.writable(path, syscall);
    const r = this.resolve(path, false, syscall, cred);
    if (r.node) throw new FsError('EEXIST', path, syscall);
    checkCreate(r.parent.inode, cred, path, syscall);
    this.createAt(r.parent, r.name, path, syscall, make(r.parent));
  }

  mkdir(path: string, mode = 0o755, cred: Cred = ROOT_CRED): void {
    this.createNew(path, 'mkdir', cred, (p) => newDir(this.newOwner(p, 'dir', mode & MKDIR_MODE_MASK, cred)));
  }
  symlink(target: string, path: string, cred: Cred = ROOT_CRED): void {
    this.createNew(path, 'symlink', cred, (p) => newSymlink(target, this.newOwner(p, 'symlink', 0o777, cred)));
  }
  /** mknod(2): a device needs CAP_MKNOD (EPERM for anyone else); a fifo anyone may make. */
  mknod(path: string, kind: NodeKind, mode: number, major = 0, minor = 0, cred: Cred = ROOT_CRED): void {
    this.createNew(path, 'mknod', cred, (p) => {
      if (kind !== 'fifo' && cred.uid !== 0) throw new FsError('EPERM', path, 'mknod');
      const o = this.newOwner(p, kind, mode, cred);
      return kind === 'fifo' ? newFifo(o) : newDevice(kind, major, minor, o);
    });
  }

  /** "Creating a hard-link also requires copy_up" (overlayfs.rst): the link is to the upper copy. */
  link(existingPath: string, newPath: string, cred: Cred = ROOT_CRED): void {
    this.writable(newPath, 'link');
    const src = this.existing(existingPath, false, 'link', cred);
    // linkat(2) creates the new name (EEXIST) and may_linkat decides (EPERM) before may_create
    // (EACCES) and vfs_link's refusal of a directory (EPERM).
    const r = this.resolve(newPath, false, 'link', cred);
    if (r.node) throw new FsError('EEXIST', newPath, 'link');
    checkLinkSource(src.inode, cred, existingPath);
    checkCreate(r.parent.inode, cred, newPath, 'link');
    if (src.kind === 'dir') throw new FsError('EPERM', existingPath, 'link');
    const up = this.copyUp(src);
    this.createAt(r.parent, r.name, newPath, 'link', up);
  }

  unlink(path: string, cred: Cred = ROOT_CRED): void {
    this.writable(path, 'unlink');
    const r = this.resolve(path, false, 'unlink', cred);
    if (!r.node) throw new FsError('ENOENT', path, 'unlink');
    checkDelete(r.parent.inode, r.node.inode, cred, path, 'unlink');
    if (r.node.kind === 'dir') throw new FsError('EISDIR', path, 'unlink');
    this.removeAt(r.parent, r.name);
  }

  rmdir(path: string, cred: Cred = ROOT_CRED): void {
    this.writable(path, 'rmdir');
    const r = this.resolve(path, false, 'rmdir', cred);
    if (!r.node) throw new FsError('ENOENT', path, 'rmdir');
    if (r.path === '') throw new FsError('EBUSY', path, 'rmdir');
    checkDelete(r.parent.inode, r.node.inode, cred, path, 'rmdir');
    if (r.node.kind !== 'dir') throw new FsError('ENOTDIR', path, 'rmdir');
    if (this.mergedNames(r.node).length > 0) throw new FsError('ENOTEMPTY', path, 'rmdir');
    this.removeAt(r.parent, r.name);
  }

  /**
   * rename(2) with redirect_dir off. The checks come in the kernel's order: the VFS's (ancestor
   * EINVAL, file/dir mismatch), then overlay's EXDEV for a directory that has lower parts ("Don't
   * copy up directory trees", fs/overlayfs/dir.c ovl_rename), then ENOTEMPTY for the target.
   */
  rename(from: string, to: string, cred: Cred = ROOT_CRED): void {
    this.writable(to, 'rename');
    // renameat2 looks up both parents before the old name itself (fs/namei.c do_renameat2).
    const s = this.resolve(from, false, 'rename', cred);
    const d = this.resolve(to, false, 'rename', cred);
    if (!s.node) throw new FsError('ENOENT', from, 'rename');
    const src = s.node;
    const dst = d.node;
    const fail = (errno: Errno, p = to): never => {
      throw new FsError(errno, p, 'rename');
    };
    if (s.path === '' || d.path === '') fail('EBUSY');
    if (s.path === d.path) return;
    const srcIsDir = src.kind === 'dir';
    if (srcIsDir && d.path.startsWith(s.path + '/')) fail('EINVAL');
    if (dst && dst.kind === 'dir' && s.path.startsWith(d.path + '/')) fail('ENOTEMPTY');
    if (dst && dst.upper && dst.upper === src.upper) return; // two names of one upper inode: rename(2) does nothing
    this.checkRenamePermission(s, d, cred, from, to);
    if (dst) checkRenameTarget(to, srcIsDir, { isDir: dst.kind === 'dir', isEmptyDir: true });
    if (srcIsDir && src.lowerDirs.length > 0) fail('EXDEV', from);
    if (dst && dst.kind === 'dir' && this.mergedNames(dst).length > 0) fail('ENOTEMPTY');

    const srcUp = this.copyUp(src);
    const dstDir = this.copyUp(d.parent) as DirInode;
    const srcDir = this.copyUp(s.parent) as DirInode;
    const whiteoutOld = this.look.lowerPositive(s.parent, s.name);
    unlinkFrom(srcDir, s.name);
    if (dstDir.entries.has(d.name)) unlinkFrom(dstDir, d.name);
    linkInto(dstDir, d.name, srcUp);
    // Measured on this kernel: a pure-upper directory moved into a merge directory becomes opaque
    // (even under a brand-new name), so no lower directory of that name can ever show through it.
    if (srcIsDir && !isOpaque(srcUp) && d.parent.lowerDirs.length > 0) setOpaque(srcUp as DirInode);
    if (whiteoutOld) {
      // RENAME_WHITEOUT: the upper filesystem makes this whiteout in the source directory itself, so
      // it takes that directory's group when it is setgid (measured). Whiteouts for unlink and rmdir
      // are made in the work dir and moved in, and keep root's group.
      const wh = newWhiteout();
      if (srcDir.mode & 0o2000) wh.gid = srcDir.gid;
      linkInto(srcDir, s.name, wh);
      this.counters.whiteouts++;
    }
    srcDir.mtime = dstDir.mtime = now();
    this.look.invalidate(s.parent, s.name);
    this.look.invalidate(d.parent, d.name);
  }
}
