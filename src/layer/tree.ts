import { BoxlabError } from '../errors.js';
import { splitPath } from './paths.js';
import type { EntryType, LayerEntry } from './types.js';

/** Where a regular file's bytes live: entry `offset` in layer `layer` of the stack. */
export interface ContentRef {
  layer: number;
  offset: number;
  size: number;
}

/**
 * An inode of the merged tree. Names live in the parent's `children`; two names holding the same
 * Inode object are hardlinks (memfs's Node/Link split), so replacing one name never changes the
 * other.
 */
export interface Inode {
  type: Exclude<EntryType, 'hardlink'>;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  size: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  xattrs?: Record<string, string>;
  content?: ContentRef;
  children?: Map<string, Inode>;
  /** The layer whose entry made this inode (or last changed a directory's attributes). */
  layer: number;
}

export function newRoot(): Inode {
  return { type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: 0, size: 0, layer: -1, children: new Map() };
}

const MAX_SYMLINK_HOPS = 40;

/** A directory no entry made, where one is needed: mode 0755, root:root, as umoci's MkdirAll makes it. */
function implicitDir(): Inode {
  return { type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: 0, size: 0, layer: -1, children: new Map() };
}

/** A directory reached by resolution, with the real (symlink-free) path and the directories on it. */
interface Resolved {
  node: Inode;
  path: string[];
  /** The root, then each directory of `path`: `stack[i]` holds `path[i]`. */
  stack: Inode[];
}

/**
 * Resolves `parts` from the root, following every symlink inside the root the way
 * openat2(RESOLVE_IN_ROOT) and umoci's SecureJoin do: `..` at the root stays at the root and an
 * absolute target starts again at the root. Missing directories are created when `create` is
 * set (as umoci's MkdirAll does, mode 0755 root:root), and so is one in place of a non-directory
 * that `replaceable` allows; otherwise the result is null.
 */
function resolveDir(
  root: Inode,
  parts: string[],
  create: boolean,
  member: string,
  replaceable?: (dir: Inode, name: string) => boolean,
): Resolved | null {
  const stack: Inode[] = [root];
  const names: string[] = [];
  const todo = [...parts];
  let hops = 0;
  while (todo.length > 0) {
    const name = todo.shift()!;
    if (name === '' || name === '.') continue;
    if (name === '..') {
      if (stack.length > 1) {
        stack.pop();
        names.pop();
      }
      continue;
    }
    const cur = stack[stack.length - 1]!;
    let child = cur.children!.get(name);
    if (!child) {
      if (!create) return null;
      child = implicitDir();
      cur.children!.set(name, child);
    }
    if (child.type === 'symlink') {
      if (++hops > MAX_SYMLINK_HOPS)
        throw new BoxlabError('InvalidArchive', `${member}: too many levels of symbolic links resolving ${parts.join('/')}`, {
          member,
        });
      const target = child.linkname ?? '';
      if (target.startsWith('/')) {
        stack.length = 1;
        names.length = 0;
      }
      todo.unshift(...target.split('/'));
      continue;
    }
    if (child.type !== 'dir' && create && replaceable?.(cur, name)) {
      // a lower layer's file (or device) where this layer needs a directory: the directory
      // replaces it, as Docker's overlay2 shows it and as umoci does since #546
      child = implicitDir();
      cur.children!.set(name, child);
    }
    if (child.type !== 'dir') {
      if (!create) return null;
      throw new BoxlabError('InvalidArchive', `${member}: cannot create ${parts.join('/')}: ${names.concat(name).join('/')} is not a directory`, {
        member,
      });
    }
    stack.push(child);
    names.push(name);
  }
  return { node: stack[stack.length - 1]!, path: names, stack };
}

/**
 * Applies one layer's entries onto a merged tree, as umoci's TarExtractor does (the semantics the
 * corpus listings were made with):
 * - a whiteout deletes only what lower layers put there: paths this layer created (and their
 *   ancestors) are kept ("Whiteout files MUST only apply to resources in lower/parent layers",
 *   OCI layer.md); an opaque marker empties its directory of lower content the same way;
 * - an entry replaces whatever is at its path unless both are directories, in which case the
 *   directory keeps its children and takes the entry's attributes;
 * - a hardlink names an existing inode of this layer or of a lower one; a missing target is an error.
 */
