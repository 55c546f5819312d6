import { extract } from 'tar-stream';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { errno } from '../helpers/errno.js';
import { isCode } from '../../src/errors.js';
import { LowerStackCache, memoryLayer, mountOverlay, mv, OVERLAY2_MAX_DEPTH, type MemoryEntry } from '../../src/overlay/index.js';

function mount(layers: MemoryEntry[][], opts: Parameters<typeof mountOverlay>[1] = {}) {
  return mountOverlay(layers.map(memoryLayer), { cache: new LowerStackCache(), ...opts });
}


const base: MemoryEntry[] = [
  { path: 'etc', type: 'dir' },
  { path: 'etc/motd', type: 'file', content: 'welcome\n', mode: 0o644 },
  { path: 'etc/hosts', type: 'file', content: '127.0.0.1 localhost\n' },
  { path: 'bin', type: 'dir' },
  { path: 'bin/busybox', type: 'file', content: 'ELF'.repeat(100), mode: 0o755 },
  { path: 'bin/sh', type: 'hardlink', target: 'bin/busybox' },
];

describe('copy-up', () => {
  it('copies a lower file up before the first write', () => {
    const m = mount([base]);
    expect(m.upper.exists('etc/motd')).toBe(false);
    m.appendFile('etc/motd', 'hi\n');
    expect(m.upper.readFile('etc/motd').toString()).toBe('welcome\nhi\n');
    expect(m.stats()).toMatchObject({ copyUps: 2, copyUpBytes: 8 }); // etc/ and etc/motd
    expect(m.lookup('etc/motd').layer).toBe('upper');
    // the lower layer is untouched: a second container of the image still sees the old file
    expect(mount([base]).readFile('etc/motd').toString()).toBe('welcome\n');
  });

  it('copies no data when the write truncates the file (O_TRUNC)', () => {
    const m = mount([base]);
    m.writeFile('etc/hosts', 'new');
    expect(m.stats().copyUpBytes).toBe(0);
    expect(m.readFile('etc/hosts').toString()).toBe('new');
  });

  it('copies the whole file up for a chmod, a chown and a truncate', () => {
    const m = mount([base]);
    m.chmod('bin/busybox', 0o700);
    expect(m.stats().copyUpBytes).toBe(300);
    m.truncate('etc/hosts', 3);
    expect(m.stats().copyUpBytes).toBe(300 + 20);
    expect(m.readFile('etc/hosts').toString()).toBe('127');
  });

  it('copies parent directories up with their metadata but without their contents', () => {
    const m = mount([[{ path: 'srv', type: 'dir', mode: 0o750, uid: 7, gid: 8 }, { path: 'srv/a', type: 'file' }, { path: 'srv/b', type: 'file' }]]);
    m.writeFile('srv/c', 'x');
    expect(m.upper.lstat('srv')).toMatchObject({ mode: 0o750, uid: 7, gid: 8 });
    expect(m.upper.readdir('srv')).toEqual(['c']);
    expect(m.readdir('srv').sort()).toEqual(['a', 'b', 'c']);
  });

  it('breaks a hardlink on copy-up: the other name keeps the old content', () => {
    const m = mount([base]);
    expect(m.stat('bin/sh').ino).toBe(m.stat('bin/busybox').ino);
    m.writeFile('bin/sh', 'patched');
    expect(m.readFile('bin/busybox').toString()).toBe('ELF'.repeat(100));
    expect(m.stat('bin/sh').ino).not.toBe(m.stat('bin/busybox').ino);
  });
});

