/**
 * boxlab's overlay filesystem: a container's root filesystem as the kernel's overlayfs builds it.
 *
 *   const m = mountOverlay(image.layers, { strategy: 'walk' });   // lowers bottom first
 *   m.writeFile('etc/motd', 'hi');          // copies /etc up first, then writes
 *   m.lookup('usr/bin/env')                 // where it resolved, which layers were probed, the cost
 *   m.stats()                               // copy-ups, copy-up bytes, probes
 *   await m.packUpper()                     // the upper layer as an OCI layer tar (docker commit)
 *   m.diff()                                // docker diff: [{ kind: 'A' | 'C' | 'D', path }]
 *
 * Lowers are read-only and shared: every mount of the same layers (same top chainID) shares one
 * LowerStack, and with `strategy: 'indexed'` one merged index built once, never changed by a mount.
 * Each mount's writes go to its own upper layer (a vfs.Vfs laid out like the kernel's upperdir).
 * Semantics are the kernel's with Docker's defaults (redirect_dir, index and metacopy off); a
 * differential test against a real overlay mount keeps them honest (test/overlay/kernel.test.ts).
 */
import { BoxlabError } from '../errors.js';
import type { LayerSource } from '../layer/types.js';
import { OverlayMount, type MountOptions } from './mount.js';
import { diffUpper, packUpper, packUpperStream, type Change } from './pack.js';
import { sharedLowerStacks, type LowerStackCache } from './stack.js';

/**
 * Docker's overlay2 driver allows at most 128 lower layers per mount (daemon/graphdriver/overlay2:
 * `maxDepth = 128`, so that the lowerdir option of short `l/` links fits in one page); more fail
 * with "max depth exceeded". Docker 20.10's layer store refuses an image of more than 125 layers at
 * `docker load` (measured, ../shared/reference/oracles.md); the engine enforces that for images.
 */
export const OVERLAY2_MAX_DEPTH = 128;
/** The image depth Docker 20.10 was measured to accept (126 fails with "max depth exceeded"). */
export const DOCKER_MAX_IMAGE_LAYERS = 125;

export function maxDepthExceeded(depth: number, limit: number): BoxlabError {
  return new BoxlabError(
    'FailedPrecondition',
    `max depth exceeded: ${depth} lower layers, the overlay2 driver allows ${limit} ` +
      `(the mount's lowerdir list must fit in one page of mount options)`,
  );
}

export interface MountOverlayOptions extends MountOptions {
  /** Lower layers allowed; default OVERLAY2_MAX_DEPTH. The benchmark raises it. */
  maxDepth?: number;
  /** Where lower stacks are shared; default the process-wide cache. */
  cache?: LowerStackCache;
}

export class Mount extends OverlayMount {
  async packUpper(): Promise<Buffer> {
    return packUpper(this.upper.root);
  }
  packUpperStream() {
    return packUpperStream(this.upper.root);
  }
  diff(): Change[] {
    return diffUpper(this);
  }
}

/** Mounts `lowers` (bottom first, as an image's rootfs.diff_ids) under a fresh upper layer. */
export function mountOverlay(lowers: readonly LayerSource[], opts: MountOverlayOptions = {}): Mount {
  const limit = opts.maxDepth ?? OVERLAY2_MAX_DEPTH;
  if (lowers.length > limit) throw maxDepthExceeded(lowers.length, limit);
  return new Mount((opts.cache ?? sharedLowerStacks).get(lowers), opts);
}

export { OverlayMount, type MountOptions, type OverlayStats, type LookupResult } from './mount.js';
export { mv, type MvResult } from './mv.js';
export type { Change } from './pack.js';
export { upperTarMembers } from './pack.js';
export { type Strategy, type Probe, MergedNode } from './lookup.js';
export { LowerStack, LowerStackCache, MergedIndex, sharedLowerStacks, lowerChild } from './stack.js';
export { isWhiteout, isOpaque, OPAQUE_XATTR, type LayerTree } from '../layer/diff-dir.js';
export { memoryLayer, type MemoryEntry } from './memory-layer.js';
