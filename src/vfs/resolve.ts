/**
 * Path resolution confined to a root, as openat2(2) RESOLVE_IN_ROOT does it: `..` at the root stays
 * at the root, an absolute symlink target starts again at that root, and more than 40 symlinks in
 * one resolution fail with ELOOP (the kernel's MAXSYMLINKS, include/linux/namei.h).
 * It is generic over the node type so the plain vfs and the overlay's merged view share it.
 */
import { FsError } from '../errors.js';
import { checkSearch, isRoot, type Attrs, type Cred } from './cred.js';
import type { InodeKind } from './inode.js';

export const MAX_SYMLINK_HOPS = 40;

export interface Resolvable<N> {
  readonly root: N;
  kindOf(n: N): InodeKind;
  linkTarget(n: N): string;
  /** The child named `name` of directory `parent` (whose canonical path is `parentPath`), or null. */
  child(parent: N, name: string, parentPath: string): N | null;
  /** Mode and owner of a node, for the search permission a walk needs with a non-root `cred`. */
  attrsOf?(n: N): Attrs;
}

export interface Resolved<N> {
  /** The directory holding the final name (the root's parent is the root). */
  parent: N;
  parentPath: string;
  /** The final component; '' when the path names the root. */
  name: string;
  /** What the final name points at, or null when it does not exist (its parent does). */
  node: N | null;
  /** Canonical path inside the root, no leading slash; '' is the root. */
  path: string;
}

export function splitPath(p: string): string[] {
  return p.split('/').filter((c) => c !== '' && c !== '.');
}

export function joinPath(parent: string, name: string): string {
  return parent === '' ? name : `${parent}/${name}`;
}

/**
 * Resolves `path`. With `follow`, a symlink in the final component is followed too (stat, open);
 * without, it is returned itself (lstat, unlink, rename). A trailing slash forces following.
 * With a non-root `cred`, every directory a component is looked up in must grant search (may_lookup).
 */
export function resolvePath<N>(
  fs: Resolvable<N>,
  path: string,
  opts: { follow: boolean; syscall?: string; cred?: Cred },
): Resolved<N> {
  const last = path.charCodeAt(path.length - 1);
  // A trailing `/` or `/.` means the final component must be (or resolve to) a directory.
  const follow = opts.follow || last === 47 || (last === 46 && path.charCodeAt(path.length - 2) === 47);
  const queue = splitPath(path);
  // The directories walked so far and their canonical paths; `..` pops, never past the root.
  const nodes: N[] = [fs.root];
  const paths: string[] = [''];
  let hops = 0;
  const cred = opts.cred && !isRoot(opts.cred) && fs.attrsOf ? opts.cred : null;
  while (queue.length > 0) {
    const name = queue.shift()!;
    const top = nodes[nodes.length - 1]!;
    const topPath = paths[paths.length - 1]!;
    if (fs.kindOf(top) !== 'dir') throw new FsError('ENOTDIR', path, opts.syscall);
    if (cred) checkSearch(fs.attrsOf!(top), cred, path, opts.syscall ?? '');
    if (name === '..') {
      if (nodes.length > 1) {
        nodes.pop();
        paths.pop();
      }
      continue;
    }
    const isLast = queue.length === 0;
    const child = fs.child(top, name, topPath);
    if (child === null) {
      if (isLast) return { parent: top, parentPath: topPath, name, node: null, path: joinPath(topPath, name) };
      throw new FsError('ENOENT', path, opts.syscall);
    }
    if ((!isLast || follow) && fs.kindOf(child) === 'symlink') {
      if (++hops > MAX_SYMLINK_HOPS) throw new FsError('ELOOP', path, opts.syscall);
      const target = fs.linkTarget(child);
      if (target.startsWith('/')) {
        nodes.length = 1;
        paths.length = 1;
      }
      queue.unshift(...splitPath(target));
      continue;
    }
    if (isLast) return { parent: top, parentPath: topPath, name, node: child, path: joinPath(topPath, name) };
    nodes.push(child);
    paths.push(joinPath(topPath, name));
  }
  // The path ended on a directory reached by `..`, `.`, or a symlink to a directory.
  const i = nodes.length - 1;
  const topPath = paths[i]!;
  const name = topPath === '' ? '' : topPath.slice(topPath.lastIndexOf('/') + 1);
  return { parent: nodes[Math.max(0, i - 1)]!, parentPath: paths[Math.max(0, i - 1)]!, name, node: nodes[i]!, path: topPath };
}
