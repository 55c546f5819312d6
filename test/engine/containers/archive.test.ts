/**
 * `docker cp`'s archive operations on a container's filesystem (moby daemon/archive.go): the path
 * stat the CLI reads, the tar GET writes, the extraction PUT does, and that nothing leaves the
 * container's root. The wording and the bytes are the real engine's (scenario containers-interactive.sh).
 */
import { PassThrough, Readable } from 'node:stream';
import { extract, pack } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { archivePath, extractArchive, statPath } from '../../../src/engine/containers/archive.js';
import { FsContext, MountNamespace, Vfs } from '../../../src/vfs/index.js';

function container() {
  const vfs = new Vfs();
  const fs = new FsContext(new MountNamespace(vfs));
  fs.mkdir('/etc');
  fs.writeFile('/etc/motd', 'hello\n');
  fs.symlink('/proc/mounts', '/etc/mtab');
  fs.mkdir('/data');
  fs.symlink('/data', '/link');
  fs.symlink('../../../../outside', '/escape');
  return fs;
}

async function tarOf(fs: FsContext, path: string): Promise<{ name: string; type: string; body: string; uname?: string }[]> {
  const out = new PassThrough();
  const rows: { name: string; type: string; body: string; uname?: string }[] = [];
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (h, s, next) => {
      const parts: Buffer[] = [];
      s.on('data', (d) => parts.push(d as Buffer));
      s.on('end', () => {
        rows.push({ name: h.name, type: h.type ?? '', body: Buffer.concat(parts).toString(), ...(h.uname ? { uname: h.uname } : {}) });
        next();
      });
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  out.pipe(ex);
  await archivePath(fs, path, 'c1', out);
  out.end();
  await done;
  return rows;
}

function tarStream(entries: { name: string; type?: 'file' | 'directory' | 'symlink'; body?: string; linkname?: string }[]): Readable {
  const p = pack();
  for (const e of entries) p.entry({ name: e.name, type: e.type ?? 'file', mode: e.type === 'directory' ? 0o755 : 0o644, mtime: new Date(1_700_000_000_000), ...(e.linkname ? { linkname: e.linkname } : {}) }, e.body ?? '');
  p.finalize();
  return p as unknown as Readable;
}

describe('the path stat of docker cp', () => {
  it('gives name, size, Go file mode and mtime; a directory has the ModeDir bit', () => {
    const fs = container();
    expect(statPath(fs, '/etc/motd', 'c1')).toMatchObject({ name: 'motd', size: 6, mode: 0o644, linkTarget: '' });
    expect(statPath(fs, '/etc', 'c1').mode).toBe(2 ** 31 + 0o755);
    expect(statPath(fs, '/', 'c1').name).toBe('/');
  });

  it('does not follow a final symlink, and names what it resolves to in the container', () => {
    const fs = container();
    expect(statPath(fs, '/etc/mtab', 'c1')).toMatchObject({ name: 'mtab', size: 12, mode: 2 ** 27 + 0o777, linkTarget: '/proc/mounts' });
    // a relative link climbing above / stays at the container's root (FollowSymlinkInScope)
    expect(statPath(fs, '/escape', 'c1').linkTarget).toBe('/outside');
  });

  it('follows the final symlink for a path ending in /, and says what is missing as Docker does', () => {
    const fs = container();
    expect(() => statPath(fs, '/etc/mtab/', 'c1')).toThrow('Could not find the file /etc/mtab/ in container c1');
    expect(() => statPath(fs, '/x', 'c1')).toThrow('Could not find the file /x in container c1');
    expect(statPath(fs, '/link/', 'c1')).toMatchObject({ name: 'link', mode: 2 ** 31 + 0o755 });
    expect(() => statPath(fs, '', 'c1')).toThrow('bad parameter: pathcannot be empty');
  });
});

describe('GET: a tar of the resource named by its base name', () => {
  it('writes a directory with what it holds, symlinks as themselves, owners named root', async () => {
    const rows = await tarOf(container(), '/etc');
    expect(rows.map((r) => [r.name, r.type, r.body])).toEqual([
      ['etc/', 'directory', ''],
      ['etc/motd', 'file', 'hello\n'],
      ['etc/mtab', 'symlink', ''],
    ]);
    expect(rows[0]!.uname).toBe('root');
  });

  it('writes one file under its own name', async () => {
    expect((await tarOf(container(), '/etc/motd')).map((r) => r.name)).toEqual(['motd']);
  });
});

describe('PUT: a tar extracted under a directory of the container', () => {
  it('writes files and directories, replacing what an entry replaces', async () => {
    const fs = container();
    await extractArchive(fs, '/etc', 'c1', tarStream([{ name: 'motd', body: 'new\n' }, { name: 'd', type: 'directory' }, { name: 'd/f', body: 'x' }]), { noOverwriteDirNonDir: false });
    expect(fs.readFile('/etc/motd').toString()).toBe('new\n');
    expect(fs.readFile('/etc/d/f').toString()).toBe('x');
    expect(fs.stat('/etc/d').mtime).toBe(1_700_000_000);
  });

  it('follows symlinks in the destination inside the container: nothing leaves the root', async () => {
    const fs = container();
    fs.symlink('/../../..', '/up');
    await extractArchive(fs, '/up', 'c1', tarStream([{ name: 'top', body: 'root' }]), { noOverwriteDirNonDir: false });
    expect(fs.readFile('/top').toString()).toBe('root');
    await extractArchive(fs, '/link', 'c1', tarStream([{ name: 'in-data', body: '1' }]), { noOverwriteDirNonDir: false });
    expect(fs.readFile('/data/in-data').toString()).toBe('1');
  });

  it('refuses an entry that climbs out with ..', async () => {
    const fs = container();
    await expect(extractArchive(fs, '/data', 'c1', tarStream([{ name: '../../evil', body: 'x' }]), { noOverwriteDirNonDir: false })).rejects.toThrow('is outside of');
  });

  it('needs an existing directory: Docker\'s words otherwise', async () => {
    const fs = container();
    await expect(extractArchive(fs, '/etc/motd', 'c1', tarStream([]), { noOverwriteDirNonDir: false })).rejects.toThrow('extraction point is not a directory');
    await expect(extractArchive(fs, '/nodir', 'c1', tarStream([]), { noOverwriteDirNonDir: false })).rejects.toThrow('Could not find the file /nodir in container c1');
  });

  it('with noOverwriteDirNonDir, will not put a file over a directory', async () => {
    const fs = container();
    await expect(extractArchive(fs, '/', 'c1', tarStream([{ name: 'etc', body: 'x' }]), { noOverwriteDirNonDir: true })).rejects.toThrow('cannot overwrite directory');
  });
});
