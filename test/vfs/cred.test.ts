import { describe, expect, it } from 'vitest';
import { errno } from '../helpers/errno.js';
import { Vfs, newDir, permitted, tmpfs, type Cred } from '../../src/vfs/index.js';

const U: Cred = { uid: 1000, gid: 1000, groups: [] };
const W: Cred = { uid: 1001, gid: 1001, groups: [1000] };

describe('permission bits as the kernel reads them', () => {
  it('lets the owner class alone decide for the owner, even when others may do more', () => {
    const a = { kind: 'file' as const, mode: 0o077, uid: 1000, gid: 1000 };
    expect(permitted(a, 4, U)).toBe(false);
    expect(permitted(a, 4, W)).toBe(true); // a member of group 1000
    expect(permitted(a, 4, { uid: 2000, gid: 2000 })).toBe(true);
  });

  it('gives root read and write always, search on directories, execute only with an x bit', () => {
    const root = { uid: 0, gid: 0 };
    expect(permitted({ kind: 'file', mode: 0, uid: 5, gid: 5 }, 6, root)).toBe(true);
    expect(permitted({ kind: 'file', mode: 0o600, uid: 5, gid: 5 }, 1, root)).toBe(false);
    expect(permitted({ kind: 'file', mode: 0o010, uid: 5, gid: 5 }, 1, root)).toBe(true);
    expect(permitted({ kind: 'dir', mode: 0, uid: 5, gid: 5 }, 1, root)).toBe(true);
  });
});

describe('a filesystem called with credentials', () => {
  function fs(): Vfs {
    const f = new Vfs(newDir({ mode: 0o755 }));
    f.mkdir('home', 0o755);
    f.mkdir('home/u', 0o750);
    f.chown('home/u', 1000, 1000);
    f.writeFile('home/u/f', 'x', { mode: 0o640 });
    f.chown('home/u/f', 1000, 1000);
    return f;
  }

  it('drops setgid on chmod by an owner outside the group, keeps it for a member', () => {
    const f = fs();
    f.chown('home/u/f', 1000, 50);
    f.chmod('home/u/f', 0o2755, U);
    expect(f.stat('home/u/f').mode).toBe(0o755);
    f.chown('home/u/f', 1000, 1000);
    f.chmod('home/u/f', 0o2755, U);
    expect(f.stat('home/u/f').mode).toBe(0o2755);
  });

  it('lets an owner change the group only to one of theirs, and nobody but root give a file away', () => {
    const f = fs();
    expect(errno(() => f.chown('home/u/f', -1, 0, {}, U))).toBe('EPERM');
    expect(errno(() => f.chown('home/u/f', 1001, -1, {}, U))).toBe('EPERM');
    f.chown('home/u/f', -1, 1000, {}, U);
    f.chown('home/u/f', 1000, 1000, {}, U);
    expect(errno(() => f.chown('home/u/f', -1, 1000, {}, W))).toBe('EPERM');
  });

  it('refuses a hardlink to a file the caller neither owns nor may read and write (protected_hardlinks)', () => {
    const f = fs();
    f.mkdir('tmp', 0o777);
    f.chmod('tmp', 0o1777);
    f.writeFile('tmp/root', 'r', { mode: 0o644 });
    expect(errno(() => f.link('tmp/root', 'tmp/mine', U))).toBe('EPERM');
    f.chmod('tmp/root', 0o666);
    f.link('tmp/root', 'tmp/mine', U);
    expect(f.stat('tmp/mine').nlink).toBe(2);
  });

  it('needs write on the file for truncate and "touch", ownership for explicit times', () => {
    const f = fs();
    f.chmod('home/u', 0o755);
    expect(errno(() => f.truncate('home/u/f', 0, W))).toBe('EACCES');
    expect(errno(() => f.utimes('home/u/f', null, W))).toBe('EACCES');
    f.chmod('home/u/f', 0o666);
    f.utimes('home/u/f', null, W);
    expect(errno(() => f.utimes('home/u/f', 5, W))).toBe('EPERM');
    f.utimes('home/u/f', 5, U);
    expect(f.stat('home/u/f').mtime).toBe(5);
  });

  it('hides trusted.* attributes from non-root and refuses to set them', () => {
    const f = fs();
    f.setxattr('home/u/f', 'trusted.x', '1');
    f.setxattr('home/u/f', 'user.y', '2');
    f.chmod('home/u', 0o755);
    f.chmod('home/u/f', 0o644);
    expect(f.listxattr('home/u/f', {}, W)).toEqual(['user.y']);
    expect(f.getxattr('home/u/f', 'trusted.x', W)).toBeUndefined();
    expect(errno(() => f.setxattr('home/u/f', 'user.y', '3', W))).toBe('EACCES');
    expect(errno(() => f.setxattr('home/u/f', 'trusted.z', '3', U))).toBe('EPERM');
    f.removexattr('home/u/f', 'user.y', U);
    expect(errno(() => f.removexattr('home/u/f', 'user.y', U))).toBe('ENODATA');
  });

  it('makes devices for root only, fifos for anyone with write on the directory', () => {
    const f = tmpfs();
    expect(errno(() => f.mknod('null', 'char', 0o666, 1, 3, U))).toBe('EPERM');
    f.mknod('fifo', 'fifo', 0o600, 0, 0, U);
    expect(f.lstat('fifo')).toMatchObject({ type: 'fifo', uid: 1000 });
    f.mknod('null', 'char', 0o666, 1, 3);
    expect(f.lstat('null').rdev).toEqual({ major: 1, minor: 3 });
  });

  it('clears setuid when a non-root caller writes, keeps it for root', () => {
    const f = tmpfs();
    f.writeFile('s', 'x', { mode: 0o4777 });
    f.appendFile('s', 'y');
    expect(f.stat('s').mode).toBe(0o4777);
    f.appendFile('s', 'z', U);
    expect(f.stat('s').mode).toBe(0o777);
  });

  it('reads and writes at an offset, a gap reading as zeros', () => {
    const f = tmpfs();
    f.writeFile('p', 'abc');
    f.write('p', 5, 'Z');
    expect(f.readFile('p')).toEqual(Buffer.from('abc\0\0Z'));
    expect(f.read('p', 1, 2).toString()).toBe('bc');
  });
});
