/**
 * `mv` as coreutils does it (9.1, measured against a kernel overlay): rename(2) first; when that
 * fails with EXDEV (a directory with lower parts, redirect_dir off), create the target directory and
 * move each entry into it the same way (rename, and for a subdirectory with lower parts, recurse),
 * set the new directory's owner, mode and time, and finally remove what is left of the source tree.
 * An entry that cannot be moved is reported and skipped; then the source is not removed.
 * Files are moved by rename(2), which on an overlay copies them up and whites out the old name.
 */
import { FsError, isErrno } from '../errors.js';
import { joinPath, splitPath } from '../vfs/resolve.js';
import type { OverlayMount } from './mount.js';

export interface MvResult {
  /** True when one rename(2) did it; false when the fallback walked the tree. */
  renamed: boolean;
  /** Directories the fallback created and entries it renamed one by one. */
  copied: number;
  /** Bytes copied up into the upper layer while moving. */
  copiedBytes: number;
}

function basename(p: string): string {
  const c = splitPath(p);
  return c[c.length - 1] ?? '';
}

function lstatOrNull(m: OverlayMount, p: string) {
  try {
    return m.lstat(p);
  } catch (e) {
    if (e instanceof FsError) return null;
    throw e;
  }
}

export function mv(m: OverlayMount, src: string, dst: string): MvResult {
  let target = dst;
  // `mv a dir` moves a into dir, as coreutils does without -T.
  try {
    if (m.stat(dst).type === 'dir') target = joinPath(splitPath(dst).join('/'), basename(src));
  } catch (e) {
    if (!(e instanceof FsError)) throw e;
  }
  // coreutils refuses to move a file onto itself or onto another name of the same inode
  // ("mv: 'a' and 'b' are the same file"), where rename(2) would quietly do nothing.
  const from = m.lstat(src);
  const to = lstatOrNull(m, target);
  if (to && to.ino === from.ino) throw new FsError('EINVAL', target, 'mv');

  const bytesBefore = m.stats().copyUpBytes;
  const res: MvResult = { renamed: false, copied: 0, copiedBytes: 0 };
  try {
    m.rename(src, target);
    res.renamed = true;
  } catch (e) {
    if (!isErrno(e, 'EXDEV')) throw e;
    const errors: FsError[] = [];
    moveDir(m, src, target, res, errors);
    if (errors.length > 0) throw errors[0]!;
    removeTree(m, src);
  }
  res.copiedBytes = m.stats().copyUpBytes - bytesBefore;
  return res;
}

/** The EXDEV fallback for one directory: a new target directory, the entries moved into it. */
function moveDir(m: OverlayMount, src: string, dst: string, res: MvResult, errors: FsError[]): void {
  const st = m.lstat(src);
  // An existing (empty) target directory is removed and made again (measured: on an overlay the new
  // one is then opaque, as mkdir over a whiteout makes it); a non-empty one fails with ENOTEMPTY.
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
      if (e.errno === 'EXDEV') moveDir(m, from, to, res, errors);
      else errors.push(e); // e.g. a name readdir lists but lookup cannot find (a whiteout in a one-layer dir)
    }
  }
  // Owner first, then mode: chown clears setuid and setgid bits on files (not on directories).
  m.chown(dst, st.uid, st.gid);
  // coreutils sets a mode without special bits through an ACL, which leaves the setgid bit the new
  // directory inherited from its parent (measured: 755 into a setgid dir gives 2755); a mode with
  // setuid, setgid or sticky goes through chmod(2) and is set exactly (1777 gives 1777).
  const special = 0o7000;
  m.chmod(dst, st.mode & special ? st.mode : (m.lstat(dst).mode & special) | (st.mode & 0o777));
  m.utimes(dst, st.mtime);
}

/** `rm -r` of what the fallback left behind: the source directories, emptied of everything moved. */
function removeTree(m: OverlayMount, path: string): void {
  if (m.lstat(path).type === 'dir') {
    for (const name of m.readdir(path)) removeTree(m, joinPath(path, name));
    m.rmdir(path);
  } else m.unlink(path);
}
