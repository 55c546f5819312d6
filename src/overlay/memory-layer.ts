/**
 * In-memory layers for tests, benchmarks and labs: a LayerSource built from a short description,
 * with a diffID derived from its content so that equal layers share a chainID as real ones do.
 */
import { sha256 } from '../digest.js';
import type { EntryType, LayerEntry, LayerSource } from '../layer/types.js';

export type MemoryEntry =
  | { path: string; type: 'file'; content?: string | Buffer; mode?: number; uid?: number; gid?: number; xattrs?: Record<string, string> }
  | { path: string; type: 'dir'; mode?: number; uid?: number; gid?: number }
  | { path: string; type: 'symlink'; target: string; uid?: number; gid?: number }
  | { path: string; type: 'hardlink'; target: string }
  | { path: string; type: 'whiteout' }
  | { path: string; type: 'opaque' }
  | { path: string; type: 'char' | 'block' | 'fifo'; major?: number; minor?: number; mode?: number };

const MTIME = 1_700_000_000;

/** Builds a LayerSource; a path given as `a/b/c` needs its parent entries listed too (as in a real tar). */
export function memoryLayer(entries: readonly MemoryEntry[]): LayerSource {
  const contents = new Map<LayerEntry, Buffer>();
  const out: LayerEntry[] = [];
  const h: string[] = [];
  const byPath = new Map<string, LayerEntry>();
  for (const m of entries) {
    const data = m.type === 'file' ? Buffer.from(m.content ?? '') : Buffer.alloc(0);
    // a tar writer records a hardlink's header from the one inode both names share: unless the
    // entry says otherwise, the link carries its target's mode and owner (Docker's unpack applies them)
    const target = m.type === 'hardlink' ? byPath.get(m.target) : undefined;
    const e: LayerEntry = {
      path: m.path,
      type: m.type as EntryType,
      mode: 'mode' in m && m.mode !== undefined ? m.mode : target ? target.mode : m.type === 'dir' ? 0o755 : m.type === 'symlink' ? 0o777 : 0o644,
      uid: 'uid' in m && m.uid !== undefined ? m.uid : (target?.uid ?? 0),
      gid: 'gid' in m && m.gid !== undefined ? m.gid : (target?.gid ?? 0),
      size: data.length,
      mtime: MTIME,
      offset: 0,
    };
    if (m.type === 'symlink' || m.type === 'hardlink') e.linkname = m.target;
    if (m.type === 'char' || m.type === 'block') {
      e.devmajor = m.major ?? 0;
      e.devminor = m.minor ?? 0;
    }
    if (m.type === 'file' && m.xattrs) e.xattrs = m.xattrs;
    out.push(e);
    byPath.set(m.path, e);
    contents.set(e, data);
    h.push(JSON.stringify(e), sha256(data));
  }
  return {
    diffId: sha256(h.join('\n')),
    entries: out,
    readContent: (e, offset = 0, length = e.size) => (contents.get(e) ?? Buffer.alloc(0)).subarray(offset, offset + length),
  };
}
