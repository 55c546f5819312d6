/**
 * Populate-on-first-mount: what the engine copies from the image into an empty volume mounted over
 * a directory the image has (moby daemon/volumes_unix.go copyExistingContents, called at container
 * create). Nothing is copied when the volume already holds anything, when the image has nothing
 * there, or with `nocopy`. The copy keeps modes, owners, times, symlinks and hardlink groups, and
 * the volume's root takes the owner and mode of the image's directory (copyOwnership).
 */
import type { FileSystem } from '../vfs/fs.js';
import { joinPath } from '../vfs/resolve.js';

/** Copies the tree under `srcDir` of `src` into the root of `dst` (both read and written as root). */
export function copyTree(src: FileSystem, srcDir: string, dst: FileSystem): void {
  const links = new Map<number, string>();
  const walk = (from: string, to: string) => {
    for (const name of src.readdir(from)) {
      const s = joinPath(from, name);
      const d = joinPath(to, name);
      const st = src.lstat(s);
      if (st.type === 'dir') {
        dst.mkdir(d, st.mode);
        walk(s, d);
      } else if (st.type === 'symlink') {
        dst.symlink(src.readlink(s), d);
        dst.chown(d, st.uid, st.gid, { follow: false });
        continue;
      } else if (st.nlink > 1 && links.has(st.ino)) {
        dst.link(links.get(st.ino)!, d);
        continue;
      } else if (st.type === 'file') {
        dst.writeFile(d, src.readFile(s));
        if (st.nlink > 1) links.set(st.ino, d);
      } else {
        dst.mknod(d, st.type, st.mode, st.rdev?.major, st.rdev?.minor);
      }
      dst.chown(d, st.uid, st.gid);
      dst.chmod(d, st.mode);
      dst.utimes(d, st.mtime);
    }
  };
  walk(srcDir, '');
  const top = src.stat(srcDir);
  dst.chown('', top.uid, top.gid);
  dst.chmod('', top.mode);
}

/** Whether the image has a non-empty directory at `dir` (what makes a copy worth doing). */
export function hasContent(src: FileSystem, dir: string): boolean {
  try {
    return src.stat(dir).type === 'dir' && src.readdir(dir).length > 0;
  } catch {
    return false;
  }
}