describe('whiteouts and opaque directories', () => {
  it('leaves a whiteout (a 0/0 character device) when a lower file is deleted', () => {
    const m = mount([base]);
    m.unlink('etc/motd');
    expect(errno(() => m.stat('etc/motd'))).toBe('ENOENT');
    expect(m.upper.lstat('etc/motd')).toMatchObject({ type: 'char', rdev: { major: 0, minor: 0 } });
    expect(m.readdir('etc')).toEqual(['hosts']);
  });

  it('deletes an upper-only file without a whiteout', () => {
    const m = mount([base]);
    m.writeFile('etc/new', 'x');
    m.unlink('etc/new');
    expect(m.upper.exists('etc/new')).toBe(false);
  });

  it('makes a directory opaque when a merged one is removed and created again', () => {
    const m = mount([base]);
    m.unlink('etc/motd');
    m.unlink('etc/hosts');
    m.rmdir('etc');
    m.mkdir('etc');
    expect(m.upper.getxattr('etc', 'trusted.overlay.opaque')).toBe('y');
    expect(m.readdir('etc')).toEqual([]);
  });

  it('refuses to remove a merged directory that still has lower entries', () => {
    const m = mount([base]);
    expect(errno(() => m.rmdir('etc'))).toBe('ENOTEMPTY');
  });

  it('hides everything below an opaque lower directory', () => {
    const m = mount([base, [{ path: 'etc', type: 'dir' }, { path: 'etc', type: 'opaque' }, { path: 'etc/only', type: 'file' }]]);
    expect(m.readdir('etc')).toEqual(['only']);
    expect(errno(() => m.stat('etc/motd'))).toBe('ENOENT');
  });

  it('lets a file above hide a directory below, and a directory above hide a file below', () => {
    const m = mount([base, [{ path: 'etc', type: 'file', content: 'flat' }, { path: 'bin', type: 'dir' }, { path: 'bin/busybox', type: 'dir' }]]);
    expect(m.readFile('etc').toString()).toBe('flat');
    expect(m.stat('bin/busybox').type).toBe('dir');
    expect(m.readdir('bin').sort()).toEqual(['busybox', 'sh']);
  });

  it('applies a whiteout then the same name in one layer as Docker\'s unpack does: the entry replaces the whiteout device', () => {
    const m = mount([base, [{ path: 'etc', type: 'dir' }, { path: 'etc/motd', type: 'whiteout' }, { path: 'etc/motd', type: 'file', content: 'same layer' }, { path: 'bin', type: 'whiteout' }, { path: 'bin', type: 'dir' }, { path: 'bin/new', type: 'file' }]]);
    expect(m.readFile('etc/motd').toString()).toBe('same layer');
    // the device became a plain directory (no opaque mark): the lower bin/ shows through
    expect(m.readdir('bin').sort()).toEqual(['busybox', 'new', 'sh']);
  });

  it('refuses a whiteout over a name its own layer made: Docker\'s mknod finds it there', () => {
    expect(() => mount([base, [{ path: 'etc', type: 'dir' }, { path: 'etc/x', type: 'file' }, { path: 'etc/x', type: 'whiteout' }]])).toThrow(/failed to mknod\("\/etc\/x", S_IFCHR, 0\): file exists$/);
  });

  it('links a hardlink within its layer, and refuses one to a lower layer\'s file or a missing one as Docker\'s unpack does', () => {
    const m = mount([base, [{ path: 'usr', type: 'dir' }, { path: 'usr/a', type: 'file', content: 'A' }, { path: 'usr/b', type: 'hardlink', target: 'usr/a' }]]);
    expect(m.readFile('usr/b').toString()).toBe('A');
    expect(m.stat('usr/b').ino).toBe(m.stat('usr/a').ino);
    expect(() => mount([base, [{ path: 'usr', type: 'dir' }, { path: 'usr/sh', type: 'hardlink', target: 'bin/busybox' }]])).toThrow(/link \/bin\/busybox \/usr\/sh: no such file or directory$/);
    expect(() => mount([[{ path: 'x', type: 'hardlink', target: 'nope' }]])).toThrow(/link \/nope \/x: no such file or directory$/);
  });
});

