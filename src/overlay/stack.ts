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
import { isOpaque, isWhiteout, unpackLayer, type LayerTree } from '../layer/diff-dir.js';

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
 * What the lowers show at `name` under a merged lower directory (`stack`, top first): the kernel's
 * lookup rules (fs/overlayfs/namei.c ovl_lookup), the one place boxlab writes them. Top-down, a
 * whiteout ends the search with nothing (unless directories were found above it), a non-directory
 * is the answer when it is the first thing found and ends the search otherwise (a directory below a
 * non-directory is hidden), and directories merge until an opaque one. `probe` sees every look.
 */
export function lowerChild(stack: readonly LowerDir[], name: string, probe?: (layer: number, e: Inode | undefined) => void): LowerChild | null {
  let dirs: LowerDir[] | null = null;
  for (const { layer, dir } of stack) {
    const e = dir.entries.get(name);
    probe?.(layer, e);
    if (!e) continue;
    if (isWhiteout(e)) break;
    if (e.kind !== 'dir') {
      if (!dirs) return { inode: e, layer, dirs: null };
      break;
    }
    (dirs ??= []).push({ layer, dir: e });
    if (isOpaque(e)) break;
  }
  return dirs ? { inode: dirs[0]!.dir, layer: dirs[0]!.layer, dirs } : null;
}

/** Every name a merged lower directory shows, with what it shows there (lowerChild of each name). */
export function mergeLowerChildren(stack: readonly LowerDir[]): Map<string, LowerChild> {
  const out = new Map<string, LowerChild>();
  const seen = new Set<string>();
  for (const { dir } of stack) {
    for (const name of dir.entries.keys()) {
      if (seen.has(name)) continue;
      seen.add(name);
      const c = lowerChild(stack, name);
      if (c) out.set(name, c);
    }
  }
  return out;
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
        t = unpackLayer(src, id, `layer ${i} (${src.diffId})`);
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
