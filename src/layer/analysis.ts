import type { Digest } from '../digest.js';
import { walkFs } from '../vfs/export.js';
import type { FileSystem } from '../vfs/fs.js';

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
  type: string;
  /** The inode number, for a non-directory: another inode at the path is a change. */
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  size: number;
}

/** Every path of a filesystem with what makes a change: its inode (not for a directory), mode and owner. */
function snapshot(fs: FileSystem): Map<string, Snapshot> {
  const m = new Map<string, Snapshot>();
  for (const { path, st } of walkFs(fs)) {
    m.set(path, { type: st.type, ino: st.type === 'dir' ? 0 : st.ino, mode: st.mode, uid: st.uid, gid: st.gid, size: st.type === 'file' ? st.size : 0 });
  }
  return m;
}

function changed(a: Snapshot, b: Snapshot): boolean {
  return a.type !== b.type || a.ino !== b.ino || a.mode !== b.mode || a.uid !== b.uid || a.gid !== b.gid;
}

/** What one layer changed: the view of the image up to it (`after`) against the view below it. */
function layerChanges(diffId: Digest, before: Map<string, Snapshot>, after: Map<string, Snapshot>): LayerChanges {
  const changes: PathChange[] = [];
  for (const [path, a] of after) {
    const b = before.get(path);
    if (!b) changes.push({ path, kind: 'added', size: a.size });
    else if (changed(a, b)) changes.push({ path, kind: 'changed', size: a.size });
  }
  for (const [path, b] of before) if (!after.has(path)) changes.push({ path, kind: 'removed', size: b.size });
  changes.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  return {
    diffId,
    added: changes.filter((c) => c.kind === 'added').length,
    changed: changes.filter((c) => c.kind === 'changed').length,
    removed: changes.filter((c) => c.kind === 'removed').length,
    addedBytes: changes.filter((c) => c.kind !== 'removed').reduce((n, c) => n + c.size, 0),
    changes,
  };
}

/**
 * What each layer added, changed and removed in the image's view below it, and dive's efficiency
 * over the whole image (wagoodman/dive `filetree/efficiency.go`: per path, the sizes every layer
 * wrote or deleted there are summed; the score divides the smallest by the sum). `views[i]` is the
 * image's view (a mount) up to layer i: what a container of that image would see.
 */
export function analyzeLayers(views: { diffId: Digest; fs: () => FileSystem }[]): {
  layers: LayerChanges[];
  efficiency: Efficiency;
} {
  let before = new Map<string, Snapshot>();
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
  for (const view of views) {
    const after = snapshot(view.fs());
    const layer = layerChanges(view.diffId, before, after);
    for (const c of layer.changes) touch(c.path, c.size);
    out.push(layer);
    before = after;
  }
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
