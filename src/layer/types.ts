import type { Digest } from '../digest.js';

/** What a tar member creates. Hardlinks name another path of the same layer or of a lower one. */
export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

/**
 * One member of a layer tar, as its index keeps it: the header and where the data starts in the
 * layer's uncompressed tar, never the data itself. Whiteouts are kept as their own kinds:
 * `whiteout` names the path it deletes, `opaque` the directory whose lower contents it hides.
 */
export interface LayerEntry {
  /** Cleaned, relative to the root, no leading or trailing slash; '' is the root itself. */
  path: string;
  type: EntryType | 'whiteout' | 'opaque';
  /** Permission bits including setuid, setgid and sticky (mask 0o7777). */
  mode: number;
  uid: number;
  gid: number;
  /** Data size for regular files; 0 otherwise. */
  size: number;
  /** Modification time, seconds since the epoch. */
  mtime: number;
  /** Symlink target, verbatim; for a hardlink the cleaned path it links to. */
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  uname?: string;
  gname?: string;
  /** PAX `SCHILY.xattr.*` records. */
  xattrs?: Record<string, string>;
  /** Byte offset of the member's data in the layer's uncompressed tar. */
  offset: number;
}

/** A layer as the filesystem code sees it: its diffID, its index, and file data on demand. */
export interface LayerSource {
  readonly diffId: Digest;
  readonly entries: readonly LayerEntry[];
  /**
   * The data of a regular-file entry of this layer, read from disk when asked for: the whole file,
   * or `length` bytes from `offset` (so a large file is read in pieces, never held whole).
   */
  readContent(entry: LayerEntry, offset?: number, length?: number): Buffer;
}
