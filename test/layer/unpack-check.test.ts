import { describe, expect, it } from 'vitest';
import { isCode } from '../../src/errors.js';
import { UnpackCheck, unpackLayer } from '../../src/layer/diff-dir.js';
import type { LayerEntry } from '../../src/layer/types.js';
import { mulberry32 } from '../helpers/rng.js';


const NAMES = ['a', 'b', 'l', 'a/b', 'a/c', 'a/b/c', 'l/x', 'b/a', 'a/l', 'a/l/y'];
const TARGETS = ['a', '/a', '../a', 'a/b', '/nowhere', 'l', '.', '..'];

/** A random layer's entries: the kinds and names where Docker's unpack can fail (links, whiteouts, replaced types). */
function randomEntries(next: () => number): LayerEntry[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const out: LayerEntry[] = [];
  for (let n = 1 + Math.floor(next() * 8); n > 0; n--) {
    const path = pick(NAMES);
    const base = { path, mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0, offset: 0 };
    const kind = pick(['dir', 'dir', 'file', 'symlink', 'hardlink', 'whiteout', 'opaque', 'fifo'] as const);
    if (kind === 'symlink') out.push({ ...base, type: 'symlink', linkname: pick(TARGETS) });
    else if (kind === 'hardlink') out.push({ ...base, type: 'hardlink', linkname: pick(NAMES) });
    else out.push({ ...base, type: kind });
  }
  return out;
}

/** unpackLayer's verdict on the entries: null, or the words after the member's name. */
function wholeVerdict(entries: LayerEntry[]): string | null {
  try {
    unpackLayer({ diffId: 'sha256:x', entries, readContent: () => Buffer.alloc(0) }, 'sha256:x', 'm');
    return null;
  } catch (err) {
    if (!isCode(err, 'InvalidArchive')) throw err;
    return (err as Error).message.replace(/^m: /, '');
  }
}

describe('UnpackCheck: Docker\'s unpack tried entry by entry while a layer streams in', () => {
  it('reaches the verdict unpackLayer reaches on the whole index, and the walk from the root, for generated layers', () => {
    const next = mulberry32(20261129);
    let failures = 0;
    for (let i = 0; i < 3000; i++) {
      const entries = randomEntries(next);
      const verdicts = [new UnpackCheck(), new UnpackCheck({ walk: true })].map((check) => {
        for (const e of entries) check.add(e);
        return check.end() ?? null;
      });
      const verdict = verdicts[0]!;
      expect(verdict, JSON.stringify(entries)).toBe(wholeVerdict(entries));
      // the shortcut through directories already reached answers as the walk from the root does
      expect(verdicts[1], JSON.stringify(entries)).toBe(verdict);
      if (verdict) failures++;
    }
    // the generator reaches both verdicts often
    expect(failures).toBeGreaterThan(300);
    expect(failures).toBeLessThan(2700);
  });

  it('keeps the first failure and ignores what follows it', () => {
    const base = { mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0, offset: 0 };
    const check = new UnpackCheck();
    check.add({ ...base, path: 'f', type: 'file' });
    check.add({ ...base, path: 'f/g', type: 'file' });
    check.add({ ...base, path: 'x', type: 'hardlink', linkname: 'nosuch' });
    expect(check.end()).toBe('open /f/g: not a directory');
  });
});