export function applyLayer(root: Inode, layer: number, entries: readonly LayerEntry[], member: string): void {
  // umoci's upperPaths: the paths this layer made, and their ancestors, kept as the names each
  // directory got from this layer (a path is its parent directory and a name: directories are
  // never shared, so this is the same set, without building path strings)
  const upper = new Map<Inode, Set<string>>();
  const touched = (dir: Inode) => upper.get(dir) ?? upper.set(dir, new Set()).get(dir)!;
  const markUpper = (parent: Resolved, base: string) => {
    for (let i = 0; i < parent.path.length; i++) touched(parent.stack[i]!).add(parent.path[i]!);
    touched(parent.node).add(base);
  };
  // Removes `name` from `dir` unless this layer made it; a kept directory is searched for lower
  // content to remove beneath it.
  const removeLower = (dir: Inode, name: string) => {
    const node = dir.children!.get(name);
    if (!node) return;
    if (!upper.get(dir)?.has(name)) {
      dir.children!.delete(name);
      return;
    }
    if (node.type === 'dir') for (const child of [...node.children!.keys()]) removeLower(node, child);
  };

  for (const e of entries) {
    const what = `${member}: ${e.path || '/'}`;
    if (e.type === 'opaque') {
      const dir = resolveDir(root, e.path ? e.path.split('/') : [], false, what);
      if (dir) for (const child of [...dir.node.children!.keys()]) removeLower(dir.node, child);
      continue;
    }
    if (e.path === '') {
      if (e.type === 'whiteout') continue;
      if (e.type !== 'dir')
        throw new BoxlabError('InvalidArchive', `${member}: refusing to change the type of the root directory`, {
          member,
        });
      Object.assign(root, attrsOf(e, layer));
      continue;
    }
    const { dir, base } = splitPath(e.path);
    const parentParts = dir ? dir.split('/') : [];
    if (e.type === 'whiteout') {
      const parent = resolveDir(root, parentParts, false, what);
      if (parent) removeLower(parent.node, base);
      continue;
    }
    const parent = resolveDir(root, parentParts, true, what, (d, name) => !upper.get(d)?.has(name))!;
    const existing = parent.node.children!.get(base);
    if (e.type === 'dir' && existing?.type === 'dir') {
      Object.assign(existing, attrsOf(e, layer));
    } else if (e.type === 'hardlink') {
      parent.node.children!.delete(base);
      parent.node.children!.set(base, linkTarget(root, e, what, member));
    } else {
      parent.node.children!.set(base, newInode(e, layer));
    }
    markUpper(parent, base);
  }
}

function attrsOf(e: LayerEntry, layer: number): Partial<Inode> {
  return { mode: e.mode, uid: e.uid, gid: e.gid, mtime: e.mtime, xattrs: e.xattrs, layer };
}

function newInode(e: LayerEntry, layer: number): Inode {
  const type = e.type as Inode['type'];
  const node: Inode = { type, mode: e.mode, uid: e.uid, gid: e.gid, mtime: e.mtime, size: 0, layer };
  if (e.xattrs) node.xattrs = e.xattrs;
  switch (type) {
    case 'dir':
      node.children = new Map();
      break;
    case 'file':
      node.size = e.size;
      node.content = { layer, offset: e.offset, size: e.size };
      break;
    case 'symlink':
      node.linkname = e.linkname;
      node.mode = 0o777; // Linux symlinks have no mode of their own; lstat shows 0777
      break;
    case 'char':
    case 'block':
      node.devmajor = e.devmajor;
      node.devminor = e.devminor;
      break;
  }
  return node;
}

/** The inode a hardlink entry names: its parent resolved inside the root, its last part not. */
function linkTarget(root: Inode, e: LayerEntry, what: string, member: string): Inode {
  const { dir, base } = splitPath(e.linkname ?? '');
  const parent = base ? resolveDir(root, dir ? dir.split('/') : [], false, what) : null;
  const target = parent?.node.children!.get(base);
  // Docker's words (Go's link(2) error, paths inside the root), then what it means
  if (!target)
    throw new BoxlabError(
      'InvalidArchive',
      `${member}: link /${e.linkname} /${e.path}: no such file or directory (a hardlink to missing target ${JSON.stringify(e.linkname)})`,
      { member: what },
    );
  if (target.type === 'dir')
    throw new BoxlabError('InvalidArchive', `${what}: hardlink to a directory ${JSON.stringify(e.linkname)}`, {
      member: what,
    });
  return target;
}

export interface WalkItem {
  path: string;
  node: Inode;
}

/** Every path below the root, parents before children, names in byte order. */
export function* walk(root: Inode, prefix = ''): Generator<WalkItem> {
  const names = [...root.children!.keys()].sort(byteOrder);
  for (const name of names) {
    const node = root.children!.get(name)!;
    const path = prefix ? `${prefix}/${name}` : name;
    yield { path, node };
    if (node.type === 'dir') yield* walk(node, path);
  }
}

export function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Looks a path up without following a final symlink; parents are resolved inside the root. */
export function lookupPath(root: Inode, path: string): Inode | undefined {
  const { dir, base } = splitPath(path);
  if (!base) return root;
  const parent = resolveDir(root, dir ? dir.split('/') : [], false, path);
  return parent?.node.children!.get(base);
}
