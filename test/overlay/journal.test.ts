import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LowerStackCache, memoryLayer, mountOverlay, type Mount } from '../../src/overlay/index.js';
import { applyRecord } from '../../src/overlay/journal.js';
import { loadUpperTar } from '../../src/overlay/unpack.js';
import { watchUpper } from '../../src/overlay/watch.js';

const LOWER = memoryLayer([
  { path: 'etc', type: 'dir' },
  { path: 'etc/os', type: 'file', content: 'base' },
  { path: 'etc/big', type: 'file', content: 'x'.repeat(5000) },
  { path: 'etc/link', type: 'hardlink', target: 'etc/os' },
  { path: 'data', type: 'dir', mode: 0o700, uid: 5 },
  { path: 'data/a', type: 'file', content: 'a' },
  { path: 'data/sub', type: 'dir' },
  { path: 'data/sub/deep', type: 'file', content: 'deep' },
  { path: 'ln', type: 'symlink', target: '/data' },
  { path: 'bin', type: 'dir' },
]);

/** A small PRNG (mulberry32): the same seed, the same operations. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = ['etc/os', 'etc/big', 'etc/link', 'etc/new', 'data/a', 'data/b', 'data/sub', 'data/sub/deep', 'data/sub/x', 'ln/a', 'ln/c', 'bin/t', 'bin/d', 'bin/d/e', 'n1', 'n2', 'd2', 'd2/f'];

/** One random syscall on the mount; errors (ENOENT, EEXIST, ENOTEMPTY ...) are part of the game. */
function randomOp(m: Mount, r: () => number): void {
  const pick = () => NAMES[Math.floor(r() * NAMES.length)]!;
  const p = pick();
  const ops: (() => void)[] = [
    () => m.writeFile(p, `w${r()}`),
    () => m.writeFile(p, `+${r()}`, { append: true }),
    () => m.write(p, Math.floor(r() * 8000), 'XY'),
    () => m.truncate(p, Math.floor(r() * 10)),
    () => m.chmod(p, Math.floor(r() * 0o7777)),
    () => m.chown(p, Math.floor(r() * 3), Math.floor(r() * 3), { follow: r() < 0.5 }),
    () => m.utimes(p, Math.floor(r() * 1e9)),
    () => m.setxattr(p, 'user.k', String(r())),
    () => m.removexattr(p, 'user.k'),
    () => m.mkdir(p, 0o750),
    () => m.symlink('/etc/os', p),
    () => m.mknod(p, 'fifo', 0o644),
    () => m.link(p, pick()),
    () => m.unlink(p),
    () => m.rmdir(p),
    () => m.rename(p, pick()),
  ];
  try {
    ops[Math.floor(r() * ops.length)]!();
  } catch {
    /* a refused call */
  }
}

async function upperTar(m: Mount): Promise<Buffer> {
  return m.packUpper();
}

describe('the upper layer as a journal of states', () => {
  it('rebuilds the same upper (packed tar, docker diff) by replaying the records of 300 random syscalls', async () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const cache = new LowerStackCache();
      const a = mountOverlay([LOWER], { cache });
      const records: Buffer[] = [];
      watchUpper(a, (rec) => records.push(rec));
      const r = rng(seed);
      for (let i = 0; i < 300; i++) randomOp(a, r);
      expect(records.length).toBeGreaterThan(60); // the game changed the upper, often
      expect(a.diff().length).toBeGreaterThan(5);
      const b = mountOverlay([LOWER], { cache });
      for (const rec of records) applyRecord(b.upper.root, rec);
      expect(await upperTar(b)).toEqual(await upperTar(a));
      expect(b.diff()).toEqual(a.diff());
    }
  });

  it('replays each prefix of the records as the upper was after that many calls', async () => {
    const cache = new LowerStackCache();
    const a = mountOverlay([LOWER], { cache });
    const records: Buffer[] = [];
    const states: Buffer[] = [];
    watchUpper(a, (rec) => records.push(rec));
    const r = rng(42);
    for (let i = 0; i < 120; i++) {
      const n = records.length;
      randomOp(a, r);
      if (records.length > n) states.push(await upperTar(a));
      expect(records.length - n).toBeLessThanOrEqual(1); // one call, at most one record
    }
    const b = mountOverlay([LOWER], { cache });
    for (const [i, rec] of records.entries()) {
      applyRecord(b.upper.root, rec);
      expect(await upperTar(b)).toEqual(states[i]);
    }
  });

  it('carries only the bytes appended when a file already in the upper grows', () => {
    const a = mountOverlay([LOWER], { cache: new LowerStackCache() });
    const sizes: number[] = [];
    watchUpper(a, (rec) => sizes.push(rec.length));
    a.writeFile('log', 'x'.repeat(100_000));
    a.writeFile('log', 'more\n', { append: true });
    a.write('etc/big', 10, 'Y'); // a lower file: copied up whole
    a.write('etc/big', 20, 'Z');
    expect(sizes[0]).toBeGreaterThan(100_000);
    expect(sizes[1]).toBeLessThan(1000);
    expect(sizes[2]).toBeGreaterThan(5000);
    expect(sizes[3]).toBeLessThan(1000);
  });

  it('reads a packed upper back whole: whiteouts, opaque directories, hardlinks, xattrs, modes, owners, mtimes', async () => {
    const cache = new LowerStackCache();
    const a = mountOverlay([LOWER], { cache });
    const r = rng(7);
    for (let i = 0; i < 400; i++) randomOp(a, r);
    // an opaque directory for certain: emptied, removed (a whiteout), made again over the whiteout
    for (const f of ['data/sub/deep', 'data/sub/x', 'data/sub/y']) if (a.exists(f)) a.unlink(f);
    if (a.exists('data/sub')) a.rmdir('data/sub');
    a.mkdir('data/sub');
    const tar = await a.packUpper();
    const b = mountOverlay([LOWER], { cache });
    await loadUpperTar(b.upper.root, Readable.from([tar]));
    expect(await b.packUpper()).toEqual(tar);
    expect(b.diff()).toEqual(a.diff());
  });
});