describe('rename and mv', () => {
  it('fails with EXDEV to rename a lower directory, and mv falls back to copy and delete', () => {
    const m = mount([base]);
    expect(errno(() => m.rename('etc', 'config'))).toBe('EXDEV');
    const r = mv(m, 'etc', 'config');
    expect(r).toMatchObject({ renamed: false, fallback: 'copy', copied: 3 });
    expect(r.copiedBytes).toBe(8 + 20);
    expect(m.readdir('config').sort()).toEqual(['hosts', 'motd']);
    expect(errno(() => m.stat('etc'))).toBe('ENOENT');
    expect(m.upper.lstat('etc').type).toBe('char'); // a whiteout where the lower etc/ was
  });

  it('moves a lower directory into an existing one entry by entry, each file copied up by rename', () => {
    const m = mount([base]);
    m.mkdir('backup');
    const r = mv(m, 'etc', 'backup');
    expect(r).toMatchObject({ renamed: false, fallback: 'rename-each', copied: 3, copiedBytes: 28 });
    expect(m.readFile('backup/etc/motd').toString()).toBe('welcome\n');
    expect(m.upper.lstat('etc').type).toBe('char');
    expect(m.stats().copyUps).toBeGreaterThanOrEqual(3); // etc/ for the whiteouts, then motd and hosts
  });

  it('refuses to mv a file onto another name of the same inode, as coreutils does', () => {
    const m = mount([base]);
    expect(errno(() => mv(m, 'bin/sh', 'bin/busybox'))).toBe('EINVAL');
    expect(m.exists('bin/sh')).toBe(true);
  });

  it('renames a directory that exists only in the upper layer', () => {
    const m = mount([base]);
    m.mkdir('work');
    m.writeFile('work/f', 'x');
    m.rename('work', 'done');
    expect(m.readFile('done/f').toString()).toBe('x');
    // measured on the kernel: moved into a merge directory (the root), it becomes opaque
    expect(m.upper.getxattr('done', 'trusted.overlay.opaque')).toBe('y');
  });

  it('copies a renamed lower file up and whites out its old name', () => {
    const m = mount([base]);
    m.rename('etc/motd', 'etc/motd.old');
    expect(m.readFile('etc/motd.old').toString()).toBe('welcome\n');
    expect(m.upper.lstat('etc/motd').type).toBe('char');
    expect(m.stats().copyUpBytes).toBe(8);
  });
});

describe('readdir', () => {
  it('merges names top-down with whiteouts applied and . and .. first', () => {
    const m = mount([base, [{ path: 'etc', type: 'dir' }, { path: 'etc/hosts', type: 'whiteout' }, { path: 'etc/passwd', type: 'file' }]]);
    m.writeFile('etc/group', '');
    expect(m.readdir('etc', undefined, { withDots: true })).toEqual(['.', '..', 'group', 'passwd', 'motd']);
  });
});

describe('lookup cost', () => {
  const stack = (depth: number) =>
    Array.from({ length: depth }, (_, i) => [
      { path: 'usr', type: 'dir' },
      { path: 'usr/lib', type: 'dir' },
      { path: `usr/lib/f${i}`, type: 'file' },
      ...(i === 0 ? [{ path: 'usr/lib/target', type: 'file' }] : []),
    ] as MemoryEntry[]);

  it('probes every layer for each path component when walking a cold cache', () => {
    for (const depth of [1, 4, 16]) {
      const m = mount(stack(depth), { strategy: 'walk', dentryCache: false });
      const r = m.lookup('usr/lib/target');
      expect(r.found).toBe(true);
      expect(r.layer).toBe(0);
      // one upper probe for `usr` (the upper root exists) and one per lower for each component
      expect(r.probeCount).toBe(1 + 3 * depth);
      expect(r.probes.filter((p) => p.layer !== 'upper').map((p) => p.layer)).toEqual(
        [0, 1, 2].flatMap(() => Array.from({ length: depth }, (_, i) => depth - 1 - i)),
      );
    }
  });

  it('probes nothing on a warm dentry cache', () => {
    const m = mount(stack(16), { strategy: 'walk' });
    expect(m.lookup('usr/lib/target').probeCount).toBe(1 + 3 * 16);
    const warm = m.lookup('usr/lib/target');
    expect(warm).toMatchObject({ probeCount: 0, dentryHits: 3, found: true });
    m.writeFile('usr/lib/target', 'x'); // copy-up invalidates that dentry only
    expect(m.lookup('usr/lib/target').layer).toBe('upper');
  });

  it('asks the index once per component whatever the depth', () => {
    for (const depth of [1, 16, 64]) {
      const m = mount(stack(depth), { strategy: 'indexed' });
      expect(m.lookup('usr/lib/target')).toMatchObject({ found: true, layer: 0, probeCount: 1 + 3 });
      expect(m.lookup('usr/lib/missing')).toMatchObject({ found: false, probeCount: 1 + 3 });
    }
  });

  it('shares one index between mounts of a stack and keeps each mount\'s writes to itself', () => {
    const cache = new LowerStackCache();
    const layers = stack(4).map(memoryLayer);
    const a = mountOverlay(layers, { strategy: 'indexed', cache });
    const b = mountOverlay(layers, { strategy: 'indexed', cache });
    expect(a.lowers).toBe(b.lowers);
    const index = a.lowers.index();
    const size = index.size;
    a.writeFile('usr/lib/target', 'mine');
    a.unlink('usr/lib/f1');
    a.writeFile('usr/lib/new', '');
    expect(b.readFile('usr/lib/target').toString()).toBe('');
    expect(b.exists('usr/lib/f1')).toBe(true);
    expect(b.exists('usr/lib/new')).toBe(false);
    expect(a.exists('usr/lib/f1')).toBe(false);
    expect(b.lowers.index()).toBe(index);
    expect(index.size).toBe(size);
  });

  it('refuses more than 128 lower layers with "max depth exceeded", unless raised', () => {
    const layers = Array.from({ length: OVERLAY2_MAX_DEPTH + 1 }, (_, i) => memoryLayer([{ path: `f${i}`, type: 'file' }]));
    let err: unknown;
    try {
      mountOverlay(layers, { cache: new LowerStackCache() });
    } catch (e) {
      err = e;
    }
    expect(isCode(err, 'FailedPrecondition')).toBe(true);
    expect(String((err as Error).message)).toMatch(/max depth exceeded/);
    expect(mountOverlay(layers.slice(0, 128), { cache: new LowerStackCache() }).exists('f0')).toBe(true);
    expect(mountOverlay(layers, { maxDepth: 200, cache: new LowerStackCache() }).exists('f128')).toBe(true);
  });
});

