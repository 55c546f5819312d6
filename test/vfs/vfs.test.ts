import { describe, expect, it } from 'vitest';
import { errno } from '../helpers/errno.js';
import { Vfs } from '../../src/vfs/index.js';


describe('vfs path resolution', () => {
  it('keeps `..` at the root inside the root', () => {
    const fs = new Vfs();
    fs.mkdir('etc');
    fs.writeFile('etc/passwd', 'root:x:0:0');
    expect(fs.readFile('../../../etc/passwd').toString()).toBe('root:x:0:0');
    expect(fs.readFile('/etc/../../etc/passwd').toString()).toBe('root:x:0:0');
  });

  it('starts an absolute symlink target at the root, not at the host root', () => {
    const fs = new Vfs();
    fs.mkdir('etc');
    fs.writeFile('etc/hostname', 'box');
    fs.mkdir('x');
    fs.symlink('/etc/hostname', 'x/h');
    fs.symlink('../../../../etc', 'x/up');
    expect(fs.readFile('x/h').toString()).toBe('box');
    expect(fs.readFile('x/up/hostname').toString()).toBe('box');
  });

  it('follows 40 symlinks and fails with ELOOP on the 41st', () => {
    const fs = new Vfs();
    fs.writeFile('target', 't');
    fs.symlink('target', 'l0');
    for (let i = 1; i <= 40; i++) fs.symlink(`l${i - 1}`, `l${i}`);
    expect(fs.readFile('l39').toString()).toBe('t'); // 40 hops
    expect(errno(() => fs.readFile('l40'))).toBe('ELOOP'); // 41 hops
    fs.symlink('loop', 'loop');
    expect(errno(() => fs.stat('loop'))).toBe('ELOOP');
    expect(fs.lstat('loop').type).toBe('symlink');
  });

  it('reports ENOTDIR for a path through a file and ENOENT through a missing directory', () => {
    const fs = new Vfs();
    fs.writeFile('f', '');
    expect(errno(() => fs.stat('f/x'))).toBe('ENOTDIR');
    expect(errno(() => fs.stat('nope/x'))).toBe('ENOENT');
    expect(errno(() => fs.writeFile('nope/x', ''))).toBe('ENOENT');
  });

  it('creates the target of a dangling symlink when writing through it', () => {
    const fs = new Vfs();
    fs.symlink('made', 'link');
    fs.writeFile('link', 'via link');
    expect(fs.readFile('made').toString()).toBe('via link');
  });
});

describe('vfs inodes', () => {
  it('treats a hardlink as a second name for one inode', () => {
    const fs = new Vfs();
    fs.writeFile('a', 'one');
    fs.link('a', 'b');
    fs.appendFile('b', '+two');
    expect(fs.readFile('a').toString()).toBe('one+two');
    expect(fs.stat('a').ino).toBe(fs.stat('b').ino);
    expect(fs.stat('a').nlink).toBe(2);
    fs.unlink('a');
    expect(fs.stat('b').nlink).toBe(1);
    expect(errno(() => fs.link('/', 'c'))).toBe('EPERM');
  });

  it('gives a new directory in a setgid directory its group and the setgid bit', () => {
    const fs = new Vfs();
    fs.mkdir('shared');
    fs.chmod('shared', 0o2775);
    fs.chown('shared', 0, 50);
    fs.mkdir('shared/sub', 0o755);
    fs.writeFile('shared/f', '');
    expect(fs.stat('shared/sub')).toMatchObject({ gid: 50, mode: 0o2755 });
    expect(fs.stat('shared/f')).toMatchObject({ gid: 50, mode: 0o644 });
  });

  it('ignores setuid and setgid in mkdir mode, as Linux does', () => {
    const fs = new Vfs();
    fs.mkdir('d', 0o6777);
    expect(fs.stat('d').mode).toBe(0o777);
  });

  it('clears setuid when a file changes owner', () => {
    const fs = new Vfs();
    fs.writeFile('su', '', { mode: 0o4755 });
    fs.chown('su', 1000, 1000);
    expect(fs.stat('su').mode).toBe(0o755);
  });
});

describe('vfs rename', () => {
  it('follows rename(2) rules for directories and files', () => {
    const fs = new Vfs();
    fs.mkdir('d');
    fs.mkdir('full');
    fs.writeFile('full/x', '');
    fs.writeFile('f', '');
    expect(errno(() => fs.rename('d', 'full'))).toBe('ENOTEMPTY');
    expect(errno(() => fs.rename('d', 'f'))).toBe('ENOTDIR');
    expect(errno(() => fs.rename('f', 'd'))).toBe('EISDIR');
    expect(errno(() => fs.rename('d', 'd/sub'))).toBe('EINVAL');
    fs.rename('full/x', 'd/y');
    expect(fs.readdir('d')).toEqual(['y']);
    fs.rmdir('full');
    expect(fs.exists('full')).toBe(false);
  });
});
