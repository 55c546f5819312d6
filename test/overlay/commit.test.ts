/**
 * The upper layer packed as a layer tar (what `docker commit` stores) and mounted as one more lower
 * layer must give the same merged tree as the container it came from.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { LowerStackCache, memoryLayer, mountOverlay, type MemoryEntry, type Mount } from '../../src/overlay/index.js';

async function layerFromTar(tar: Buffer): Promise<MemoryEntry[]> {
  const out: MemoryEntry[] = [];
  const x = extract();
  const done = new Promise<void>((resolve, reject) => {
    x.on('entry', (h, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => {
        chunks.push(c as Buffer);
      });
      stream.on('end', () => {
        const name = h.name.replace(/\/$/, '');
        const slash = name.lastIndexOf('/');
        const dir = slash < 0 ? '' : name.slice(0, slash);
        const base = name.slice(slash + 1);
        const meta = { mode: h.mode, uid: h.uid, gid: h.gid };
        if (base === '.wh..wh..opq') out.push({ path: dir, type: 'opaque' });
        else if (base.startsWith('.wh.')) out.push({ path: (dir ? dir + '/' : '') + base.slice(4), type: 'whiteout' });
        else if (h.type === 'directory') out.push({ path: name, type: 'dir', ...meta });
        else if (h.type === 'symlink') out.push({ path: name, type: 'symlink', target: h.linkname ?? '', uid: h.uid, gid: h.gid });
        else if (h.type === 'link') out.push({ path: name, type: 'hardlink', target: h.linkname ?? '' });
        else out.push({ path: name, type: 'file', content: Buffer.concat(chunks), ...meta });
        next();
      });
    });
    x.on('finish', resolve);
    x.on('error', reject);
  });
  Readable.from([tar]).pipe(x as never);
  await done;
  return out;
}

function tree(m: Mount): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const name of m.readdir(rel || '/').sort()) {
      const p = rel ? `${rel}/${name}` : name;
      const st = m.lstat(p);
      const what = st.type === 'file' ? createHash('sha256').update(m.readFile(p)).digest('hex').slice(0, 12) : st.type === 'symlink' ? m.readlink(p) : '';
      out.push(`${st.type} ${st.mode.toString(8)} ${st.uid}:${st.gid} ${p} ${what}`);
      if (st.type === 'dir') walk(p);
    }
  };
  walk('');
  return out;
}

const image: MemoryEntry[][] = [
  [
    { path: 'etc', type: 'dir' },
    { path: 'etc/motd', type: 'file', content: 'welcome\n' },
    { path: 'etc/hosts', type: 'file', content: 'localhost\n' },
    { path: 'srv', type: 'dir', mode: 0o750, uid: 7, gid: 7 },
    { path: 'srv/old', type: 'file', content: 'old' },
    { path: 'bin', type: 'dir' },
    { path: 'bin/tool', type: 'file', content: 'ELF', mode: 0o755 },
  ],
];

describe('committing the upper layer', () => {
  it('packs a layer that, stacked on the image, reproduces the container\'s filesystem', async () => {
    const cache = new LowerStackCache();
    const layers = image.map(memoryLayer);
    const m = mountOverlay(layers, { cache });
    m.unlink('etc/motd');
    m.appendFile('etc/hosts', '10.0.0.2 db\n');
    m.unlink('srv/old');
    m.rmdir('srv');
    m.mkdir('srv', 0o700);
    m.writeFile('srv/new', 'new');
    m.link('bin/tool', 'bin/tool2');
    m.symlink('../etc/hosts', 'bin/hosts');
    m.chown('bin/tool', 1000, 1000);
    const committed = await layerFromTar(await m.packUpper());
    expect(committed).toContainEqual({ path: 'etc/motd', type: 'whiteout' });
    expect(committed).toContainEqual({ path: 'srv', type: 'opaque' });
    const again = mountOverlay([...layers, memoryLayer(committed)], { cache });
    expect(tree(again)).toEqual(tree(m));
    expect(again.stat('bin/tool').ino).toBe(again.stat('bin/tool2').ino);
  });
});
