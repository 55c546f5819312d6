/**
 * Credentials and the kernel's permission rules, shared by every filesystem here so that a
 * non-root process meets EACCES and EPERM exactly where Linux puts them. Sources: fs/namei.c
 * (generic_permission, may_lookup, may_create, may_delete, check_sticky, may_linkat), fs/attr.c
 * (setattr_prepare, chown_ok, chgrp_ok), fs/inode.c (inode_init_owner), fs/xattr.c
 * (xattr_permission). Root is modelled as a process holding every capability; the ones that
 * matter here are CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_CHOWN, CAP_FSETID and
 * CAP_SYS_ADMIN (for trusted.* attributes).
 */
import { FsError } from '../errors.js';
import type { InodeKind } from './inode.js';

/** Who makes a call: the fsuid, fsgid and supplementary groups of the calling process (credentials(7)). */
export interface Cred {
  readonly uid: number;
  readonly gid: number;
  readonly groups?: readonly number[];
}

/** The caller a filesystem assumes when none is given: root, with every capability. */
export const ROOT_CRED: Cred = { uid: 0, gid: 0, groups: [] };

/** What a permission check needs to know about an inode. */
export interface Attrs {
  readonly kind: InodeKind;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

export const MAY_EXEC = 1;
export const MAY_WRITE = 2;
export const MAY_READ = 4;

export function isRoot(cred: Cred): boolean {
  return cred.uid === 0;
}

export function inGroup(cred: Cred, gid: number): boolean {
  return cred.gid === gid || (cred.groups ?? []).includes(gid);
}

/**
 * generic_permission: the owner class alone decides for the owner, the group class for a member,
 * the other class for everyone else (acl_permission_check). Root then overrides: read and write
 * always (CAP_DAC_OVERRIDE), search on a directory always, but execute of a non-directory only
 * when at least one execute bit is set.
 */
export function permitted(a: Attrs, mask: number, cred: Cred): boolean {
  let bits: number;
  if (cred.uid === a.uid) bits = (a.mode >> 6) & 7;
  else if (inGroup(cred, a.gid)) bits = (a.mode >> 3) & 7;
  else bits = a.mode & 7;
  if ((bits & mask) === mask) return true;
  if (!isRoot(cred)) return false;
  if (mask & MAY_EXEC && a.kind !== 'dir' && (a.mode & 0o111) === 0) return false;
  return true;
}

/** inode_permission, throwing the kernel's EACCES. */
export function checkPermission(a: Attrs, mask: number, cred: Cred, path: string, syscall: string): void {
  if (!permitted(a, mask, cred)) throw new FsError('EACCES', path, syscall);
}

/** may_lookup: search permission on every directory a path walks through. */
export function checkSearch(dir: Attrs, cred: Cred, path: string, syscall: string): void {
  checkPermission(dir, MAY_EXEC, cred, path, syscall);
}

/** may_create (after the EEXIST check its callers make): write and search on the parent. */
export function checkCreate(dir: Attrs, cred: Cred, path: string, syscall: string): void {
  checkPermission(dir, MAY_WRITE | MAY_EXEC, cred, path, syscall);
}

/**
 * may_delete: write and search on the parent (EACCES), then the sticky bit: in a sticky directory
 * only the owner of the entry, the owner of the directory or CAP_FOWNER may remove or rename it (EPERM).
 */
export function checkDelete(dir: Attrs, victim: Attrs, cred: Cred, path: string, syscall: string): void {
  checkPermission(dir, MAY_WRITE | MAY_EXEC, cred, path, syscall);
  if (dir.mode & 0o1000 && !isRoot(cred) && cred.uid !== victim.uid && cred.uid !== dir.uid)
    throw new FsError('EPERM', path, syscall);
}

/** inode_owner_or_capable: chmod, explicit utimes, and setting attributes need it (EPERM). */
export function checkOwner(a: Attrs, cred: Cred, path: string, syscall: string): void {
  if (!isRoot(cred) && cred.uid !== a.uid) throw new FsError('EPERM', path, syscall);
}

/**
 * chmod(2) as setattr_prepare decides it: only the owner (or CAP_FOWNER); and the setgid bit is
 * dropped silently when the caller is not in the file's group (nor has CAP_FSETID).
 */
export function chmodMode(a: Attrs, mode: number, cred: Cred, path: string): number {
  checkOwner(a, cred, path, 'chmod');
  let m = mode & 0o7777;
  if (m & 0o2000 && !isRoot(cred) && !inGroup(cred, a.gid)) m &= ~0o2000;
  return m;
}

/**
 * chown(2) as chown_ok and chgrp_ok decide it: without CAP_CHOWN the owner may only keep the
 * uid and give the file to a group they belong to. -1 leaves an id as it is.
 */
export function checkChown(a: Attrs, uid: number, gid: number, cred: Cred, path: string): void {
  if (isRoot(cred)) return;
  const uidOk = uid === -1 || (cred.uid === a.uid && uid === a.uid);
  const gidOk = gid === -1 || (cred.uid === a.uid && (gid === a.gid || inGroup(cred, gid)));
  if (!uidOk || !gidOk) throw new FsError('EPERM', path, 'chown');
}

/**
 * utimensat(2): explicit times need ownership (EPERM); "now" (a NULL times, as `touch` asks)
 * needs ownership or write permission (EACCES).
 */
export function checkUtimes(a: Attrs, explicit: boolean, cred: Cred, path: string): void {
  if (isRoot(cred) || cred.uid === a.uid) return;
  if (explicit) throw new FsError('EPERM', path, 'utimensat');
  checkPermission(a, MAY_WRITE, cred, path, 'utimensat');
}

/**
 * may_linkat with fs.protected_hardlinks=1 (the default of systemd and Debian, and this machine):
 * a caller who does not own the source may link it only when it is a regular file, not setuid,
 * not setgid-executable, and readable and writable by them.
 */
export function checkLinkSource(a: Attrs, cred: Cred, path: string): void {
  if (isRoot(cred) || cred.uid === a.uid) return;
  const safe =
    a.kind === 'file' &&
    (a.mode & 0o4000) === 0 &&
    (a.mode & 0o2010) !== 0o2010 &&
    permitted(a, MAY_READ | MAY_WRITE, cred);
  if (!safe) throw new FsError('EPERM', path, 'link');
}

/**
 * xattr_permission: trusted.* needs CAP_SYS_ADMIN (writing fails with EPERM; for reading the names
 * simply do not exist); user.* lives only on regular files and directories, a sticky directory's
 * only for its owner, and otherwise needs read (get, list) or write (set, remove) permission.
 */
export function checkXattr(a: Attrs, name: string, write: boolean, cred: Cred, path: string, syscall: string): void {
  if (name.startsWith('trusted.') || name.startsWith('security.')) {
    if (write && !isRoot(cred) && name.startsWith('trusted.')) throw new FsError('EPERM', path, syscall);
    return;
  }
  if (name.startsWith('user.')) {
    if (a.kind !== 'file' && a.kind !== 'dir') throw new FsError(write ? 'EPERM' : 'ENODATA', path, syscall);
    if (write && a.kind === 'dir' && a.mode & 0o1000 && !isRoot(cred) && cred.uid !== a.uid)
      throw new FsError('EPERM', path, syscall);
  }
  checkPermission(a, write ? MAY_WRITE : MAY_READ, cred, path, syscall);
}

/** Whether `cred` sees attribute `name` in listxattr (trusted.* is hidden from non-admins). */
export function xattrVisible(name: string, cred: Cred): boolean {
  return isRoot(cred) || !name.startsWith('trusted.');
}

/**
 * A write by a caller without CAP_FSETID clears setuid, and setgid when group-execute is set
 * (file_remove_privs, should_remove_suid).
 */
export function modeAfterWrite(mode: number, cred: Cred): number {
  if (isRoot(cred)) return mode;
  let m = mode & ~0o4000;
  if (m & 0o010) m &= ~0o2000;
  return m;
}
