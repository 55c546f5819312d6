/**
 * One lower layer as the kernel sees a lowerdir: the layer's tar members applied to an empty
 * directory the way Docker's overlay2 driver extracts a diff. A whiteout is a character device 0/0,
 * an opaque directory carries `trusted.overlay.opaque=y` (Documentation/filesystems/overlayfs.rst,
 * "whiteouts and opaque directories"). File bytes stay in the layer and are read on demand.
 */
import { BoxlabError } from '../errors.js';
import type { Digest } from '../digest.js';
import type { LayerEntry, LayerSource } from '../layer/types.js';
import {
  linkInto,
  newDevice,
  newDir,
  newFifo,
  newLazyFile,
  newSymlink,
  unlinkFrom,
  type DirInode,
  type FileInode,
  type Inode,
  type Meta,
} from '../vfs/inode.js';
import { splitPath } from '../vfs/resolve.js';

export const OPAQUE_XATTR = 'trusted.overlay.opaque';
const OVERLAY_XATTR_PREFIX = 'trusted.overlay.';

export interface LayerTree {
  readonly diffId: Digest;
  readonly chainId: Digest;
  readonly root: DirInode;
}

export function isWhiteout(n: Inode | undefined | null): boolean {
  return !!n && n.kind === 'char' && n.major === 0 && n.minor === 0;
}

export function isOpaque(n: Inode | undefined | null): boolean {
  return !!n && n.kind === 'dir' && n.xattrs?.get(OPAQUE_XATTR) === 'y';
}

export function setOpaque(d: DirInode): void {
  (d.xattrs ??= new Map()).set(OPAQUE_XATTR, 'y');
}

/** The kernel's private xattrs (origin, impure, redirect, opaque, ...): never copied up or packed. */
export function isOverlayXattr(name: string): boolean {
  return name.startsWith(OVERLAY_XATTR_PREFIX);
}

/** A whiteout as the kernel creates one (vfs_whiteout: S_IFCHR, mode 0, device 0/0, owned by the mounter). */
export function newWhiteout(): Inode {
  return newDevice('char', 0, 0, { mode: 0, uid: 0, gid: 0 });
}

function metaOf(e: LayerEntry): Meta {
  return { mode: e.mode, uid: e.uid, gid: e.gid, mtime: e.mtime };
}

function withXattrs<T extends Inode>(n: T, e: LayerEntry): T {
  for (const [k, v] of Object.entries(e.xattrs ?? {})) {
    if (!isOverlayXattr(k)) (n.xattrs ??= new Map()).set(k, v);
  }
  return n;
}

/** Looks `path` up in lower trees (top first) with the kernel's stop rules, following no symlinks. */
export function lookupInTrees(treesTopDown: readonly LayerTree[], path: string): Inode | null {
  let dirs: DirInode[] = treesTopDown.map((t) => t.root);
  const comps = splitPath(path);
  for (let i = 0; i < comps.length; i++) {
    const next: DirInode[] = [];
    let found: Inode | null = null;
    for (const d of dirs) {
      const e = d.entries.get(comps[i]!);
      if (!e) continue;
      if (isWhiteout(e)) break;
      if (e.kind !== 'dir') {
        if (next.length === 0) found = e;
        break;
      }
      next.push(e);
      if (isOpaque(e)) break;
    }
    if (i === comps.length - 1) return found ?? next[0] ?? null;
    if (next.length === 0) return null;
    dirs = next;
  }
  return dirs[0] ?? null;
}

/**
 * Builds the lowerdir of `source`. `below` are the layers under it (bottom first), needed only for
 * hardlinks that point at a lower layer's file (umoci accepts those; the file is re-materialised in
 * this layer, as containerd's differ re-emits it).
 */
