/**
 * `mv` as coreutils and busybox do it: rename(2) first; when that fails with EXDEV (a lower or
 * merged directory on an overlay with redirect_dir off), copy the tree to the new name, keeping
 * modes, owners, times, symlinks and the hardlinks inside the tree, then delete the old one.
 */
import { FsError, isErrno } from '../errors.js';
import { joinPath, splitPath } from '../vfs/resolve.js';
import type { OverlayMount } from './mount.js';

export interface MvResult {
  /** True when rename(2) did it; false when the copy-and-delete fallback ran. */
  renamed: boolean;
  /** Objects and file bytes the fallback copied. */
  copied: number;
  copiedBytes: number;
}

function basename(p: string): string {
  const c = splitPath(p);
  return c[c.length - 1] ?? '';
}

export function mv(m: OverlayMount, src: string, dst: string): MvResult {
  let target = dst;
  // `mv a dir` moves a into dir, as coreutils does without -T.
  try {
    if (m.stat(dst).type === 'dir') target = joinPath(splitPath(dst).join('/'), basename(src));
  } catch (e) {
    if (!(e instanceof FsError)) throw e;
  }
  try {
    m.rename(src, target);
    return { renamed: true, copied: 0, copiedBytes: 0 };
  } catch (e) {
    if (!isErrno(e, 'EXDEV')) throw e;
  }
  const res: MvResult = { renamed: false, copied: 0, copiedBytes: 0 };
  if (m.exists(target)) {
    if (m.lstat(target).type === 'dir') m.rmdir(target); // rename(2)'s rule: only an empty directory is replaced
    else m.unlink(target);
  }
  copyTree(m, src, target, new Map(), res);
  removeTree(m, src);
  return res;
}

function copyTree(m: OverlayMount, src: string, dst: string, links: Map<number, string>, res: MvResult): void {
  const st = m.lstat(src);
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
      for (const name of m.readdir(src)) copyTree(m, joinPath(src, name), joinPath(dst, name), links, res);
      break;
    case 'file': {
      const data = m.readFile(src);
      res.copiedBytes += data.length;
      m.writeFile(dst, data, { mode: 0o600 });
      break;
    }
    case 'symlink':
      m.symlink(m.readlink(src), dst);
      m.chown(dst, st.uid, st.gid, { follow: false });
      return;
    default:
      m.mknod(dst, st.type, st.mode, st.rdev?.major, st.rdev?.minor);
  }
  // Owner first, then mode: chown clears setuid, so the mode must be set after it.
  m.chown(dst, st.uid, st.gid);
  m.chmod(dst, st.mode);
  m.utimes(dst, st.mtime);
}

function removeTree(m: OverlayMount, path: string): void {
  if (m.lstat(path).type === 'dir') {
    for (const name of m.readdir(path)) removeTree(m, joinPath(path, name));
    m.rmdir(path);
  } else m.unlink(path);
}
