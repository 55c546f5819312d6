/**
 * `mv` as coreutils 9.1 does it, measured with strace against a kernel overlay. rename(2) first;
 * when it fails with EXDEV (a directory with lower parts, redirect_dir off) there are two fallbacks:
 *
 * - into an existing directory (`mv dir existing-dir/`): the target name is removed if it is an empty
 *   directory, made again, and each entry is moved into it with rename(2), recursing the same way for
 *   a subdirectory that fails with EXDEV. On an overlay each file rename is a copy-up plus a whiteout.
 * - to a new name (`mv dir new-name`): the first EXDEV tells coreutils that renames cannot work, so
 *   the tree is copied (files read and written, symlinks and the hardlinks inside the tree kept,
 *   owners and modes set after).
 *
 * Either way the source tree is removed only when every entry made it; an entry that fails is
 * reported and skipped, and `mv` fails at the end.
 */
import { FsError, isErrno } from '../errors.js';
import type { Stats } from '../vfs/stats.js';
import { joinPath, splitPath } from '../vfs/resolve.js';
import type { OverlayMount } from './mount.js';

export interface MvResult {
  /** True when one rename(2) did it; false when a fallback walked the tree. */
  renamed: boolean;
  /** Which fallback ran, if one did. */
  fallback: 'rename-each' | 'copy' | null;
  /** Directories made and entries renamed or copied by the fallback. */
  copied: number;
  /** File bytes the move wrote into the upper layer: copied by the fallback or copied up by renames. */
  copiedBytes: number;
}

function lstatOrNull(m: OverlayMount, p: string): Stats | null {
  try {
    return m.lstat(p);
  } catch (e) {
    if (e instanceof FsError) return null;
    throw e;
  }
}

function statIno(m: OverlayMount, p: string): number | null {
  try {
    return m.stat(p).ino;
  } catch (e) {
    if (e instanceof FsError) return null;
    throw e;
  }
}

export function mv(m: OverlayMount, src: string, dst: string): MvResult {
  let target = dst;
  let into = false;
  // `mv a dir` moves a into dir, as coreutils does without -T.
  try {
    if (m.stat(dst).type === 'dir') {
      const c = splitPath(src);
      target = joinPath(splitPath(dst).join('/'), c[c.length - 1] ?? '');
      into = true;
    }
  } catch (e) {
    if (!(e instanceof FsError)) throw e;
  }
  // coreutils refuses to move a file onto itself or onto another name of the same inode
  // ("mv: 'a' and 'b' are the same file"), where rename(2) would quietly do nothing.
  const from = m.lstat(src);
  const to = lstatOrNull(m, target);
  // A symlink to the target counts too (measured: `mv link file` where link -> file fails).
  if (to && (to.ino === from.ino || (from.type === 'symlink' && to.type !== 'symlink' && statIno(m, src) === to.ino)))
    throw new FsError('EINVAL', target, 'mv');

  const bytesBefore = m.stats().copyUpBytes;
  const res: MvResult = { renamed: false, fallback: null, copied: 0, copiedBytes: 0 };
  try {
    m.rename(src, target);
    res.renamed = true;
  } catch (e) {
    if (!isErrno(e, 'EXDEV')) throw e;
    const errors: FsError[] = [];
    res.fallback = into ? 'rename-each' : 'copy';
    if (into) renameEach(m, src, target, res, errors);
    else copyTree(m, src, target, new Map(), res, errors);
    if (errors.length > 0) throw errors[0]!;
    removeTree(m, src);
  }
  res.copiedBytes += m.stats().copyUpBytes - bytesBefore;
  return res;
}

/**
 * Owner first, then mode (chown clears setuid). coreutils sets a mode without special bits through
 * an ACL, which keeps a setgid bit the new directory inherited from its parent (measured: 755 into a
 * setgid directory gives 2755); a mode with setuid, setgid or sticky goes through chmod(2), exactly.
 */
function setOwnerAndMode(m: OverlayMount, path: string, st: Stats): void {
  m.chown(path, st.uid, st.gid, { follow: false });
  if (st.type === 'symlink') return;
  const special = 0o7000;
  m.chmod(path, st.mode & special ? st.mode : (m.lstat(path).mode & special) | (st.mode & 0o777));
}

function renameEach(m: OverlayMount, src: string, dst: string, res: MvResult, errors: FsError[]): void {
  const st = m.lstat(src);
  // An existing empty target directory is removed and made again (on an overlay the new one is
  // then opaque, as mkdir over a whiteout makes it); a non-empty one fails with ENOTEMPTY.
  if (lstatOrNull(m, dst)) m.rmdir(dst);
  m.mkdir(dst, 0o700);
  res.copied++;
  for (const name of m.readdir(src)) {
    const from = joinPath(src, name);
    const to = joinPath(dst, name);
    try {
      m.rename(from, to);
      res.copied++;
    } catch (e) {
      if (!(e instanceof FsError)) throw e;
      if (e.errno === 'EXDEV') renameEach(m, from, to, res, errors);
      else errors.push(e); // e.g. a name readdir lists but lookup cannot find (a whiteout in a one-layer dir)
    }
  }
  for (const [k, v] of m.xattrs(src, { follow: false })) m.setxattr(dst, k, v); // mv preserves xattrs
  setOwnerAndMode(m, dst, st);
  m.utimes(dst, st.mtime);
}

function copyTree(m: OverlayMount, src: string, dst: string, links: Map<number, string>, res: MvResult, errors: FsError[]): void {
  const st = lstatOrNull(m, src);
  if (!st) {
    errors.push(new FsError('ENOENT', src, 'stat'));
    return;
  }
  res.copied++;
  if (st.type !== 'dir' && st.nlink > 1) {
    const first = links.get(st.ino);
    if (first !== undefined) {
      m.link(first, dst);
      return;
    }
    links.set(st.ino, dst);
  }
  switch (st.type) {
    case 'dir':
      m.mkdir(dst, 0o700);
      for (const name of m.readdir(src)) copyTree(m, joinPath(src, name), joinPath(dst, name), links, res, errors);
      break;
    case 'file': {
      const data = m.readFile(src);
      res.copiedBytes += data.length;
      m.writeFile(dst, data, { mode: 0o600 });
      break;
    }
    case 'symlink':
      m.symlink(m.readlink(src), dst);
      break;
    default:
      m.mknod(dst, st.type, st.mode, st.rdev?.major, st.rdev?.minor);
  }
  if (st.type !== 'symlink') for (const [k, v] of m.xattrs(src, { follow: false })) m.setxattr(dst, k, v); // mv preserves xattrs
  setOwnerAndMode(m, dst, st);
  if (st.type !== 'symlink') m.utimes(dst, st.mtime);
}

/** `rm -r` of what the fallback left behind. */
function removeTree(m: OverlayMount, path: string): void {
  if (m.lstat(path).type === 'dir') {
    for (const name of m.readdir(path)) removeTree(m, joinPath(path, name));
    m.rmdir(path);
  } else m.unlink(path);
}