export function buildLayerTree(source: LayerSource, chainId: Digest, below: readonly LayerTree[]): LayerTree {
  const root = newDir({ mode: 0o755 });
  // Names whiteouted by this layer: a later same-layer entry there must still hide the lowers.
  const whitedOut = new Set<string>();
  const lowerLinks = new Map<string, FileInode>();
  const belowTopDown = [...below].reverse();

  const parentOf = (path: string): { dir: DirInode; name: string } => {
    const comps = splitPath(path);
    let dir = root;
    for (const c of comps.slice(0, -1)) {
      let next = dir.entries.get(c);
      if (!next || next.kind !== 'dir') {
        if (next) unlinkFrom(dir, c);
        next = newDir({ mode: 0o755 });
        linkInto(dir, c, next);
      }
      dir = next;
    }
    return { dir, name: comps[comps.length - 1] ?? '' };
  };

  const place = (path: string, node: Inode): void => {
    const { dir, name } = parentOf(path);
    const old = dir.entries.get(name);
    if (old) unlinkFrom(dir, name);
    linkInto(dir, name, node);
    // OCI layer.md: a whiteout applies only to lower layers, so an entry of this layer at a
    // whiteouted name is kept; if it is a directory, the lower one must stay hidden: opaque.
    if (node.kind === 'dir' && whitedOut.has(path)) setOpaque(node);
  };

  const hardlinkTarget = (e: LayerEntry): Inode => {
    const target = e.linkname ?? '';
    const own = lookupInTrees([{ root } as LayerTree], target);
    if (own && !isWhiteout(own)) {
      if (own.kind === 'dir') throw new BoxlabError('InvalidArchive', `hardlink to a directory: ${e.path} -> ${target}`, { member: e.path });
      return own;
    }
    const memo = lowerLinks.get(target);
    if (memo) return memo;
    const lower = lookupInTrees(belowTopDown, target);
    if (!lower || lower.kind !== 'file')
      throw new BoxlabError('InvalidArchive', `hardlink to missing target: ${e.path} -> ${target}`, { member: e.path });
    const copy = newLazyFile(lower, lower.size, () => (lower.data ?? lower.load?.() ?? Buffer.alloc(0)));
    lowerLinks.set(target, copy);
    return copy;
  };

  for (const e of source.entries) {
    if (e.path === '' && (e.type === 'dir' || e.type === 'opaque')) {
      if (e.type === 'dir') Object.assign(root, metaOf(e));
      else setOpaque(root);
      continue;
    }
    switch (e.type) {
      case 'dir': {
        const { dir, name } = parentOf(e.path);
        const old = dir.entries.get(name);
        if (old && old.kind === 'dir') {
          // OCI layer.md: both directories, so the entry's attributes replace the existing ones.
          Object.assign(old, metaOf(e), { mode: e.mode & 0o7777 });
          withXattrs(old, e);
        } else place(e.path, withXattrs(newDir(metaOf(e)), e));
        break;
      }
      case 'file':
        place(e.path, withXattrs(newLazyFile(metaOf(e), e.size, () => source.readContent(e)), e));
        break;
      case 'symlink':
        place(e.path, withXattrs(newSymlink(e.linkname ?? '', metaOf(e)), e));
        break;
      case 'hardlink':
        place(e.path, hardlinkTarget(e));
        break;
      case 'char':
      case 'block':
        place(e.path, withXattrs(newDevice(e.type, e.devmajor ?? 0, e.devminor ?? 0, metaOf(e)), e));
        break;
      case 'fifo':
        place(e.path, withXattrs(newFifo(metaOf(e)), e));
        break;
      case 'whiteout': {
        whitedOut.add(e.path);
        const { dir, name } = parentOf(e.path);
        const own = dir.entries.get(name);
        if (!own) linkInto(dir, name, newWhiteout());
        else if (own.kind === 'dir') setOpaque(own);
        break;
      }
      case 'opaque': {
        const { dir, name } = parentOf(e.path);
        let d = dir.entries.get(name);
        if (!d || d.kind !== 'dir') {
          d = newDir({ mode: 0o755 });
          place(e.path, d);
        }
        setOpaque(d);
        break;
      }
    }
  }
  return { diffId: source.diffId, chainId, root };
}
