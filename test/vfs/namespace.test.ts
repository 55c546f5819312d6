import { describe, expect, it } from 'vitest';
import { errno } from '../helpers/errno.js';
import { FsContext, MountNamespace, Vfs, newDir, tmpfs } from '../../src/vfs/index.js';
import { memoryLayer, mountOverlay, LowerStackCache } from '../../src/overlay/index.js';

const USER = { uid: 1000, gid: 1000, groups: [] };

/** An image-like root: /etc with files, /data with a file, /tmp sticky and world-writable. */
function imageRoot(): Vfs {
  const fs = new Vfs();
  fs.mkdir('etc');
  fs.writeFile('etc/hosts', '127.0.0.1 localhost\n');
  fs.writeFile('etc/hostname', 'image\n');
  fs.mkdir('data');
  fs.writeFile('data/from-image', 'image data');
  fs.mkdir('tmp', 0o777);
  fs.chmod('tmp', 0o1777);
  return fs;
}

function setup() {
  const ns = new MountNamespace(imageRoot(), { source: 'overlay' });
  return { ns, p: new FsContext(ns) };
}

describe('mount namespace', () => {
  it('hides an image directory under a tmpfs and shows it again after umount', () => {
    const { ns, p } = setup();
    ns.mount(tmpfs(), '/data', { source: 'tmpfs' });
    expect(p.readdir('/data')).toEqual([]);
    expect(errno(() => p.readFile('/data/from-image'))).toBe('ENOENT');
    p.writeFile('/data/new', 'on tmpfs');
    ns.umount('/data');
    expect(p.readdir('/data')).toEqual(['from-image']);
  });

  it('binds a directory: the same inodes, the same st_dev, seen at two places', () => {
    const { ns, p } = setup();
    const host = new Vfs();
    host.mkdir('volumes');
    host.mkdir('volumes/v1');
    host.mkdir('volumes/v1/_data');
    ns.bindFrom(host, 'volumes/v1/_data', '/data', { source: '/dev/sda1' });
    p.writeFile('/data/x', 'through the bind');
    expect(host.readFile('volumes/v1/_data/x').toString()).toBe('through the bind');
    expect(p.stat('/data/x').dev).toBe(host.dev);
    expect(p.stat('/etc/hosts').dev).not.toBe(host.dev);
  });

  it('binds a single file over a file, as Docker binds /etc/hosts', () => {
    const { ns, p } = setup();
    const host = new Vfs();
    host.writeFile('hosts', '172.17.0.2 box\n');
    ns.bindFrom(host, 'hosts', '/etc/hosts', { source: '/dev/sda1' });
    expect(p.readFile('/etc/hosts').toString()).toBe('172.17.0.2 box\n');
    p.appendFile('/etc/hosts', '10.0.0.1 other\n');
    expect(host.readFile('hosts').toString()).toBe('172.17.0.2 box\n10.0.0.1 other\n');
    expect(errno(() => p.unlink('/etc/hosts'))).toBe('EBUSY');
    expect(errno(() => p.rename('/etc/hosts', '/etc/h2'))).toBe('EBUSY');
    expect(errno(() => ns.bindFrom(host, 'hosts', '/etc'))).toBe('ENOTDIR');
  });

  it('fails every write through a read-only mount with EROFS, reads still work', () => {
    const { ns, p } = setup();
    const vol = new Vfs();
    vol.writeFile('f', 'x');
    ns.bindFrom(vol, '', '/data', { readOnly: true });
    expect(p.readFile('/data/f').toString()).toBe('x');
    for (const [name, op] of [
      ['write', () => p.writeFile('/data/f', 'y')],
      ['create', () => p.writeFile('/data/g', 'y')],
      ['mkdir', () => p.mkdir('/data/d')],
      ['unlink', () => p.unlink('/data/f')],
      ['unlink missing', () => p.unlink('/data/nope')],
      ['chmod', () => p.chmod('/data/f', 0o600)],
      ['truncate', () => p.truncate('/data/f', 0)],
      ['symlink', () => p.symlink('f', '/data/l')],
      ['setxattr', () => p.setxattr('/data/f', 'user.a', 'b')],
    ] as const)
      expect(errno(op), name).toBe('EROFS');
    expect(errno(() => p.mkdir('/data/f')), 'EEXIST comes before EROFS').toBe('EEXIST');
    expect(vol.readFile('f').toString()).toBe('x');
  });

  it('climbs out of a mount with `..` and stays at the root above /', () => {
    const { ns, p } = setup();
    const t = tmpfs();
    t.mkdir('sub');
    ns.mount(t, '/data');
    expect(p.readFile('/data/sub/../../etc/hostname').toString()).toBe('image\n');
    expect(p.readFile('/data/../../../etc/hostname').toString()).toBe('image\n');
    p.chdir('/data/sub');
    expect(p.getcwd()).toBe('/data/sub');
    expect(p.readFile('../../etc/hostname').toString()).toBe('image\n');
  });

  it('resolves an absolute symlink inside a mount against the namespace root', () => {
    const { ns, p } = setup();
    const t = tmpfs();
    t.symlink('/etc/hostname', 'h');
    t.symlink('../etc', 'up');
    ns.mount(t, '/data');
    expect(p.readFile('/data/h').toString()).toBe('image\n');
    expect(p.readFile('/data/up/hostname').toString()).toBe('image\n');
    expect(t.exists('etc')).toBe(false);
  });

  it('fails with ELOOP after 40 symlinks across mounts', () => {
    const { ns, p } = setup();
    const t = tmpfs();
    ns.mount(t, '/data');
    p.writeFile('/data/target', 't');
    p.symlink('/data/target', '/data/l0');
    for (let i = 1; i <= 40; i++) p.symlink(i % 2 ? `/data/l${i - 1}` : `l${i - 1}`, `/data/l${i}`);
    expect(p.readFile('/data/l39').toString()).toBe('t');
    expect(errno(() => p.readFile('/data/l40'))).toBe('ELOOP');
  });

  it('refuses rename and link across mounts with EXDEV, even two binds of one filesystem', () => {
    const { ns, p } = setup();
    const vol = new Vfs();
    vol.mkdir('a');
    vol.mkdir('b');
    vol.writeFile('a/f', 'x');
    ns.bindFrom(vol, 'a', '/data');
    ns.bindFrom(vol, 'b', '/tmp');
    expect(errno(() => p.rename('/data/f', '/etc/f'))).toBe('EXDEV');
    expect(errno(() => p.link('/data/f', '/etc/f'))).toBe('EXDEV');
    expect(errno(() => p.rename('/data/f', '/tmp/f'))).toBe('EXDEV');
    expect(errno(() => p.link('/data/f', '/tmp/f'))).toBe('EXDEV');
    p.rename('/data/f', '/data/g');
    expect(vol.readFile('a/g').toString()).toBe('x');
  });

  it('stacks mounts: the last one on a place is seen, `..` climbs through all of them', () => {
    const { ns, p } = setup();
    const a = tmpfs();
    a.writeFile('which', 'a');
    const b = tmpfs();
    b.writeFile('which', 'b');
    ns.mount(a, '/data');
    ns.mount(b, '/data');
    expect(p.readFile('/data/which').toString()).toBe('b');
    expect(p.readdir('/data/..').sort()).toEqual(['data', 'etc', 'tmp']);
    ns.umount('/data');
    expect(p.readFile('/data/which').toString()).toBe('a');
  });

  it('counts a tmpfs size limit in pages: size=1k holds one 4 KiB page', () => {
    const { ns, p } = setup();
    ns.mount(tmpfs({ size: 1024, mode: 0o755 }), '/data', { source: 'tmpfs' });
    p.writeFile('/data/a', Buffer.alloc(4096));
    expect(errno(() => p.writeFile('/data/b', 'x'))).toBe('ENOSPC');
    p.writeFile('/data/a', 'small');
    expect(errno(() => p.writeFile('/data/c', Buffer.alloc(5000)))).toBe('ENOSPC');
    expect(p.stat('/data/c').size).toBe(0);
    p.unlink('/data/a');
    expect(errno(() => p.writeFile('/data/c', Buffer.alloc(5000)))).toBe('ENOSPC');
    expect(p.stat('/data/c').size).toBe(4096);
  });

  // The lines as a container of Docker 20.10 on this machine shows them (docker run --tmpfs /run:size=1k,mode=700).
  it('lists the table in the shape of /proc/self/mounts', () => {
    const host = new Vfs(undefined, { fsType: 'ext4', options: ['discard'] });
    host.writeFile('hosts', '');
    const low = memoryLayer([{ path: 'etc', type: 'dir' }, { path: 'etc/hosts', type: 'file', content: '' }, { path: 'dev', type: 'dir' }, { path: 'run', type: 'dir' }]);
    const root = mountOverlay([low], {
      cache: new LowerStackCache(),
      paths: { lowerdir: ['/var/lib/docker/overlay2/l/AAA'], upperdir: '/var/lib/docker/overlay2/x/diff', workdir: '/var/lib/docker/overlay2/x/work' },
    });
    const ns = new MountNamespace(root, { source: 'overlay' });
    ns.mount(tmpfs({ size: 65536 * 1024, mode: 0o755 }), '/dev', { source: 'tmpfs', flags: ['nosuid', 'strictatime'] });
    ns.mount(tmpfs({ size: 1024, mode: 0o700 }), '/run', { source: 'tmpfs', flags: ['nosuid', 'nodev', 'noexec', 'relatime'] });
    ns.bindFrom(host, 'hosts', '/etc/hosts', { source: '/dev/sda1' });
    expect(ns.mounts()).toBe(
      'overlay / overlay rw,relatime,lowerdir=/var/lib/docker/overlay2/l/AAA,upperdir=/var/lib/docker/overlay2/x/diff,workdir=/var/lib/docker/overlay2/x/work 0 0\n' +
        'tmpfs /dev tmpfs rw,nosuid,size=65536k,mode=755 0 0\n' +
        'tmpfs /run tmpfs rw,nosuid,nodev,noexec,relatime,size=4k,mode=700 0 0\n' +
        '/dev/sda1 /etc/hosts ext4 rw,relatime,discard 0 0\n',
    );
  });
});

