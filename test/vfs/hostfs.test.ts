/**
 * A host directory as a filesystem: reads and writes reach the real files, and nothing a hostile
 * container or image can put in the directory (symlinks to `/` or `..`, absolute or relative,
 * dangling, in loops, swapped in while an operation runs, hardlinks) reads or writes a byte outside.
 * Each test keeps a `secret` directory beside the bound one and checks it is untouched.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errno } from '../helpers/errno.js';
import { FsContext, HostFs, MountNamespace, Vfs } from '../../src/vfs/index.js';

let top: string;
let root: string;
let secret: string;

beforeEach(() => {
  top = fs.mkdtempSync('/tmp/hostfs-');
  root = path.join(top, 'bound');
  secret = path.join(top, 'secret');
  fs.mkdirSync(root);
  fs.mkdirSync(secret);
  fs.writeFileSync(path.join(secret, 'key'), 'SECRET');
});
afterEach(() => fs.rmSync(top, { recursive: true, force: true }));

const secretUntouched = () => {
  expect(fs.readdirSync(secret)).toEqual(['key']);
  expect(fs.readFileSync(path.join(secret, 'key'), 'utf8')).toBe('SECRET');
};

/** A container whose /b is a bind of the host directory. */
function container() {
  const image = new Vfs();
  image.mkdir('b');
  image.mkdir('etc');
  image.writeFile('etc/passwd', 'root:x:0:0::/root:/bin/sh\n');
  const ns = new MountNamespace(image, { source: 'overlay' });
  const host = new HostFs(root);
  ns.mount(host, '/b', { source: host.source });
  return { ns, p: new FsContext(ns), image };
}

describe('host filesystem', () => {
  it('reads and writes the real files, with the host owner, mode and inode', () => {
    const h = new HostFs(root);
    h.writeFile('a', 'hello');
    h.mkdir('d', 0o750);
    h.symlink('a', 'l');
    expect(fs.readFileSync(path.join(root, 'a'), 'utf8')).toBe('hello');
    const st = fs.statSync(path.join(root, 'd'));
    expect(st.mode & 0o7777).toBe(0o750);
    expect(h.stat('d').ino).toBe(st.ino);
    expect(h.readFile('l').toString()).toBe('hello');
    fs.chownSync(path.join(root, 'a'), 1234, 5678);
    expect(h.stat('a')).toMatchObject({ uid: 1234, gid: 5678, size: 5 });
    expect(h.readdir('').sort()).toEqual(['a', 'd', 'l']);
  });

  it('creates as the caller and refuses what the host modes refuse', () => {
    const h = new HostFs(root);
    const user = { uid: 1000, gid: 1000, groups: [] };
    expect(errno(() => h.writeFile('x', 'y', {}, user))).toBe('EACCES');
    h.mkdir('home', 0o755);
    h.chown('home', 1000, 1000);
    h.writeFile('home/f', 'mine', {}, user);
    expect(fs.statSync(path.join(root, 'home/f'))).toMatchObject({ uid: 1000, gid: 1000 });
    expect(errno(() => h.unlink('home/f', { uid: 1001, gid: 1001, groups: [] }))).toBe('EACCES');
  });

  it('keeps `..` and absolute and relative symlinks to / inside the root', () => {
    const h = new HostFs(root);
    fs.symlinkSync('/', path.join(root, 'abs'));
    fs.symlinkSync('../..', path.join(root, 'rel'));
    fs.symlinkSync(`${secret}/key`, path.join(root, 'direct'));
    fs.symlinkSync('../secret/key', path.join(root, 'sibling'));
    expect(errno(() => h.readFile('../secret/key'))).toBe('ENOENT');
    expect(errno(() => h.readFile('abs/../secret/key'))).toBe('ENOENT');
    expect(errno(() => h.readFile('direct'))).toBe('ENOENT');
    expect(errno(() => h.readFile('sibling'))).toBe('ENOENT');
    expect(h.readdir('rel').sort()).toEqual(['abs', 'direct', 'rel', 'sibling']);
    // writes through them land inside the root
    h.mkdir('abs/secret');
    h.writeFile('sibling', 'through a dangling link');
    expect(fs.readFileSync(path.join(root, 'secret/key'), 'utf8')).toBe('through a dangling link');
    secretUntouched();
  });

  it('fails a symlink loop with ELOOP and an empty target with ENOENT', () => {
    const h = new HostFs(root);
    fs.symlinkSync('b', path.join(root, 'a'));
    fs.symlinkSync('a', path.join(root, 'b'));
    expect(errno(() => h.readFile('a'))).toBe('ELOOP');
  });

  it('links and renames only inside the root', () => {
    const h = new HostFs(root);
    fs.symlinkSync(`${secret}/key`, path.join(root, 'out'));
    // linkat without following: the symlink itself is linked, never the host file it names
    h.link('out', 'hard');
    expect(fs.lstatSync(path.join(root, 'hard')).isSymbolicLink()).toBe(true);
    expect(errno(() => h.rename('../secret/key', 'stolen'))).toBe('ENOENT');
    h.writeFile('f', 'x');
    h.rename('f', '../../g');
    expect(fs.existsSync(path.join(root, 'g'))).toBe(true);
    secretUntouched();
  });

  it('chmod, chown, truncate and utimes through a link to the host act inside the root', () => {
    const h = new HostFs(root);
    fs.symlinkSync(`${secret}/key`, path.join(root, 'k'));
    for (const f of [() => h.chmod('k', 0o777), () => h.chown('k', 1, 1), () => h.truncate('k', 0), () => h.utimes('k', 0)])
      expect(errno(f)).toBe('ENOENT');
    expect(fs.statSync(path.join(secret, 'key')).mode & 0o777).not.toBe(0o777);
    secretUntouched();
  });

  it('a bind source that is itself a symlink is followed once, on the host, when mounted', () => {
    fs.writeFileSync(path.join(root, 'in-bound'), 'b');
    fs.symlinkSync(root, path.join(top, 'via-link'));
    const h = new HostFs(path.join(top, 'via-link'));
    expect(h.readdir('')).toEqual(['in-bound']);
    // swapping the link afterwards does not move the mount: it holds the directory it found
    fs.rmSync(path.join(top, 'via-link'));
    fs.symlinkSync(secret, path.join(top, 'via-link'));
    expect(h.readdir('')).toEqual(['in-bound']);
  });

  it('a single host file can be the whole filesystem (a file bind)', () => {
    fs.writeFileSync(path.join(root, 'one'), 'one file');
    const h = new HostFs(path.join(root, 'one'));
    expect(h.stat('').type).toBe('file');
    h.writeFile('', 'rewritten');
    expect(fs.readFileSync(path.join(root, 'one'), 'utf8')).toBe('rewritten');
  });

  it('survives a directory swapped for a symlink to the host while it writes (a racing writer)', async () => {
    const h = new HostFs(root);
    fs.mkdirSync(path.join(root, 'd'));
    // the racer: renames d away and a symlink to the secret directory in, back and forth
    const racer = spawn('sh', ['-c', `cd ${root} && ln -s ${secret} evil && mkdir real && while :; do mv -T d real2 2>/dev/null; mv -T evil d 2>/dev/null; mv -T d evil 2>/dev/null; mv -T real2 d 2>/dev/null; done`], { stdio: 'ignore', detached: true });
    const until = Date.now() + 1500;
    let writes = 0;
    let refused = 0;
    while (Date.now() < until) {
      try {
        h.writeFile(`d/pwned-${writes}`, 'x');
        h.mkdir(`d/dir-${writes}`);
        h.chmod('d', 0o777);
      } catch {
        refused++;
      }
      writes++;
      await new Promise((r) => setImmediate(r));
    }
    // the racer and its running `mv` with it (its own process group)
    const exited = new Promise((r) => racer.once('exit', r));
    process.kill(-racer.pid!, 'SIGKILL');
    await exited;
    await new Promise((r) => setTimeout(r, 50));
    expect(writes).toBeGreaterThan(50);
    secretUntouched();
    expect(fs.statSync(secret).mode & 0o777).not.toBe(0o777);
    expect(refused + writes).toBeGreaterThan(0);
  });
});

