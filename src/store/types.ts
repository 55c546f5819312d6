import type { Digest } from '../digest.js';
import type { Compression, Descriptor } from '../oci/types.js';

/** A layer in the store, keyed by chainID (its identity includes everything below it). */
export interface LayerRecord {
  chainId: Digest;
  diffId: Digest;
  parent: Digest | null;
  /** Bytes of the uncompressed tar. */
  size: number;
  /** The stored blob the layer came in, and whether its bytes are the tar itself. */
  blob: Digest;
  compression: Compression;
  /** `blob` when the blob is the plain tar; else the tar was written beside it as `diff.tar`. */
  content: 'blob' | 'diff.tar';
  entries: number;
  /**
   * What the layer's files take, as Docker's overlay2 driver measures a diff directory: each
   * regular file once (hardlinks share it) plus each symlink's target length (its lstat size).
   */
  fileBytes: number;
}

export interface ImageRecord {
  /** The image ID: the digest of the config JSON (Docker 20.10, OCI config.md). */
  id: Digest;
  /** The OCI manifest the image came with, if any. */
  manifest?: Digest;
  /** The layer blobs as they came, base first. */
  layers: Descriptor[];
  diffIds: Digest[];
  chainIds: Digest[];
  loadedAt: string;
}

export interface TagChange {
  tag: string;
  id: Digest;
  /** The image that held the tag before, when the load moved it. */
  previous?: Digest;
}

export interface ImportResult {
  images: { id: Digest; tags: string[]; newLayers: Digest[] }[];
  tagChanges: TagChange[];
}
