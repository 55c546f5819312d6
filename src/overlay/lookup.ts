/**
 * Merged nodes and the two lookup strategies. A MergedNode is what the kernel keeps in an overlay
 * dentry (struct ovl_entry): the upper object, if any, and the stack of lower objects at that path.
 *
 * - `walk` probes, per path component, the upper directory and then every lower directory of the
 *   parent's stack top-down until a stop (fs/overlayfs/namei.c ovl_lookup: a whiteout, a
 *   non-directory or an opaque directory stops; "the cost per component is one check in upper plus
 *   one per lower in which the parent directory exists"). A dentry-cache model in front of it keeps
 *   each result on its parent node, as the dcache does, so a warm lookup probes nothing.
 * - `indexed` asks the upper directory, then one merged index of the lower stack: flat in depth.
 */
import type { Inode, InodeKind } from '../vfs/inode.js';
import { joinPath, type Resolvable } from '../vfs/resolve.js';
import { isOpaque, isWhiteout } from '../layer/diff-dir.js';
import { lowerChild, type LowerChild, type LowerDir, type LowerStack, type MergedIndex } from './stack.js';

export type Strategy = 'walk' | 'indexed';

/** One look into one layer for one name: `upper`, a lower layer (0 = bottom), or the merged index. */
export interface Probe {
  name: string;
  layer: 'upper' | 'index' | number;
  /** The name is there: an object, or a whiteout that ends the walk with "not found". */
  hit: boolean;
  whiteout: boolean;
}

export class MergedNode {
  /** Dentry-cache model: this directory's looked-up children (null = a cached negative entry). */
  children?: Map<string, MergedNode | null>;

  constructor(
    readonly path: string,
    readonly parent: MergedNode | null,
    /** The object in the upper layer, once there is one (created or copied up). */
    public upper: Inode | null,
    /** The topmost visible lower object (for a directory, the top of `lowerDirs`). */
    public lower: Inode | null,
    /** The lower layer `lower` is in, counting from the bottom; -1 when none. */
    public lowerLayer: number,
    /** For a directory: every lower directory merged here, top first. Empty for an opaque or pure-upper one. */
    public lowerDirs: readonly LowerDir[],
  ) {}

  get inode(): Inode {
    return (this.upper ?? this.lower)!;
  }
  get kind(): InodeKind {
    return this.inode.kind;
  }
  get name(): string {
    return this.path.slice(this.path.lastIndexOf('/') + 1);
  }
  /** Upper and lower both present: what the kernel calls a merge directory. */
  get isMerged(): boolean {
    return this.upper !== null && this.lowerDirs.length > 0;
  }
}

export interface Cost {
  probes: number;
  dentryHits: number;
  trail: Probe[] | null;
}

export class MergedLookup implements Resolvable<MergedNode> {
  readonly root: MergedNode;
  readonly cost: Cost = { probes: 0, dentryHits: 0, trail: null };
  private readonly index: MergedIndex | null;

  constructor(
    upperRoot: Inode,
    stack: LowerStack,
    readonly strategy: Strategy,
    public dentryCache: boolean,
  ) {
    const rootStack = stack.rootStack();
    this.root = new MergedNode('', null, upperRoot, rootStack[0]?.dir ?? null, rootStack[0]?.layer ?? -1, rootStack);
    this.index = strategy === 'indexed' ? stack.index() : null;
  }

  kindOf(n: MergedNode): InodeKind {
    return n.kind;
  }
  /** Permission checks use the merged inode's mode and owner (ovl_permission on the overlay inode). */
  attrsOf(n: MergedNode): Inode {
    return n.inode;
  }
  linkTarget(n: MergedNode): string {
    const i = n.inode;
    return i.kind === 'symlink' ? i.target : '';
  }

  private probe(name: string, layer: Probe['layer'], e: Inode | undefined): void {
    this.cost.probes++;
    this.cost.trail?.push({ name, layer, hit: e !== undefined, whiteout: e !== undefined && isWhiteout(e) });
  }

  child(parent: MergedNode, name: string, parentPath: string): MergedNode | null {
    if (this.dentryCache) {
      const cached = parent.children?.get(name);
      if (cached !== undefined) {
        this.cost.dentryHits++;
        return cached;
      }
    }
    const node = this.lookupChild(parent, name, parentPath);
    if (this.dentryCache) (parent.children ??= new Map()).set(name, node);
    return node;
  }

  /** Forgets the cached dentry for `name` in `parent` (and with it everything cached below it). */
  invalidate(parent: MergedNode, name: string): void {
    parent.children?.delete(name);
  }

  /** Like `echo 2 > /proc/sys/vm/drop_caches`: every later lookup is cold again. */
  dropCaches(): void {
    this.root.children = undefined;
  }

  private lookupChild(parent: MergedNode, name: string, parentPath: string): MergedNode | null {
    const path = joinPath(parentPath, name);
    let upper: Inode | null = null;
    const up = parent.upper;
    if (up && up.kind === 'dir') {
      const e = up.entries.get(name);
      this.probe(name, 'upper', e);
      if (e) {
        if (isWhiteout(e)) return null;
        if (e.kind !== 'dir' || isOpaque(e)) return new MergedNode(path, parent, e, null, -1, []);
        upper = e;
      }
    }
    if (parent.lowerDirs.length === 0) return upper ? new MergedNode(path, parent, upper, null, -1, []) : null;
    return this.index ? this.fromIndex(parent, name, path, upper) : this.walkLowers(parent, name, path, upper);
  }

  private walkLowers(parent: MergedNode, name: string, path: string, upper: Inode | null): MergedNode | null {
    return this.merged(parent, path, upper, lowerChild(parent.lowerDirs, name, (layer, e) => this.probe(name, layer, e)));
  }

  /** The node for an upper object (or none) over what the lowers show; a lower non-directory under an upper directory is hidden. */
  private merged(parent: MergedNode, path: string, upper: Inode | null, c: LowerChild | null): MergedNode | null {
    if (!c || (upper && !c.dirs)) return upper ? new MergedNode(path, parent, upper, null, -1, []) : null;
    return new MergedNode(path, parent, upper, c.inode, c.layer, c.dirs ?? []);
  }

  private fromIndex(parent: MergedNode, name: string, path: string, upper: Inode | null): MergedNode | null {
    const c = this.index!.get(path);
    this.probe(name, 'index', c?.inode);
    return this.merged(parent, path, upper, c ?? null);
  }

  /**
   * Whether a lower layer holds `name` under `parent` (fs/overlayfs/dir.c ovl_lower_positive):
   * removing such a name must leave a whiteout in the upper layer, or the lower entry would return.
   */
  lowerPositive(parent: MergedNode, name: string): boolean {
    for (const ld of parent.lowerDirs) {
      const e = ld.dir.entries.get(name);
      this.probe(name, ld.layer, e);
      if (e) return !isWhiteout(e);
    }
    return false;
  }
}
