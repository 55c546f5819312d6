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
import { resolvePath, type Resolved } from '../vfs/resolve.js';
import { MKDIR_MODE_MASK, ROOT_CRED, initOwner, modeAfterChown, now, statOf, type Stats } from '../vfs/stats.js';
import { Vfs, checkRenameTarget } from '../vfs/vfs.js';
import { isOpaque, isOverlayXattr, isWhiteout, newWhiteout, setOpaque } from './layer-tree.js';
import { MergedLookup, MergedNode, type Probe, type Strategy } from './lookup.js';
import { mergeLowerChildren, type LowerStack } from './stack.js';

export interface MountOptions {
  strategy?: Strategy;
  /** Dentry-cache model in front of the lookups; on by default for `walk`, off for `indexed`. */
  dentryCache?: boolean;
  /** No upper layer: every write fails with EROFS (an image mounted for inspection). */
  readOnly?: boolean;
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

export class OverlayMount {
  /** The container's upper layer, laid out as the kernel's upperdir. */
  readonly upper: Vfs;
  readonly lowers: LowerStack;
  readonly strategy: Strategy;
  private readonly look: MergedLookup;
  private readonly readOnly: boolean;
  private readonly counters = { copyUps: 0, copyUpBytes: 0, whiteouts: 0 };

