/**
 * `docker diff` of a container as Docker 20.10 computes it on overlay2. The overlay2 driver's native
 * diff is never used for a container: its isParent() compares the parent's directory with the `l/`
 * short link written in the lower file, which never match, so the daemon falls back to the naive diff,
 * moby pkg/archive ChangesDirs(container's mount, parent's mount), a walk of two whole trees. Its rules
 * (changes.go addChanges, changes_unix.go statDifferent):
 * - a path only the new tree has is A, and so is everything below it;
 * - a path only the old tree has is D, and nothing below it is listed;
 * - a path in both is C when type and mode, owner, rdev, or (not for a directory) size or mtime
 *   differ; a directory's own size and mtime are never compared;
 * - a directory with any change below it is C (unless already listed).
 * Only what the upper layer holds can differ, so the walk follows the upper layer and compares each
 * entry with what the lowers show at its path. Measured on the engine here: a directory copied up
 * for a change inside is C, one removed and made again with the same mode and nothing inside is not
 * listed, nor is a file whose chmod kept its mode, nor a lower file copied up by `ln` (only its link
 * count changed); an opaque directory lists each lower entry it hides as D.
 */
import type { DirInode, Inode } from '../vfs/inode.js';
import { joinPath } from '../vfs/resolve.js';
import { isOpaque, isWhiteout } from '../layer/diff-dir.js';
import { mergeLowerChildren, type LowerChild, type LowerDir } from './stack.js';
import type { OverlayMount } from './mount.js';

export interface Change {
  kind: 'A' | 'C' | 'D';
  /** Absolute, as `docker diff` prints it. */
  path: string;
}

function rdev(i: Inode): number {
  return i.kind === 'char' || i.kind === 'block' ? i.major * 256 + i.minor : 0;
}

/** st_size: a file's bytes, a symlink's target length. */
function size(i: Inode): number {
  return i.kind === 'file' ? i.size : i.kind === 'symlink' ? Buffer.byteLength(i.target) : 0;
}

/** changes_unix.go statDifferent: what makes a path in both trees a change. */
function statDifferent(old: Inode, now: Inode): boolean {
  if (old.kind !== now.kind || old.mode !== now.mode || old.uid !== now.uid || old.gid !== now.gid || rdev(old) !== rdev(now)) return true;
  if (now.kind === 'dir') return false;
  return old.mtime !== now.mtime || size(old) !== size(now);
}

function addAll(dir: DirInode, path: string, out: Change[]): void {
  for (const [name, e] of dir.entries) {
    if (isWhiteout(e)) continue;
    const p = joinPath(path, name);
    out.push({ kind: 'A', path: '/' + p });
    if (e.kind === 'dir') addAll(e, p, out);
  }
}

/**
 * The changes under one merged directory: `dir` is its upper part, `lowers` the lower directories at
 * its path. When `hides` (the directory or one above it is opaque), the merged directory shows only
 * `dir`, so every lower entry it does not hold is D; otherwise the lowers merge in.
 */
function walk(dir: DirInode, path: string, lowers: readonly LowerDir[], hides: boolean, out: Change[]): void {
  const lowerKids: Map<string, LowerChild> = lowers.length > 0 ? mergeLowerChildren(lowers) : new Map();
  if (hides) {
    for (const name of lowerKids.keys()) {
      const e = dir.entries.get(name);
      if (!e || isWhiteout(e)) out.push({ kind: 'D', path: `/${joinPath(path, name)}` });
    }
  }
  for (const [name, e] of dir.entries) {
    const p = joinPath(path, name);
    const lower = lowerKids.get(name);
    if (isWhiteout(e)) {
      if (lower && !hides) out.push({ kind: 'D', path: '/' + p });
      continue;
    }
    if (!lower) {
      out.push({ kind: 'A', path: '/' + p });
      if (e.kind === 'dir') addAll(e, p, out);
      continue;
    }
    const mark = out.length;
    const changed = statDifferent(lower.inode, e);
    if (changed) out.push({ kind: 'C', path: '/' + p });
    if (e.kind === 'dir') {
      if (lower.inode.kind !== 'dir') addAll(e, p, out);
      else walk(e, p, lower.dirs ?? [], hides || isOpaque(e), out);
    }
    if (!changed && out.length > mark) out.splice(mark, 0, { kind: 'C', path: '/' + p });
  }
}

/** What `docker diff` shows for this mount, sorted by path (Docker prints no fixed order). */
export function diffUpper(mount: OverlayMount): Change[] {
  const out: Change[] = [];
  walk(mount.upper.root, '', mount.lowers.rootStack(), false, out);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
