import type { Digest } from '../digest.js';
import { applyLayer, newRoot, walk, type Inode } from './tree.js';
import type { LayerEntry } from './types.js';

export interface PathChange {
  path: string;
  kind: 'added' | 'changed' | 'removed';
  /** Bytes of the regular file the change is about (0 for other types). */
  size: number;
}

export interface LayerChanges {
  diffId: Digest;
  added: number;
  changed: number;
  removed: number;
  addedBytes: number;
  changes: PathChange[];
}

export interface Efficiency {
  /** dive's image efficiency score: Σ smallest size per path / Σ cumulative size per path. */
  score: number;
  /** Bytes of paths written (or removed) in more than one layer, counted each time. */
  wastedBytes: number;
  /** The worst offenders: path, times touched, cumulative bytes. */
  inefficiencies: { path: string; count: number; cumulativeBytes: number }[];
}

interface Snapshot {
  node: Inode;
  mode: number;
  uid: number;
  gid: number;
}

function snapshot(root: Inode): Map<string, Snapshot> {
  const m = new Map<string, Snapshot>();
  for (const { path, node } of walk(root)) m.set(path, { node, mode: node.mode, uid: node.uid, gid: node.gid });
  return m;
}

/**
 * What each layer added, changed and removed in the merged filesystem below it, and dive's
 * efficiency over the whole image (wagoodman/dive `filetree/efficiency.go`: per path, the sizes
 * every layer wrote or deleted there are summed; the score divides the smallest by the sum).
 */
export function analyzeLayers(layers: { diffId: Digest; entries: readonly LayerEntry[] }[]): {
  layers: LayerChanges[];
  efficiency: Efficiency;
} {
  const root = newRoot();
  let before = snapshot(root);
  const touched = new Map<string, { count: number; cumulative: number; min: number }>();
  const touch = (path: string, size: number) => {
    const t = touched.get(path);
    if (!t) touched.set(path, { count: 1, cumulative: size, min: size });
    else {
      t.count++;
      t.cumulative += size;
      t.min = Math.min(t.min, size);
    }
  };
  const out: LayerChanges[] = [];
  layers.forEach((layer, i) => {
    applyLayer(root, i, layer.entries, layer.diffId);
    const after = snapshot(root);
    const changes: PathChange[] = [];
    for (const [path, a] of after) {
      const b = before.get(path);
      const size = a.node.type === 'file' ? a.node.size : 0;
      if (!b) changes.push({ path, kind: 'added', size });
      else if (b.node !== a.node || a.mode !== b.mode || a.uid !== b.uid || a.gid !== b.gid)
        changes.push({ path, kind: 'changed', size });
    }
    for (const [path, b] of before) {
      if (!after.has(path)) changes.push({ path, kind: 'removed', size: b.node.type === 'file' ? b.node.size : 0 });
    }
    changes.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
    for (const c of changes) touch(c.path, c.size);
    out.push({
      diffId: layer.diffId,
      added: changes.filter((c) => c.kind === 'added').length,
      changed: changes.filter((c) => c.kind === 'changed').length,
      removed: changes.filter((c) => c.kind === 'removed').length,
      addedBytes: changes.filter((c) => c.kind !== 'removed').reduce((n, c) => n + c.size, 0),
      changes,
    });
    before = after;
  });
  let min = 0;
  let cumulative = 0;
  let wasted = 0;
  const inefficiencies: Efficiency['inefficiencies'] = [];
  for (const [path, t] of touched) {
    min += t.min;
    cumulative += t.cumulative;
    if (t.count > 1) {
      wasted += t.cumulative;
      inefficiencies.push({ path, count: t.count, cumulativeBytes: t.cumulative });
    }
  }
  inefficiencies.sort((a, b) => b.cumulativeBytes - a.cumulativeBytes || (a.path < b.path ? -1 : 1));
  return {
    layers: out,
    efficiency: { score: cumulative === 0 ? 1 : min / cumulative, wastedBytes: wasted, inefficiencies },
  };
}
