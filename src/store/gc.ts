import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { hexOf, type Digest } from '../digest.js';
import { processAlive } from './lock.js';
import type { Store } from './store.js';

export interface Collected {
  /** ChainIDs of the layers removed. */
  layers: Digest[];
  blobs: Digest[];
  /** Bytes of the blobs removed. */
  bytes: number;
}

/**
 * What must stay: containerd's GC marks from its roots (images, and leases and the references of
 * containers and snapshots); boxlab's roots are the images, the active snapshots (removed only
 * explicitly, by removeActive), and every reference a metadata record holds. A layer is kept with
 * its whole parent chain, and with the blob it came in.
 */
async function markLive(store: Store): Promise<{ layers: Set<string>; blobs: Set<string> }> {
  const layers = new Set<string>();
  const blobs = new Set<string>();
  const keepChain = async (top: Digest | null): Promise<void> => {
    for (let c = top; c && !layers.has(hexOf(c)) && store.hasLayer(c); ) {
      layers.add(hexOf(c));
      const rec = await store.layer(c);
      blobs.add(rec.blob);
      c = rec.parent;
    }
  };
  for (const id of await store.imageIds()) {
    const img = await store.image(id);
    blobs.add(img.id);
    if (img.manifest) blobs.add(img.manifest);
    img.layers.forEach((l) => blobs.add(l.digest));
    for (const c of img.chainIds) await keepChain(c);
  }
  for (const id of await store.activeIds()) await keepChain((await store.activeInfo(id)).parent);
  for (const kind of await store.recordKinds())
    for (const rec of await store.records(kind).list()) for (const c of rec.refs.layers ?? []) await keepChain(c);
  return { layers, blobs };
}

/** Removes every layer and blob nothing keeps, and what crashed processes left behind. Call holding the lock. */
export async function collectGarbage(store: Store): Promise<Collected> {
  const live = await markLive(store);
  const root = store.root;
  const removedLayers: Digest[] = [];
  for (const hex of await fsp.readdir(path.join(root, 'layers'))) {
    if (live.layers.has(hex)) continue;
    await fsp.rm(path.join(root, 'layers', hex), { recursive: true, force: true });
    removedLayers.push(`sha256:${hex}`);
  }
  const removedBlobs: Digest[] = [];
  let bytes = 0;
  for (const hex of await fsp.readdir(path.join(root, 'blobs', 'sha256'))) {
    const d: Digest = `sha256:${hex}`;
    if (live.blobs.has(d)) continue;
    const p = store.blobPath(d);
    bytes += fs.statSync(p).size;
    await fsp.rm(p, { force: true });
    removedBlobs.push(d);
  }
  await sweepLeftovers(root);
  return { layers: removedLayers, blobs: removedBlobs, bytes };
}

/**
 * Staging of a crashed load or commit, an active snapshot half removed (each named for the pid
 * that made it), and temp files of record writes (no write is in flight: we hold the lock).
 */
async function sweepLeftovers(root: string): Promise<void> {
  for (const t of await fsp.readdir(path.join(root, 'tmp'))) {
    const pid = Number(/^[a-z]+-(\d+)-/.exec(t)?.[1]);
    if (Number.isInteger(pid) && pid !== process.pid && !processAlive(pid))
      await fsp.rm(path.join(root, 'tmp', t), { recursive: true, force: true });
  }
  for (const kind of await fsp.readdir(path.join(root, 'records'))) {
    const dir = path.join(root, 'records', kind);
    for (const n of await fsp.readdir(dir)) if (n.includes('.tmp-')) await fsp.rm(path.join(dir, n), { force: true });
  }
}