describe('a non-root process in a mount namespace', () => {
  it('needs search permission on every directory, across mounts', () => {
    const { ns, p } = setup();
    const t = tmpfs({ mode: 0o700 });
    t.writeFile('secret', 's', { mode: 0o644 });
    ns.mount(t, '/data');
    const user = p.fork(USER);
    expect(errno(() => user.readFile('/data/secret'))).toBe('EACCES');
    expect(errno(() => user.chdir('/data'))).toBe('EACCES');
    p.chmod('/data', 0o711);
    expect(user.readFile('/data/secret').toString()).toBe('s');
    expect(errno(() => user.readdir('/data'))).toBe('EACCES');
  });

  it('meets write permission, the sticky bit, and owner-only chmod and chown', () => {
    const { p } = setup();
    const user = p.fork(USER);
    const other = p.fork({ uid: 1001, gid: 1001 });
    expect(errno(() => user.writeFile('/etc/hosts', 'x'))).toBe('EACCES');
    expect(errno(() => user.mkdir('/etc/d'))).toBe('EACCES');
    expect(errno(() => user.unlink('/etc/hostname'))).toBe('EACCES');
    user.writeFile('/tmp/mine', 'x');
    expect(errno(() => other.unlink('/tmp/mine'))).toBe('EPERM');
    expect(errno(() => other.chmod('/tmp/mine', 0o777))).toBe('EPERM');
    expect(errno(() => user.chown('/tmp/mine', 1001, -1))).toBe('EPERM');
    expect(errno(() => user.chown('/tmp/mine', -1, 0))).toBe('EPERM');
    user.chmod('/tmp/mine', 0o600);
    expect(errno(() => other.readFile('/tmp/mine'))).toBe('EACCES');
    expect(p.readFile('/tmp/mine').toString()).toBe('x');
    expect(user.stat('/tmp/mine')).toMatchObject({ uid: 1000, gid: 1000, mode: 0o600 });
  });

  it('lets root read anything but execute only what has an execute bit', () => {
    const fs = new Vfs();
    fs.writeFile('f', 'x', { mode: 0o000 });
    expect(fs.readFile('f').toString()).toBe('x');
    expect(errno(() => fs.access('f', 1))).toBe('EACCES');
    fs.chmod('f', 0o001);
    expect(errno(() => fs.access('f', 1))).toBe('ok');
  });

  it('checks modes against the merged inode of an overlay root', () => {
    const low = memoryLayer([
      { path: 'home', type: 'dir', mode: 0o755 },
      { path: 'home/u', type: 'dir', mode: 0o700, uid: 1000, gid: 1000 },
      { path: 'etc', type: 'dir', mode: 0o755 },
      { path: 'etc/shadow', type: 'file', mode: 0o640, content: 'secret' },
    ]);
    const ns = new MountNamespace(mountOverlay([low], { cache: new LowerStackCache() }));
    const user = new FsContext(ns, USER);
    expect(errno(() => user.readFile('/etc/shadow'))).toBe('EACCES');
    user.writeFile('/home/u/notes', 'mine');
    expect(user.stat('/home/u/notes')).toMatchObject({ uid: 1000, gid: 1000 });
    expect(errno(() => new FsContext(ns, { uid: 1001, gid: 1001 }).readdir('/home/u'))).toBe('EACCES');
  });

  it('gives a new directory a fresh tmpfs a mode and owner', () => {
    const root = new Vfs(newDir({ mode: 0o755 }));
    root.mkdir('run');
    const ns = new MountNamespace(root);
    ns.mount(tmpfs({ mode: 0o755, uid: 1000 }), '/run');
    expect(new FsContext(ns).stat('/run')).toMatchObject({ mode: 0o755, uid: 1000, type: 'dir' });
  });
});