describe('the upper layer as a changeset', () => {
  async function members(tar: Buffer): Promise<string[]> {
    const names: string[] = [];
    const x = extract();
    const done = new Promise<void>((resolve, reject) => {
      x.on('entry', (h, stream, next) => {
        names.push(`${h.type}:${h.name}${h.linkname ? ' -> ' + h.linkname : ''}`);
        stream.on('end', next);
        stream.resume();
      });
      x.on('finish', resolve);
      x.on('error', reject);
    });
    Readable.from([tar]).pipe(x as never);
    await done;
    return names;
  }

  it('packs whiteouts as .wh. files and an opaque directory with .wh..wh..opq', async () => {
    const m = mount([base]);
    m.unlink('etc/motd');
    m.writeFile('etc/issue', 'boxlab');
    m.link('etc/issue', 'etc/issue.net');
    m.unlink('bin/sh');
    m.unlink('bin/busybox');
    m.rmdir('bin');
    m.mkdir('bin');
    expect(await members(await m.packUpper())).toEqual([
      'directory:bin/',
      'file:bin/.wh..wh..opq',
      'directory:etc/',
      'file:etc/.wh.motd',
      'file:etc/issue',
      'link:etc/issue.net -> etc/issue',
    ]);
  });

  it('lists changes as docker diff does', () => {
    const m = mount([base]);
    m.unlink('etc/motd');
    m.writeFile('etc/issue', 'x');
    m.chmod('bin/busybox', 0o700);
    expect(m.diff()).toEqual([
      { kind: 'C', path: '/bin' },
      { kind: 'C', path: '/bin/busybox' },
      { kind: 'C', path: '/etc' },
      { kind: 'A', path: '/etc/issue' },
      { kind: 'D', path: '/etc/motd' },
    ]);
  });

  it('fails every write with EROFS on a read-only mount', () => {
    const m = mount([base], { readOnly: true });
    expect(errno(() => m.writeFile('etc/motd', 'x'))).toBe('EROFS');
    expect(errno(() => m.unlink('etc/motd'))).toBe('EROFS');
    expect(m.readFile('etc/motd').toString()).toBe('welcome\n');
  });
});

describe('reading a lower file', () => {
  it('reads a range of a lower file from its layer without reading the whole file (export of a large file)', () => {
    const src = memoryLayer([{ path: 'big', type: 'file', content: 'abcdefghij'.repeat(1000) }]);
    const asked: [number | undefined, number | undefined][] = [];
    const counting = { ...src, readContent: (e: Parameters<typeof src.readContent>[0], off?: number, len?: number) => (asked.push([off, len]), src.readContent(e, off, len)) };
    const m = mountOverlay([counting], { cache: new LowerStackCache(), readOnly: true });
    expect(m.read('big', 5, 10).toString()).toBe('fghijabcde');
    expect(m.read('big', 9998, 10).toString()).toBe('ij');
    expect(asked).toEqual([[5, 10], [9998, 2]]);
  });
});