  constructor(lowers: LowerStack, opts: MountOptions = {}) {
    this.lowers = lowers;
    this.upper = new Vfs();
    this.strategy = opts.strategy ?? 'walk';
    this.readOnly = opts.readOnly ?? false;
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

  // ---- resolution ---------------------------------------------------------------------------

  private resolve(path: string, follow: boolean, syscall: string): Resolved<MergedNode> {
    return resolvePath(this.look, path, { follow, syscall });
  }
  private existing(path: string, follow: boolean, syscall: string): MergedNode {
    const r = this.resolve(path, follow, syscall);
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

  /** The bare resolution the benchmark times: true when the path exists. */
  exists(path: string): boolean {
    try {
      return this.resolve(path, true, 'stat').node !== null;
    } catch (e) {
      if (e instanceof FsError) return false;
      throw e;
    }
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

  private newOwner(parent: MergedNode, kind: Inode['kind'], mode: number) {
    return initOwner(parent.inode, kind, mode, ROOT_CRED);
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

  stat(path: string): Stats {
    return this.statNode(this.existing(path, true, 'stat'));
  }
  lstat(path: string): Stats {
    return this.statNode(this.existing(path, false, 'lstat'));
  }
  private statNode(n: MergedNode): Stats {
    const st = statOf(n.inode);
    // Measured: a merge directory (upper and lower, or several lowers) reports st_nlink 1.
    if (n.kind === 'dir' && n.lowerDirs.length + (n.upper ? 1 : 0) > 1) st.nlink = 1;
    return st;
  }

  readFile(path: string): Buffer {
    const n = this.existing(path, true, 'open');
    const i = n.inode;
    if (i.kind === 'dir') throw new FsError('EISDIR', path, 'read');
    if (i.kind !== 'file') throw new FsError('EINVAL', path, 'read');
    return Buffer.from(fileData(i));
  }

  readlink(path: string): string {
    const i = this.existing(path, false, 'readlink').inode;
    if (i.kind !== 'symlink') throw new FsError('EINVAL', path, 'readlink');
    return i.target;
  }

  /** The kernel hides its own trusted.overlay.* attributes in the merged view (ovl_is_private_xattr). */
  getxattr(path: string, name: string): string | undefined {
    if (isOverlayXattr(name)) return undefined;
    return this.existing(path, true, 'getxattr').inode.xattrs?.get(name);
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
  readdir(path: string, opts: { withDots?: boolean } = {}): string[] {
    const n = this.existing(path, true, 'opendir');
    if (n.kind !== 'dir') throw new FsError('ENOTDIR', path, 'opendir');
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

  /** open(O_WRONLY|O_CREAT|O_TRUNC) + write; or O_APPEND with `append`. */
  writeFile(path: string, data: Buffer | string, opts: { mode?: number; append?: boolean } = {}): void {
    this.writable(path, 'open');
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    const r = this.resolve(path, true, 'open');
    if (!r.node) {
      const o = this.newOwner(r.parent, 'file', opts.mode ?? 0o644);
      this.createAt(r.parent, r.name, path, 'open', newFile(o, Buffer.from(bytes)));
      return;
    }
    const f = this.fileFor(r.node, path, 'open', { data: opts.append === true });
    const next = opts.append ? Buffer.concat([fileData(f), bytes]) : Buffer.from(bytes);
    f.data = next;
    f.load = undefined;
    f.size = next.length;
    f.mtime = now();
  }

  appendFile(path: string, data: Buffer | string): void {
    this.writeFile(path, data, { append: true });
  }

  private fileFor(n: MergedNode, path: string, syscall: string, opts: { data?: boolean } = {}): FileInode {
    if (n.kind === 'dir') throw new FsError('EISDIR', path, syscall);
    if (n.kind !== 'file') throw new FsError('EINVAL', path, syscall);
    return this.copyUp(n, opts) as FileInode;
  }

  truncate(path: string, len: number): void {
    this.writable(path, 'truncate');
    const f = this.fileFor(this.existing(path, true, 'truncate'), path, 'truncate');
    const old = fileData(f);
    const next = Buffer.alloc(len);
    old.copy(next, 0, 0, Math.min(len, old.length));
    f.data = next;
    f.load = undefined;
    f.size = len;
    f.mtime = now();
  }

  private metaChange(path: string, syscall: string, follow = true): Inode {
    this.writable(path, syscall);
    return this.copyUp(this.existing(path, follow, syscall));
  }

  chmod(path: string, mode: number): void {
    this.metaChange(path, 'chmod').mode = mode & 0o7777;
  }
  chown(path: string, uid: number, gid: number, opts: { follow?: boolean } = {}): void {
    const i = this.metaChange(path, 'chown', opts.follow ?? true);
    i.uid = uid;
    i.gid = gid;
    i.mode = modeAfterChown(i.kind, i.mode);
  }
  utimes(path: string, mtime: number): void {
    this.metaChange(path, 'utimes').mtime = mtime;
  }
  setxattr(path: string, name: string, value: string): void {
    if (isOverlayXattr(name)) throw new FsError('EPERM', path, 'setxattr');
    const i = this.metaChange(path, 'setxattr');
    (i.xattrs ??= new Map()).set(name, value);
  }

  private createNew(path: string, syscall: string, make: (parent: MergedNode) => Inode): void {
    this.writable(path, syscall);
    const r = this.resolve(path, false, syscall);
    if (r.node) throw new FsError('EEXIST', path, syscall);
    this.createAt(r.parent, r.name, path, syscall, make(r.parent));
  }

  mkdir(path: string, mode = 0o755): void {
    this.createNew(path, 'mkdir', (p) => newDir(this.newOwner(p, 'dir', mode & MKDIR_MODE_MASK)));
  }
  symlink(target: string, path: string): void {
    this.createNew(path, 'symlink', (p) => newSymlink(target, this.newOwner(p, 'symlink', 0o777)));
  }
  mknod(path: string, kind: 'char' | 'block' | 'fifo', mode: number, major = 0, minor = 0): void {
    this.createNew(path, 'mknod', (p) => {
      const o = this.newOwner(p, kind, mode);
      return kind === 'fifo' ? newFifo(o) : newDevice(kind, major, minor, o);
    });
  }

  /** "Creating a hard-link also requires copy_up" (overlayfs.rst): the link is to the upper copy. */
  link(existingPath: string, newPath: string): void {
    this.writable(newPath, 'link');
    const src = this.existing(existingPath, false, 'link');
    // linkat(2) creates the new name (EEXIST) before vfs_link refuses a directory (EPERM).
    const r = this.resolve(newPath, false, 'link');
    if (r.node) throw new FsError('EEXIST', newPath, 'link');
    if (src.kind === 'dir') throw new FsError('EPERM', existingPath, 'link');
    const up = this.copyUp(src);
    this.createAt(r.parent, r.name, newPath, 'link', up);
  }

  unlink(path: string): void {
    this.writable(path, 'unlink');
    const r = this.resolve(path, false, 'unlink');
    if (!r.node) throw new FsError('ENOENT', path, 'unlink');
    if (r.node.kind === 'dir') throw new FsError('EISDIR', path, 'unlink');
    this.removeAt(r.parent, r.name);
  }

  rmdir(path: string): void {
    this.writable(path, 'rmdir');
    const r = this.resolve(path, false, 'rmdir');
    if (!r.node) throw new FsError('ENOENT', path, 'rmdir');
    if (r.node.kind !== 'dir') throw new FsError('ENOTDIR', path, 'rmdir');
    if (r.path === '') throw new FsError('EBUSY', path, 'rmdir');
    if (this.mergedNames(r.node).length > 0) throw new FsError('ENOTEMPTY', path, 'rmdir');
    this.removeAt(r.parent, r.name);
  }

  /**
   * rename(2) with redirect_dir off. The checks come in the kernel's order: the VFS's (ancestor
   * EINVAL, file/dir mismatch), then overlay's EXDEV for a directory that has lower parts ("Don't
   * copy up directory trees", fs/overlayfs/dir.c ovl_rename), then ENOTEMPTY for the target.
   */
  rename(from: string, to: string): void {
    this.writable(to, 'rename');
    // renameat2 looks up both parents before the old name itself (fs/namei.c do_renameat2).
    const s = this.resolve(from, false, 'rename');
    const d = this.resolve(to, false, 'rename');
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
