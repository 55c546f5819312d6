import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { Digest } from '../digest.js';
import type { IndexedLayer } from '../layer/tarindex.js';
import type { Compression } from '../oci/types.js';
import { fsyncPath, writeDurable } from '../util/fsx.js';
import type { LayerRecord } from './types.js';

/** A verified layer in staging, ready to become `layers/<chainID>/`: how a load and a commit both add one. */
export interface StagedLayer {
  chainId: Digest;
  parent: Digest | null;
  /** The stored blob the layer came in (for a commit: the plain tar, whose digest is the diffID). */
  blob: Digest;
  compression: Compression;
  index: IndexedLayer;
  /** The uncompressed tar written beside a compressed blob, when there is one. */
  uncompressedFile?: string;
}

export function layerRecord(l: StagedLayer): LayerRecord {
  const ix = l.index;
  return {
    chainId: l.chainId,
    diffId: ix.diffId,
    parent: l.parent,
    size: ix.size,
    blob: l.blob,
    compression: l.compression,
    content: l.uncompressedFile ? 'diff.tar' : 'blob',
    entries: ix.entries.length,
    fileBytes: ix.entries.reduce(
      (n, e) => n + (e.type === 'file' ? e.size : e.type === 'symlink' ? Buffer.byteLength(e.linkname ?? '') : 0),
      0,
    ),
  };
}

/**
 * Builds the layer's directory (layer.json, index.json, diff.tar when the blob is compressed) in
 * `staging` and renames it to `dest` whole: a reader sees no layer or all of it.
 */
export async function placeLayer(staging: string, dest: string, l: StagedLayer): Promise<LayerRecord> {
  const dir = path.join(staging, `layer-${l.chainId.slice(7)}`);
  await fsp.mkdir(dir);
  const rec = layerRecord(l);
  if (l.uncompressedFile) {
    await fsyncPath(l.uncompressedFile);
    await fsp.rename(l.uncompressedFile, path.join(dir, 'diff.tar'));
  }
  // plain writes are enough inside the staging directory: it appears whole, by one rename
  await writeDurable(path.join(dir, 'index.json'), JSON.stringify(l.index.entries));
  await writeDurable(path.join(dir, 'layer.json'), JSON.stringify(rec, null, 2));
  await fsyncPath(dir);
  await fsp.rename(dir, dest);
  return rec;
}
