/**
 * A mount namespace: a table of filesystems mounted at paths, and path resolution across it the
 * kernel's way (fs/namei.c link_path_walk, follow_dotdot; fs/namespace.c). A mount is a whole
 * filesystem, or a view of one from a directory or a single file down (a bind mount: Docker binds
 * volumes, and /etc/hosts, /etc/resolv.conf and /etc/hostname as single files), read-write or
 * read-only. A later mount on the same place stacks on top and hides what is below.
 *
 * A location is a mount and a path inside its filesystem view. Resolution walks one component at a
 * time: a name is looked up in its directory's filesystem (which checks search permission), then
 * the walk steps onto the root of whatever is mounted there; `..` at a mount's root first climbs to
 * the mount point in the parent mount; `..` at the process's root stays; an absolute symlink starts
 * again at the process's root, never the host's; more than 40 symlinks fail with ELOOP.
 * The syscalls a process makes through it are in context.ts.
 */
import { FsError } from '../errors.js';
import { ROOT_CRED, type Cred } from './cred.js';
import type { FileSystem } from './fs.js';
import { MAX_SYMLINK_HOPS, joinPath, splitPath } from './resolve.js';
import type { Stats } from './stats.js';

export interface MountOptions {
  /** What /proc/self/mounts shows in its first field (`tmpfs`, `overlay`, `/dev/sda1`, `shm`). */
  source?: string;
  readOnly?: boolean;
  /**
   * Per-mount flags as the kernel prints them: nosuid, nodev, noexec and one of relatime (the
   * default), strictatime (printed as nothing) or noatime.
   */
  flags?: readonly string[];
}

export class Mount {
  private static nextId = 1;
  /** mnt_id, in mount order. */
  readonly id = Mount.nextId++;
  readonly source: string;
  readonly readOnly: boolean;
  readonly flags: readonly string[];

  constructor(
    readonly fs: FileSystem,
    /** The mount this one sits on, null for the namespace's root mount. */
    readonly parent: Mount | null,
    /** Where it sits: a path in the parent mount's view (it follows a rename of that path). */
    public mountpoint: string,
    opts: MountOptions,
  ) {
    this.source = opts.source ?? fs.fsType;
    this.readOnly = opts.readOnly ?? false;
    this.flags = opts.flags ?? ['relatime'];
  }

  /** The absolute path of this mount's root in the namespace. */
  get target(): string {
    if (!this.parent) return '/';
    const up = this.parent.target;
    return up === '/' ? `/${this.mountpoint}` : this.mountpoint === '' ? up : `${up}/${this.mountpoint}`;
  }
}

/** A place in the namespace: a mount and a canonical path in its view ('' is the mount's root). */
export interface Loc {
  readonly mnt: Mount;
  readonly path: string;
}

export interface Walked {
  /** The directory holding the final name. */
  parent: Loc;
  /** The final component; '' when the path names a directory reached by `/`, `.` or `..`. */
  name: string;
  /** The final name itself (on top of whatever is mounted on it), or null when it does not exist. */
  loc: Loc | null;
  /** The final name in its parent's filesystem, before stepping onto a mount on it. */
  under: Loc | null;
}

const sameLoc = (a: Loc, b: Loc) => a.mnt === b.mnt && a.path === b.path;
const parentPath = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');

/** The kernel's order of per-mount flags in /proc/self/mounts (fs/proc_namespace.c show_mnt_opts). */
const FLAG_ORDER = ['nosuid', 'nodev', 'noexec', 'noatime', 'nodiratime', 'relatime'];

