import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isCode } from '../../src/errors.js';
import { dockerArchive, freshEngine, layerTar, writeTmp } from '../helpers/archive.js';
import { listingOfTar } from '../helpers/listing.js';

type E = Parameters<typeof layerTar>[0][number];

/** Loads an image made of these layers and returns its exported rootfs listing. */
async function rootfsOf(...layers: E[][]): Promise<string[]> {
  const { engine } = await freshEngine();
  const tars = await Promise.all(layers.map((l) => layerTar(l)));
  const { images } = await engine.images.load(writeTmp(await dockerArchive(tars)));
  const pt = new PassThrough();
  const listing = listingOfTar(pt);
  await engine.images.export(images[0]!.id, pt);
  return (await listing).map((l) => l.replace(/ [0-9a-f]{16} (\d+)/, ' $1'));
}

async function loadError(...layers: E[][]): Promise<unknown> {
  return rootfsOf(...layers).then(
    () => undefined,
    (e: unknown) => e,
  );
}

const dir = (name: string, mode = 0o755): E => ({ name, type: 'directory', mode });
const file = (name: string, content = 'x', extra: Partial<E> = {}): E => ({ name, content, ...extra });

describe('applying layers (OCI image-spec "Representing Changes", as Docker\'s overlay2 unpacks them)', () => {
  it('hides a lower file behind a whiteout and hides the whiteout itself', async () => {
    expect(await rootfsOf([dir('a'), file('a/f'), file('a/g')], [dir('a'), file('a/.wh.f', '')])).toEqual([
      'd 0755 0:0 /a',
      'f 0644 0:0 /a/g 1',
    ]);
  });

  it('refuses a whiteout over an entry of its own layer, as Docker\'s unpack does: mknod finds the name taken', async () => {
    const err = await loadError([file('f', 'lower')], [file('f', 'upper'), file('.wh.f', '')]);
    expect(isCode(err, 'InvalidArchive')).toBe(true);
    expect((err as Error).message).toBe('l1/layer.tar: failed to mknod("/f", S_IFCHR, 0): file exists');
  });

  it('turns a whiteout followed by the same directory into a plain directory: the lower one shows through', async () => {
    expect(await rootfsOf([dir('d'), file('d/lower')], [file('.wh.d', ''), dir('d'), file('d/upper')])).toEqual(['d 0755 0:0 /d', 'f 0644 0:0 /d/lower 1', 'f 0644 0:0 /d/upper 1']);
  });

  it('empties an opaque directory of lower content but keeps what its own layer put there', async () => {
    expect(
      await rootfsOf([dir('d'), file('d/old'), dir('d/sub'), file('d/sub/x')], [dir('d'), file('d/new'), file('d/.wh..wh..opq', ''), file('d/later')]),
    ).toEqual(['d 0755 0:0 /d', 'f 0644 0:0 /d/later 1', 'f 0644 0:0 /d/new 1']);
  });

  it('re-creates a whited-out directory with only the new content', async () => {
    expect(await rootfsOf([dir('a'), file('a/foo'), dir('b'), file('b/bar')], [file('.wh.a', '')], [dir('a'), file('a/baz')])).toEqual([
      'd 0755 0:0 /a',
      'd 0755 0:0 /b',
      'f 0644 0:0 /a/baz 1',
      'f 0644 0:0 /b/bar 1',
    ]);
  });

  it('replaces a file with a directory, a directory with a file, and a symlink with a file', async () => {
    expect(
      await rootfsOf(
        [file('fd'), dir('df'), file('df/child'), { name: 'lf', type: 'symlink', linkname: '/etc' }],
        [dir('fd'), file('fd/now'), file('df', 'file now'), file('lf', 'plain')],
      ),
    ).toEqual(['d 0755 0:0 /fd', 'f 0644 0:0 /df 8', 'f 0644 0:0 /fd/now 1', 'f 0644 0:0 /lf 5']);
  });

  it('keeps the last of duplicate entries, as umoci does', async () => {
    expect(await rootfsOf([file('f', 'first'), file('f', 'second!')])).toEqual(['f 0644 0:0 /f 7']);
  });

  it('keeps modes with setuid, setgid and sticky bits, owners, and symlink targets verbatim', async () => {
    expect(
      await rootfsOf([
        dir('tmp', 0o1777),
        file('su', 's', { mode: 0o4755, uid: 1000, gid: 50 }),
        file('sg', 's', { mode: 0o2711 }),
        { name: 'dangling', type: 'symlink', linkname: '../../nowhere/x' },
      ]),
    ).toEqual(['d 1777 0:0 /tmp', 'f 2711 0:0 /sg 1', 'f 4755 1000:50 /su 1', 'l 0777 0:0 /dangling ../../nowhere/x']);
  });

  it('links a hardlink to a file of its own layer, and a later layer\'s overwrite breaks only that name', async () => {
    const listing = await rootfsOf([file('t1', 'one'), file('t2', 'two'), { name: 't3', type: 'link', linkname: 't2' }], [file('t2', 'new!')]);
    expect(listing).toEqual(['f 0644 0:0 /t1 3', 'f 0644 0:0 /t2 4', 'f 0644 0:0 /t3 3']);
    expect(await rootfsOf([file('t1', 'one'), { name: 't3', type: 'link', linkname: 't1' }])).toEqual(['f 0644 0:0 /t1 3 link=/t1', 'f 0644 0:0 /t3 3 link=/t1']);
  });

  it('refuses a hardlink to a file of a lower layer: Docker unpacks each layer into an empty directory', async () => {
    const err = await loadError([file('t1', 'one')], [{ name: 't3', type: 'link', linkname: 't1' }]);
    expect((err as Error).message).toBe('l1/layer.tar: link /t1 /t3: no such file or directory');
  });

  it('refuses a hardlink to a missing target', async () => {
    const err = await loadError([{ name: 'h', type: 'link', linkname: 'nothing' }]);
    expect(isCode(err, 'InvalidArchive')).toBe(true);
    expect((err as Error).message).toBe('l0/layer.tar: link /nothing /h: no such file or directory');
  });

  it('puts a directory in place of a lower file where a layer needs one, as Docker does', async () => {
    expect(await rootfsOf([dir('a'), file('a/one', '1')], [file('a/one/x', 'x')])).toEqual(['d 0755 0:0 /a', 'd 0755 0:0 /a/one', 'f 0644 0:0 /a/one/x 1']);
  });

  it('refuses a file of the same layer where a directory is needed: "not a directory"', async () => {
    const err = await loadError([file('c', 'c'), file('c/x', 'x')]);
    expect(isCode(err, 'InvalidArchive')).toBe(true);
    expect((err as Error).message).toBe('l0/layer.tar: open /c/x: not a directory');
  });

  it('clamps ../ and absolute names inside the root', async () => {
    expect(await rootfsOf([file('../../escape', 'a'), file('/abs/x', 'b')])).toEqual(['d 0755 0:0 /abs', 'f 0644 0:0 /abs/x 1', 'f 0644 0:0 /escape 1']);
  });

  it('resolves a parent that is a symlink of the same layer inside the root, never outside', async () => {
    expect(
      await rootfsOf([dir('real'), { name: 'link', type: 'symlink', linkname: '/real' }, { name: 'up', type: 'symlink', linkname: '../../../../real' }, file('link/via-absolute'), file('up/via-dotdot')]),
    ).toEqual(['d 0755 0:0 /real', 'f 0644 0:0 /real/via-absolute 1', 'f 0644 0:0 /real/via-dotdot 1', 'l 0777 0:0 /link /real', 'l 0777 0:0 /up ../../../../real']);
  });

  it('puts a real directory over a lower layer\'s symlink that a layer writes beneath, as Docker\'s overlay2 does', async () => {
    expect(await rootfsOf([dir('real'), { name: 'link', type: 'symlink', linkname: '/real' }], [file('link/x')])).toEqual(['d 0755 0:0 /link', 'd 0755 0:0 /real', 'f 0644 0:0 /link/x 1']);
  });

  it('resolves hardlink targets inside the root', async () => {
    expect(await rootfsOf([file('etc/passwd', 'root'), { name: 'h', type: 'link', linkname: '../../../etc/passwd' }])).toEqual([
      'd 0755 0:0 /etc',
      // os.walk lists / (h) before descending into /etc, so /h names the group
      'f 0644 0:0 /etc/passwd 4 link=/h',
      'f 0644 0:0 /h 4 link=/h',
    ]);
  });

  it('refuses a bare .wh. whiteout', async () => {
    const err = await loadError([dir('a'), file('a/.wh.', '')]);
    expect(isCode(err, 'InvalidArchive')).toBe(true);
    expect((err as Error).message).toMatch(/invalid whiteout entry/);
  });

  it('keeps long (PAX) and non-ASCII names', async () => {
    const long = `${'d'.repeat(80)}/${'n'.repeat(120)}`;
    expect(await rootfsOf([file(long), file('café/naïve-文件')])).toEqual([
      'd 0755 0:0 /café',
      `d 0755 0:0 /${'d'.repeat(80)}`,
      'f 0644 0:0 /café/naïve-文件 1',
      `f 0644 0:0 /${long} 1`,
    ]);
  });

  it('refuses to change the type of the root directory', async () => {
    const err = await loadError([{ name: './', type: 'symlink', linkname: '/etc' }]);
    expect(isCode(err, 'InvalidArchive')).toBe(true);
  });
});
