import { inGroup, isRoot, type Cred } from './cred.js';
import { S_IFMT, type Inode, type InodeKind } from './inode.js';

export { ROOT_CRED } from './cred.js';

/** What stat(2) reports, in the model's terms. */
export interface Stats {
  type: InodeKind;
  /** Permission bits (0o7777); `stMode` adds the type bits. */
  mode: number;
  stMode: number;
  uid: number;
  gid: number;
  /** Bytes for a file, the target's length for a symlink, 4096 for a directory (as ext4 shows it). */
  size: number;
  mtime: number;
  ino: number;
  nlink: number;
  /** st_dev: the filesystem the inode is on (two mounts of one filesystem show the same). */
  dev: number;
  rdev?: { major: number; minor: number };
  /** st_blocks (512-byte units) when the filesystem says; else derived from the size as ext4 would. */
  blocks?: number;
  /** The inode's xattrs overflow its own space and take a 4 KiB block of their own (st_blocks counts it). */
  xattrBlock?: boolean;
}

/**
 * ext4 keeps xattrs in the spare end of a 256-byte inode: 96 bytes, less a 4-byte magic and a 4-byte
 * end mark; each entry takes a 16-byte header and its name (without the `user.`/`trusted.`/`security.`
 * prefix, which is an index) rounded up to 4, and its value rounded up to 4 (fs/ext4/xattr.h,
 * EXT4_XATTR_LEN and EXT4_XATTR_SIZE). Past that, ext4 gives them a block. Measured on Docker's upper
 * dirs here: `origin` and `impure` together (a copied-up directory holding a copied-up entry) spill,
 * so `ls -l` of such a directory counts 8 more 512-byte blocks; `origin` alone or `opaque` alone fit.
 */
function xattrBlock(xattrs: ReadonlyMap<string, string> | undefined): boolean {
  if (!xattrs?.size) return false;
  const pad = (n: number) => (n + 3) & ~3;
  let used = 0;
  for (const [k, v] of xattrs) used += 16 + pad(Buffer.byteLength(k.replace(/^(user|trusted|security)\./, ''))) + pad(Buffer.byteLength(v));
  return used > 96 - 8;
}

export function statOf(inode: Inode, dev = 0): Stats {
  const size =
    inode.kind === 'file'
      ? inode.size
      : inode.kind === 'symlink'
        ? Buffer.byteLength(inode.target)
        : inode.kind === 'dir'
          ? 4096
          : 0;
  const st: Stats = {
    type: inode.kind,
    mode: inode.mode,
    stMode: S_IFMT[inode.kind] | inode.mode,
    uid: inode.uid,
    gid: inode.gid,
    size,
    mtime: inode.mtime,
    ino: inode.ino,
    nlink: inode.nlink,
    dev,
  };
  if (inode.kind === 'char' || inode.kind === 'block') st.rdev = { major: inode.major, minor: inode.minor };
  if (xattrBlock(inode.xattrs)) st.xattrBlock = true;
  return st;
}


/** The clock for mtimes: whole seconds since the epoch. */
export function now(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * Owner and mode of a new inode created in `parent` by `cred`, as the kernel's inode_init_owner
 * does it: in a setgid directory the new inode takes the directory's group, and a new directory
 * inherits the setgid bit; a new group-executable setgid file keeps that bit only when the caller is
 * in the group or holds CAP_FSETID.
 */
export function initOwner(
  parent: Inode,
  kind: InodeKind,
  mode: number,
  cred: Cred,
): { mode: number; uid: number; gid: number } {
  let gid = cred.gid;
  let m = mode & 0o7777;
  if (parent.mode & 0o2000) {
    gid = parent.gid;
    if (kind === 'dir') m |= 0o2000;
  }
  if (kind !== 'dir' && (m & 0o2010) === 0o2010 && !isRoot(cred) && !inGroup(cred, gid)) m &= ~0o2000;
  return { mode: m, uid: cred.uid, gid };
}

/**
 * chown(2) on a non-directory clears setuid, and setgid when group-execute is set, for every caller
 * since Linux 2.2.13 (chown(2) NOTES; fs/open.c chown_common sets ATTR_KILL_SUID|ATTR_KILL_SGID).
 */
export function modeAfterChown(kind: InodeKind, mode: number): number {
  if (kind === 'dir') return mode;
  let m = mode & ~0o4000;
  if (m & 0o010) m &= ~0o2000;
  return m;
}

/** mkdir(2) on Linux: "mode & ~umask & 01777"; setuid and setgid in the mode are ignored (setgid comes from the parent). */
export const MKDIR_MODE_MASK = 0o1777;
