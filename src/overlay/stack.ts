/**
 * A lower stack: an image's layers as read-only lowerdirs, built once and shared by every mount of
 * that image (keyed by the top layer's chainID), plus, for the `indexed` strategy, one merged path
 * index over the whole stack (the idea behind composefs: one flattened metadata tree). Nothing a
 * mount does changes a stack or its index: each mount keeps its writes in its own upper layer.
 */
import { chainIds, type Digest } from '../digest.js';
import type { LayerSource } from '../layer/types.js';
import type { DirInode, Inode } from '../vfs/inode.js';
import { joinPath } from '../vfs/resolve.js';
import { buildLayerTree, isOpaque, isWhiteout, type LayerTree } from './layer-tree.js';

/** A directory of one lower layer inside a merged directory's stack; `layer` counts from the bottom (0). */
export interface LowerDir {
  readonly layer: number;
  readonly dir: DirInode;
}

/** What the lowers hold at one name of a merged lower directory, after the kernel's stop rules. */
export interface LowerChild {
  /** The topmost visible object (for a directory, the top of `dirs`). */
  inode: Inode;
  layer: number;
  /** For a directory, every lower directory merged at this name, top first; null otherwise. */
  dirs: LowerDir[] | null;
}

/**
 * Merges the names of a lower directory stack top-down (fs/overlayfs/namei.c ovl_lookup rules):
 * a whiteout or a non-directory stops the search, a directory below a non-directory is hidden, an
 * opaque directory stops it after itself. Used to build the index and to list merged directories.
 */
export function mergeLowerChildren(stack: readonly LowerDir[]): Map<string, LowerChild> {
  const out = new Map<string, LowerChild | null>();
  const stopped = new Set<string>();
  for (const { layer, dir } of stack) {
    for (const [name, e] of dir.entries) {
      if (stopped.has(name)) continue;
      const seen = out.get(name);
      if (seen === undefined) {
        if (isWhiteout(e)) {
          out.set(name, null);
          stopped.add(name);
        } else if (e.kind !== 'dir') {
          out.set(name, { inode: e, layer, dirs: null });
          stopped.add(name);
        } else {
          out.set(name, { inode: e, layer, dirs: [{ layer, dir: e }] });
          if (isOpaque(e)) stopped.add(name);
        }
      } else if (seen && seen.dirs) {
        if (isWhiteout(e) || e.kind !== 'dir') stopped.add(name);
        else {
          seen.dirs.push({ layer, dir: e });
          if (isOpaque(e)) stopped.add(name);
        }
      }
    }
  }
  for (const [name, c] of out) if (c === null) out.delete(name);
  return out as Map<string, LowerChild>;
}

/**
 * The merged index of a lower stack: path → topmost visible lower object. Kept compact for large
 * images: one Map from path to a small integer, parallel arrays for the inode and its layer, and the
 * directory stacks (few) in a side table.
 */
export class MergedIndex {
  private readonly ids = new Map<string, number>();
  private inodes: Inode[] = [];
  private layers = new Uint16Array(1024);
  private readonly dirStacks = new Map<number, LowerDir[]>();
  readonly rootStack: LowerDir[];

  constructor(rootStack: LowerDir[]) {
    this.rootStack = rootStack;
    this.build('', rootStack);
  }

  get size(): number {
    return this.ids.size;
  }

  get(path: string): LowerChild | undefined {
    const id = this.ids.get(path);
    if (id === undefined) return undefined;
    return { inode: this.inodes[id]!, layer: this.layers[id]!, dirs: this.dirStacks.get(id) ?? null };
  }

  private add(path: string, c: LowerChild): void {
    const id = this.inodes.length;
    if (id >= this.layers.length) {
      const grown = new Uint16Array(this.layers.length * 2);
      grown.set(this.layers);
      this.layers = grown;
    }
    this.inodes.push(c.inode);
    this.layers[id] = c.layer;
    // Flatten the concatenated key so the map does not keep a rope of parent strings alive.
    this.ids.set(path.length > 0 ? flat(path) : path, id);
    if (c.dirs) this.dirStacks.set(id, c.dirs);
  }

  private build(root: string, rootStack: LowerDir[]): void {
    const todo: [string, LowerDir[]][] = [[root, rootStack]];
    while (todo.length > 0) {
      const [path, stack] = todo.pop()!;
      for (const [name, c] of mergeLowerChildren(stack)) {
        const p = joinPath(path, name);
        this.add(p, c);
        if (c.dirs) todo.push([p, c.dirs]);
      }
    }
  }
}

function flat(s: string): string {
  // Number(...) on a string forces V8 to flatten a cons-string; the result is discarded.
  void Number(s);
  return s;
}

export class LowerStack {
  /** Lower layers, bottom first (the order of an image's rootfs.diff_ids). */
  readonly layers: readonly LayerTree[];
  /** The top layer's chainID, or 'empty' for a mount with no lowers. */
  readonly key: string;
  private index_?: MergedIndex;

  constructor(layers: readonly LayerTree[]) {
    this.layers = layers;
    this.key = layers[layers.length - 1]?.chainId ?? 'empty';
  }

  get depth(): number {
    return this.layers.length;
  }

  /**
   * The root's lower stack, top first. The kernel builds the root's stack from every lowerdir and
   * does not read the opaque xattr of a lowerdir's own root (fs/overlayfs/super.c), so neither do we.
   */
  rootStack(): LowerDir[] {
    return this.layers.map((t, layer) => ({ layer, dir: t.root })).reverse();
  }

  /** Built on first use, then shared by every mount of this stack. */
  index(): MergedIndex {
    return (this.index_ ??= new MergedIndex(this.rootStack()));
  }

  get indexed(): boolean {
    return this.index_ !== undefined;
  }
}

/** Shares layer trees (by chainID) and stacks (by top chainID) between mounts. */
export class LowerStackCache {
  private readonly trees = new Map<Digest, LayerTree>();
  private readonly stacks = new Map<string, LowerStack>();

  get(lowers: readonly LayerSource[]): LowerStack {
    const chain = chainIds(lowers.map((l) => l.diffId));
    const key = chain[chain.length - 1] ?? 'empty';
    const hit = this.stacks.get(key);
    if (hit) return hit;
    const trees: LayerTree[] = [];
    lowers.forEach((src, i) => {
      const id = chain[i]!;
      let t = this.trees.get(id);
      if (!t) {
        t = buildLayerTree(src, id, trees);
        this.trees.set(id, t);
      }
      trees.push(t);
    });
    const stack = new LowerStack(trees);
    this.stacks.set(key, stack);
    return stack;
  }

  /**
   * Forgets a stack and its layer trees (the engine calls this when the image is removed: the
   * trees read file bytes from the store, and a layer loaded again may come in another blob).
   */
  evict(topChainId: string): void {
    for (const t of this.stacks.get(topChainId)?.layers ?? []) this.trees.delete(t.chainId);
    this.stacks.delete(topChainId);
  }

  clear(): void {
    this.trees.clear();
    this.stacks.clear();
  }
}

export const sharedLowerStacks = new LowerStackCache();
