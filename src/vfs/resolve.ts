/**
 * Path resolution confined to a root, as openat2(2) RESOLVE_IN_ROOT does it: `..` at the root stays
 * at the root, an absolute symlink target starts again at that root, and more than 40 symlinks in
 * one resolution fail with ELOOP (the kernel's MAXSYMLINKS, include/linux/namei.h).
 * It is generic over the node type so the plain vfs and the overlay's merged view share it.
 */
import { FsError } from '../errors.js';
import type { InodeKind } from './inode.js';

export const MAX_SYMLINK_HOPS = 40;

export interface Resolvable<N> {
  readonly root: N;
  kindOf(n: N): InodeKind;
  linkTarget(n: N): string;
  /** The child named `name` of directory `parent` (whose canonical path is `parentPath`), or null. */
  child(parent: N, name: string, parentPath: string): N | null;
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
 */
export function resolvePath<N>(
  fs: Resolvable<N>,
  path: string,
  opts: { follow: boolean; syscall?: string },
): Resolved<N> {
  const follow = opts.follow || /\/\.?$/.test(path);
  const queue = splitPath(path);
  const stack: { node: N; path: string }[] = [{ node: fs.root, path: '' }];
  let hops = 0;
  const fail = (errno: 'ENOENT' | 'ENOTDIR' | 'ELOOP'): never => {
    throw new FsError(errno, path, opts.syscall);
  };
  while (queue.length > 0) {
    const name = queue.shift()!;
    const top = stack[stack.length - 1]!;
    if (fs.kindOf(top.node) !== 'dir') fail('ENOTDIR');
    if (name === '..') {
      if (stack.length > 1) stack.pop();
      continue;
    }
    const isLast = queue.length === 0;
    const child = fs.child(top.node, name, top.path);
    if (child === null) {
      if (isLast) return { parent: top.node, parentPath: top.path, name, node: null, path: joinPath(top.path, name) };
      return fail('ENOENT');
    }
    if (fs.kindOf(child) === 'symlink' && (!isLast || follow)) {
      if (++hops > MAX_SYMLINK_HOPS) fail('ELOOP');
      const target = fs.linkTarget(child);
      if (target.startsWith('/')) stack.splice(1);
      queue.unshift(...splitPath(target));
      continue;
    }
    if (isLast) return { parent: top.node, parentPath: top.path, name, node: child, path: joinPath(top.path, name) };
    stack.push({ node: child, path: joinPath(top.path, name) });
  }
  // The path ended on a directory reached by `..`, `.`, or a symlink to a directory.
  const top = stack[stack.length - 1]!;
  const parent = stack[stack.length - 2] ?? top;
  const name = top.path === '' ? '' : top.path.slice(top.path.lastIndexOf('/') + 1);
  return { parent: parent.node, parentPath: parent.path, name, node: top.node, path: top.path };
}