/** seq_file's escaping of a path field: space, tab, newline and backslash as octal. */
function mangle(s: string): string {
  return s.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

export class MountNamespace {
  /** Every mount, in mount order (the order /proc/self/mounts lists them). */
  private readonly table: Mount[] = [];

  constructor(rootFs: FileSystem, opts: MountOptions = {}) {
    this.table.push(new Mount(rootFs, null, '', opts));
  }

  get rootMount(): Mount {
    return this.table[0]!;
  }

  /** The namespace's root: the root mount's root, or what is mounted on top of it. */
  get root(): Loc {
    return this.crossDown({ mnt: this.rootMount, path: '' });
  }

  /** Steps onto the top of the stack of mounts on `loc`, if any (follow_mount). */
  crossDown(loc: Loc): Loc {
    let cur = loc;
    for (;;) {
      let top: Mount | undefined;
      for (const m of this.table) if (m.parent === cur.mnt && m.mountpoint === cur.path) top = m;
      if (!top) return cur;
      cur = { mnt: top, path: '' };
    }
  }

  /**
   * A mount sits on a dentry, not on a name: when a directory holding mount points is renamed, the
   * mounts move with it (measured: after `mv /etc /sub` a bind on /etc/hosts is on /sub/hosts).
   * Followed for renames through the parent mount itself; a rename of the same directory through
   * another bind of that filesystem leaves these mounts where they were (a known difference).
   */
  renamed(mnt: Mount, from: string, to: string): void {
    for (const m of this.table) {
      if (m.parent !== mnt) continue;
      if (m.mountpoint === from) m.mountpoint = to;
      else if (m.mountpoint.startsWith(`${from}/`)) m.mountpoint = to + m.mountpoint.slice(from.length);
    }
  }

  /** Whether a mount sits on `loc` (is_local_mountpoint). */
  isMountpoint(loc: Loc): boolean {
    return this.table.some((m) => m.parent === loc.mnt && m.mountpoint === loc.path);
  }

  /**
   * `..` from `loc` (follow_dotdot): at the process's root it stays; at a mount's root it climbs to
   * the mount point in the parent mount first (repeatedly, for stacked mounts); then it takes the
   * parent directory and steps onto anything mounted there.
   */
  dotdot(loc: Loc, root: Loc): Loc {
    let cur = loc;
    for (;;) {
      if (sameLoc(cur, root)) return cur;
      if (cur.path !== '' || !cur.mnt.parent) break;
      cur = { mnt: cur.mnt.parent, path: cur.mnt.mountpoint };
    }
    if (cur.path === '') return cur;
    return this.crossDown({ mnt: cur.mnt, path: parentPath(cur.path) });
  }

  /**
   * Resolves `path` from `cwd` (or from `root` when absolute). With `follow`, a symlink in the final
   * component is followed (stat, open); a trailing slash forces that.
   */
  walk(path: string, ctx: { root: Loc; cwd: Loc; cred: Cred }, follow: boolean, syscall: string): Walked {
    if (path === '') throw new FsError('ENOENT', path, syscall);
    const trailing = /\/\.?$/.test(path);
    const queue = splitPath(path);
    // A final `.` is a component of its own: the name before it is followed, and the walk ends
    // with no last name (LAST_DOT), its parent being the directory itself.
    if (/(^|\/)\.$/.test(path)) queue.push('.');
    let cur = path.startsWith('/') ? ctx.root : ctx.cwd;
    // The directory a final `.` or `..` was looked up in: what the kernel treats as the parent.
    let dotIn: Loc | null = null;
    let hops = 0;
    while (queue.length > 0) {
      const name = queue.shift()!;
      const st = cur.mnt.fs.lookupAt(cur.path, name === '..' ? '.' : name, ctx.cred);
      if (name === '..' || name === '.') {
        dotIn = cur;
        if (name === '..') cur = this.dotdot(cur, ctx.root);
        continue;
      }
      dotIn = null;
      const isLast = queue.length === 0;
      if (!st) {
        if (isLast) return { parent: cur, name, loc: null, under: null };
        throw new FsError('ENOENT', path, syscall);
      }
      const under = { mnt: cur.mnt, path: joinPath(cur.path, name) };
      const child = this.crossDown(under);
      if (child === under && st.type === 'symlink' && (!isLast || follow || trailing)) {
        if (++hops > MAX_SYMLINK_HOPS) throw new FsError('ELOOP', path, syscall);
        const target = cur.mnt.fs.readlink(under.path, ctx.cred);
        if (target === '') throw new FsError('ENOENT', path, syscall);
        if (target.startsWith('/')) cur = ctx.root;
        queue.unshift(...splitPath(target));
        continue;
      }
      if (isLast) {
        if (trailing && (child === under ? st : this.stat(child, ctx.cred)).type !== 'dir')
          throw new FsError('ENOTDIR', path, syscall);
        return { parent: cur, name, loc: child, under };
      }
      cur = child;
    }
    return { parent: dotIn ?? cur, name: '', loc: cur, under: cur };
  }

  private rootCtx() {
    const root = this.root;
    return { root, cwd: root, cred: ROOT_CRED };
  }

  /** Stats of what `loc` names. */
  stat(loc: Loc, cred: Cred = ROOT_CRED): Stats {
    return loc.mnt.fs.lstat(loc.path, cred);
  }

  /**
   * mount(2) of `fs` on `target` (resolved as root, following symlinks, as mount(8) does). The
   * target must exist; a file can only be covered by a file and a directory by a directory.
   */
  mount(fs: FileSystem, target: string, opts: MountOptions = {}): Mount {
    const w = this.walk(target, this.rootCtx(), true, 'mount');
    if (!w.loc) throw new FsError('ENOENT', target, 'mount');
    const onDir = this.stat(w.loc).type === 'dir';
    const isDir = fs.stat('').type === 'dir';
    if (onDir !== isDir) throw new FsError(onDir ? 'ENOTDIR' : 'EISDIR', target, 'mount');
    const m = new Mount(fs, w.loc.mnt, w.loc.path, opts);
    this.table.push(m);
    return m;
  }

  /**
   * `mount --bind source target` inside the namespace: the filesystem under `source` (a directory
   * or a file) seen again at `target`; `source` is shown as the device of the mount it came from.
   */
  bind(source: string, target: string, opts: MountOptions = {}): Mount {
    const w = this.walk(source, this.rootCtx(), true, 'mount');
    if (!w.loc) throw new FsError('ENOENT', source, 'mount');
    const { mnt, path } = w.loc;
    // clone_mnt copies the source mount's flags: a bind of a read-only mount is read-only (measured).
    const readOnly = mnt.readOnly || (opts.readOnly ?? false);
    return this.mount(mnt.fs.subtree(path), target, { source: mnt.source, flags: mnt.flags, ...opts, readOnly });
  }

  /** A bind from outside the namespace (the host's files, a volume): `fs` from `path` down. */
  bindFrom(fs: FileSystem, path: string, target: string, opts: MountOptions = {}): Mount {
    return this.mount(fs.subtree(path), target, opts);
  }

  /** umount(2): the topmost mount whose root is `target`; EBUSY while something is mounted on it. */
  umount(target: string): void {
    const w = this.walk(target, this.rootCtx(), true, 'umount');
    if (!w.loc || w.loc.path !== '' || !w.loc.mnt.parent) throw new FsError('EINVAL', target, 'umount');
    const m = w.loc.mnt;
    if (this.table.some((c) => c.parent === m)) throw new FsError('EBUSY', target, 'umount');
    this.table.splice(this.table.indexOf(m), 1);
  }

  /** The mounts, in mount order. */
  list(): readonly Mount[] {
    return this.table;
  }

  /**
   * The table as /proc/self/mounts shows it: `source target fstype options 0 0`, options being
   * rw or ro, the per-mount flags in the kernel's order, then the filesystem's own (size=, mode=,
   * lowerdir=…). Measured on this kernel: a bind shows its source filesystem's options, and
   * `mount --bind -o ro` shows `ro`.
   */
  mounts(): string {
    return this.table
      .map((m) => {
        const flags = FLAG_ORDER.filter((f) => m.flags.includes(f));
        const opts = [m.readOnly ? 'ro' : 'rw', ...flags, ...m.fs.mountOptions()].join(',');
        return `${mangle(m.source)} ${mangle(m.target)} ${m.fs.fsType} ${opts} 0 0\n`;
      })
      .join('');
  }
}
