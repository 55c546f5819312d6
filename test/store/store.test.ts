import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildImage, writeDockerArchive, writeOciArchive, type BuiltImage } from '../../src/oci/build.js';
import { freshEngine, writeTmp } from '../helpers/archive.js';
import { loadLines, removedLines } from '../../src/docker-words.js';

const CREATED = '2024-01-02T03:04:05Z';
const MAIN = path.join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');

async function image(name: string, files: Record<string, string>, base?: BuiltImage): Promise<BuiltImage> {
  return buildImage({ name, created: CREATED, steps: [{ ops: Object.entries(files).map(([p, c]) => ({ op: 'file' as const, path: p, content: c })) }] }, base);
}

describe('the content-addressed store', () => {
  it('stores a base shared by two images once, and keeps it until the last image using it is removed', async () => {
    const base = await image('s/base:1', { big: 'b'.repeat(10_000) });
    const one = await image('s/one:1', { one: '1' }, base);
    const two = await image('s/two:1', { two: '2' }, base);
    const { engine, root } = await freshEngine();
    await engine.images.load(writeTmp(await writeOciArchive([one])));
    await engine.images.load(writeTmp(await writeOciArchive([two])));
    const blobs = () => fs.readdirSync(path.join(root, 'blobs', 'sha256')).sort();
    expect(blobs().filter((b) => `sha256:${b}` === base.layers[0]!.digest)).toHaveLength(1);
    expect((await engine.images.df()).sharedBytes).toBe(base.layers[0]!.blob.length);

    const lines = removedLines(await engine.images.remove('s/one:1'));
    expect(lines).toEqual(['Untagged: s/one:1', `Deleted: ${one.configDigest}`, `Deleted: ${one.chainIds[1]}`]);
    expect(blobs()).toContain(base.layers[0]!.digest.slice(7));
    await engine.images.remove('s/two:1');
    expect(blobs()).toEqual([]);
    expect(fs.readdirSync(path.join(root, 'layers'))).toEqual([]);
  });

  it('moves a tag to a newly loaded image as docker load does, leaving the old one untagged', async () => {
    const a = await image('t/app:1', { v: '1' });
    const b = await image('t/app:1', { v: '2' });
    const { engine } = await freshEngine();
    await engine.images.load(writeTmp(await writeDockerArchive([a])));
    const res = await engine.images.load(writeTmp(await writeDockerArchive([b])));
    expect(loadLines(res)).toEqual([
      `The image t/app:1 already exists, renaming the old one with ID ${a.configDigest} to empty string`,
      'Loaded image: t/app:1',
    ]);
    const imgs = await engine.images.list();
    expect(imgs.map((i) => [i.id, i.tags])).toEqual(expect.arrayContaining([[a.configDigest, []], [b.configDigest, ['t/app:1']]]));
    const pruned = await engine.images.prune();
    expect(pruned.deleted).toEqual([a.configDigest]);
    expect((await engine.images.list()).map((i) => i.id)).toEqual([b.configDigest]);
  });

  it('refuses to remove by ID an image with several tags unless forced', async () => {
    const a = await image('m/x:1', { f: 'x' });
    const { engine } = await freshEngine();
    await engine.images.load(writeTmp(await writeDockerArchive([a])));
    await engine.images.load(writeTmp(await writeDockerArchive([{ ...a, name: 'm/y:2' }])));
    await expect(engine.images.remove(a.configDigest.slice(7, 19))).rejects.toThrow(
      `conflict: unable to delete ${a.configDigest.slice(7, 19)} (must be forced) - image is referenced in multiple repositories`,
    );
    expect(removedLines(await engine.images.remove(a.configDigest.slice(7, 19), { force: true }))).toEqual(['Untagged: m/x:1', 'Untagged: m/y:2', `Deleted: ${a.configDigest}`, `Deleted: ${a.chainIds[0]}`]);
  });

  it('serialises loads from concurrent processes: both land, nothing is lost', async () => {
    const imgs = await Promise.all([1, 2, 3].map((i) => image(`c/img${i}:1`, { [`f${i}`]: String(i).repeat(50_000) })));
    const { engine, root } = await freshEngine();
    const archives = await Promise.all(imgs.map(async (img) => writeTmp(await writeOciArchive([img]))));
    const runs = archives.map(
      (archive) =>
        new Promise<number>((resolve) => {
          spawn(process.execPath, ['--import', 'tsx', MAIN, '--root', root, 'load', '-q', '-i', archive], { stdio: 'ignore' }).on('exit', (c) => resolve(c ?? 1));
        }),
    );
    expect(await Promise.all(runs)).toEqual([0, 0, 0]);
    expect((await engine.images.list()).flatMap((i) => i.tags).sort()).toEqual(['c/img1:1', 'c/img2:1', 'c/img3:1']);
    expect(fs.existsSync(path.join(root, 'lock'))).toBe(false);
  });

  it('collects the staging a crashed load left behind, and takes over a lock whose owner died', async () => {
    const { engine, root } = await freshEngine();
    const dead = 2 ** 22 + 12345; // beyond pid_max's default: no such process
    fs.mkdirSync(path.join(root, 'tmp', `load-${dead}-abc`));
    fs.writeFileSync(path.join(root, 'tmp', `load-${dead}-abc`, 'm0'), 'half a layer');
    fs.writeFileSync(path.join(root, 'lock'), String(dead));
    await engine.images.prune();
    expect(fs.readdirSync(path.join(root, 'tmp'))).toEqual([]);
  });

  it('removes the temp file of an atomic write whose process was killed before its rename, at the next lock', async () => {
    const app = await image('s/torn:1', { f: 'x' });
    const { engine, root } = await freshEngine();
    await engine.images.load(writeTmp(await writeOciArchive([app])));
    await engine.store.records('containers').put('c1', { x: 1 });
    // what a kill -9 between writeFileAtomic's fsync and its rename leaves, in each place written under the lock
    const torn = [`images/${app.configDigest.slice(7)}.json.tmp-0123456789ab`, 'repositories.json.tmp-abcdef012345', 'records/containers/c2.json.tmp-00aa11bb22cc'];
    for (const t of torn) fs.writeFileSync(path.join(root, t), '{"half":');
    const keep = path.join(root, 'images', 'notes.tmp-x'); // not writeFileAtomic's name: not ours to remove
    fs.writeFileSync(keep, '');
    await engine.store.locked(async () => {});
    for (const t of torn) expect(fs.existsSync(path.join(root, t))).toBe(false);
    expect(fs.existsSync(keep)).toBe(true);
    expect(Object.keys(await engine.store.tags())).toEqual(['s/torn:1']);
  });
});