describe('a bind mount in a container', () => {
  it('resolves the container`s own symlinks in the container, never on the host', () => {
    const { p } = container();
    fs.symlinkSync('/', path.join(root, 'up'));
    fs.symlinkSync('/etc/passwd', path.join(root, 'pw'));
    fs.symlinkSync('../../../../../../secret/key', path.join(root, 'far'));
    // `/` inside the bind is the container's root: the image's /etc/passwd, not the host's
    expect(p.readFile('/b/pw').toString()).toBe('root:x:0:0::/root:/bin/sh\n');
    expect(p.readdir('/b/up').sort()).toEqual(['b', 'etc']);
    expect(errno(() => p.readFile('/b/far'))).toBe('ENOENT');
    expect(errno(() => p.readFile('/b/../../secret/key'))).toBe('ENOENT');
    secretUntouched();
  });

  it('shows writes at once on the host and is read-only when mounted so (EROFS)', () => {
    const { ns, p } = container();
    p.writeFile('/b/new', 'from the container');
    expect(fs.readFileSync(path.join(root, 'new'), 'utf8')).toBe('from the container');
    const ro = new HostFs(root);
    ns.mount(ro, '/etc', { readOnly: true, source: ro.source });
    expect(errno(() => p.writeFile('/etc/new', 'x'))).toBe('EROFS');
    expect(errno(() => p.unlink('/etc/new'))).toBe('EROFS');
  });

  it('refuses a hardlink from the bind to the image and back (EXDEV)', () => {
    const { p } = container();
    expect(errno(() => p.link('/etc/passwd', '/b/passwd'))).toBe('EXDEV');
    p.writeFile('/b/f', 'x');
    expect(errno(() => p.link('/b/f', '/etc/f'))).toBe('EXDEV');
  });
});
