import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildImage, writeOciArchive, type BuiltImage } from '../../src/oci/build.js';
import { InUseError, Store } from '../../src/store/store.js';
import { freshEngine, tmpdir, writeTmp } from '../helpers/archive.js';

const CREATED = '2024-01-02T03:04:05Z';

async function image(name: string, files: Record<string, string>, base?: BuiltImage): Promise<BuiltImage> {
  return buildImage({ name, created: CREATED, steps: [{ ops: Object.entries(files).map(([p, c]) => ({ op: 'file' as const, path: p, content: c })) }] }, base);
}

/** A store holding `img` (loaded as `docker load` would). */
async function storeWith(...imgs: BuiltImage[]): Promise<Store> {
  const { engine } = await freshEngine();
  for (const img of imgs) await engine.images.load(writeTmp(await writeOciArchive([img])));
  return engine.store;
}

interface Container {
  name: string;
  running: boolean;
}

describe('metadata records', () => {
  it('puts, gets, lists and deletes records of a collection, each a whole JSON file', async () => {
    const store = await Store.open(tmpdir('boxlab-records-'));
    const vols = store.records<{ driver: string }>('volumes');
    expect(await vols.list()).toEqual([]);
    await vols.put('data', { driver: 'local' });
    await vols.put('cache', { driver: 'local' });
    await vols.put('data', { driver: 'tmpfs' });
    expect(await vols.get('data')).toEqual({ driver: 'tmpfs' });
    expect((await vols.list()).map((r) => r.id)).toEqual(['cache', 'data']);
    // a temp file a crashed write left is not a record
    fs.writeFileSync(path.join(store.root, 'records', 'volumes', 'data.json.tmp-abc'), '{"half');
    expect((await vols.list()).map((r) => r.id)).toEqual(['cache', 'data']);
    expect(await vols.delete('cache')).toBe(true);
    expect(await vols.delete('cache')).toBe(false);
    await expect(vols.get('cache')).rejects.toMatchObject({ code: 'NotFound' });
    await store.collectGarbage();
    expect(fs.readdirSync(path.join(store.root, 'records', 'volumes'))).toEqual(['data.json']);
  });

  it('refuses ids and collection names that are not plain file names', async () => {
    const store = await Store.open(tmpdir('boxlab-records-'));
    await expect(store.records('containers').put('../escape', {})).rejects.toMatchObject({ code: 'InvalidArgument' });
    expect(() => store.records('../x')).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    await expect(store.records('containers').put('c', {}, { images: ['sha256:nothex'] as never })).rejects.toMatchObject({ code: 'InvalidArgument' });
  });
});

describe('references: nothing a record uses is collected', () => {
  it('names the containers using an image, and refuses to remove its record unless forced', async () => {
    const img = await image('r/app:1', { app: 'v1' });
    const store = await storeWith(img);
    const containers = store.records<Container>('containers');
    await containers.put('abc', { name: 'web', running: false }, { images: [img.configDigest] });
    await containers.put('def', { name: 'db', running: true }, { images: [img.configDigest] });
    expect(await store.imageUsers(img.configDigest)).toEqual([
      { kind: 'containers', id: 'abc' },
      { kind: 'containers', id: 'def' },
    ]);
    const err = await store.removeImageRecord(img.configDigest).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InUseError);
    expect(err).toMatchObject({ code: 'FailedPrecondition', users: [{ kind: 'containers', id: 'abc' }, { kind: 'containers', id: 'def' }] });
    expect(store.hasImage(img.configDigest)).toBe(true);
    await containers.delete('def');
    await containers.delete('abc');
    expect(await store.imageUsers(img.configDigest)).toEqual([]);
    await store.removeImageRecord(img.configDigest);
    expect(store.hasImage(img.configDigest)).toBe(false);
  });

  it('keeps the layers under a container’s active snapshot after its image is removed by force, until the container goes (as Docker’s RW layer does)', async () => {
    const base = await image('r/base:1', { base: 'b' });
    const app = await image('r/app:1', { app: 'a' }, base);
    const store = await storeWith(app);
    const top = app.chainIds[1]!;
    await store.createActive('abc', { parent: top });
    await store.records<Container>('containers').put('abc', { name: 'web', running: false }, { images: [app.configDigest], actives: ['abc'] });

    await store.removeImageRecord(app.configDigest, { force: true });
    const gc = await store.collectGarbage();
    // the image's config and manifest go; the layers and their blobs stay for the container
    expect(gc.layers).toEqual([]);
    expect(gc.blobs.sort()).toEqual([app.configDigest, app.manifestDigest].sort());
    for (const c of app.chainIds) expect(store.hasLayer(c)).toBe(true);
    for (const l of app.layers) expect(fs.existsSync(store.blobPath(l.digest))).toBe(true);

    await expect(store.removeActive('abc')).rejects.toMatchObject({ code: 'FailedPrecondition' });
    await store.records('containers').delete('abc');
    await store.removeActive('abc');
    const after = await store.collectGarbage();
    expect(after.layers.sort()).toEqual([...app.chainIds].sort());
    expect(fs.readdirSync(path.join(store.root, 'blobs', 'sha256'))).toEqual([]);
  });

  it('keeps a layer a record names directly, with its parents', async () => {
    const base = await image('r/base:1', { base: 'b' });
    const app = await image('r/app:1', { app: 'a' }, base);
    const store = await storeWith(app);
    await store.records('builds').put('cache1', { step: 2 }, { layers: [app.chainIds[1]!] });
    await store.removeImageRecord(app.configDigest);
    expect((await store.collectGarbage()).layers).toEqual([]);
    await store.records('builds').delete('cache1');
    expect((await store.collectGarbage()).layers.sort()).toEqual([...app.chainIds].sort());
  });

  it('keeps an active snapshot’s parent chain while the snapshot exists, record or not', async () => {
    const app = await image('r/app:1', { app: 'a' });
    const store = await storeWith(app);
    await store.createActive('orphan', { parent: app.chainIds[0]! });
    await store.removeImageRecord(app.configDigest);
    expect((await store.collectGarbage()).layers).toEqual([]);
    await store.removeActive('orphan');
    expect((await store.collectGarbage()).layers).toEqual([app.chainIds[0]]);
  });
});
