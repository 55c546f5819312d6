import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { chainIds, sha256, type Digest } from '../../src/digest.js';
import { buildImage, writeOciArchive, type BuiltImage } from '../../src/oci/build.js';
import { Store } from '../../src/store/store.js';
import { freshEngine, layerTar, readMembers, snapshotTree, tmpdir, writeTmp } from '../helpers/archive.js';
import { exited, spawnTs } from '../helpers/child.js';
import { seededCommit } from './children/commit-model.js';

const CHILD = path.join(import.meta.dirname, 'children', 'commit-child.ts');
const CREATED = '2024-01-02T03:04:05Z';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function baseImage(): Promise<BuiltImage> {
  const base = await buildImage({ name: 'c/base:1', created: CREATED, steps: [{ ops: [{ op: 'file', path: 'etc/os', content: 'base' }] }] });
  return buildImage({ name: 'c/app:1', created: CREATED, steps: [{ ops: [{ op: 'file', path: 'app/v', content: '1' }] }] }, base);
}

/** The store as a reader sees it: every file but staging and the lock, with image records' load time left out. */
function listing(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(snapshotTree(root))) {
    if (k.startsWith('tmp/') || k.startsWith('lock')) continue;
    if (/^images\/[0-9a-f]{64}\.json$/.test(k)) {
      const { loadedAt: _, ...rec } = JSON.parse(fs.readFileSync(path.join(root, k), 'utf8')) as Record<string, unknown>;
      out[k] = JSON.stringify(rec);
    } else out[k] = v;
  }
  return out;
}

const configFor = (base: Buffer) => ({ diffIds }: { diffIds: Digest[] }) => {
  const parsed = JSON.parse(base.toString()) as Record<string, unknown>;
  return Buffer.from(JSON.stringify({ ...parsed, rootfs: { type: 'layers', diff_ids: diffIds } }));
};

describe('commit: one layer and one image, all or nothing', () => {
  it('adds a layer from a container’s upper (the overlay packer) and an image the engine reads, and moves the tag', async () => {
    const app = await baseImage();
    const { engine } = await freshEngine();
    await engine.images.load(writeTmp(await writeOciArchive([app])));
    const store = engine.store;
    const mount = await engine.images.mount('c/app:1');
    mount.mkdir('/work');
    mount.writeFile('/work/out.txt', 'made in the container\n');
    mount.unlink('/etc/os');
    const res = await store.commit({ layer: mount.packUpperStream() as unknown as Readable, parent: app.chainIds[1]!, config: configFor(app.config), tag: 'c/app:1' });

    expect(res.diffIds).toEqual([...app.diffIds, res.diffId]);
    expect(res.chainId).toBe(chainIds(res.diffIds)[2]);
    expect(res.newLayer).toBe(true);
    expect(res.tagChange).toEqual({ tag: 'c/app:1', id: res.id, previous: app.configDigest });
    const rec = await store.image(res.id);
    expect(rec.chainIds).toEqual(chainIds(res.diffIds));
    expect(rec.layers.slice(0, 2)).toEqual((await store.image(app.configDigest)).layers); // the base's descriptors, as they came
    expect(rec.layers[2]).toEqual({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: res.diffId, size: store.blobSize(res.diffId) });
    // the stored layer is the plain tar: its blob's digest is its diffID
    const layer = await store.layer(res.chainId);
    expect(sha256(fs.readFileSync(store.layerTarPath(layer)))).toBe(res.diffId);
    expect((await store.layerEntries(res.chainId)).map((e) => `${e.type} ${e.path}`).sort()).toEqual(['dir etc', 'dir work', 'file work/out.txt', 'whiteout etc/os']);

    // the engine reads the new image as any other
    expect((await engine.images.list()).find((i) => i.id === res.id)?.tags).toEqual(['c/app:1']);
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await engine.images.export('c/app:1', out);
    const names = (await readMembers(Buffer.concat(chunks))).map((m) => m.header.name);
    expect(names).toEqual(expect.arrayContaining(['work/out.txt', 'app/v']));
    expect(names.some((n) => n.startsWith('etc/os'))).toBe(false);
  });

  it('stores nothing when the config’s diff_ids are not the layers’, or the parent is unknown', async () => {
    const app = await baseImage();
    const { engine, root } = await freshEngine();
    await engine.images.load(writeTmp(await writeOciArchive([app])));
    const before = listing(root);
    await expect(
      engine.store.commit({ layer: Readable.from(await layerTar([{ name: 'x', content: 'x' }])), parent: app.chainIds[1]!, config: () => app.config, tag: 'c/bad:1' }),
    ).rejects.toMatchObject({ code: 'InvalidArgument' });
    await expect(
      engine.store.commit({ layer: Readable.from(await layerTar([{ name: 'x', content: 'x' }])), parent: sha256('no such layer'), config: configFor(app.config) }),
    ).rejects.toMatchObject({ code: 'NotFound' });
    await expect(engine.store.commit({ layer: Readable.from(Buffer.from('not a tar at all'.repeat(64))), parent: null, config: configFor(app.config) })).rejects.toMatchObject({
      code: 'InvalidArchive',
    });
    expect(listing(root)).toEqual(before);
    expect(fs.readdirSync(path.join(root, 'tmp'))).toEqual([]);
  });

  it('reuses a layer already stored when the same changes are committed on the same parent', async () => {
    const app = await baseImage();
    const { engine } = await freshEngine();
    await engine.images.load(writeTmp(await writeOciArchive([app])));
    const opts = async () => seededCommit(engine.store, app.configDigest, 7);
    const first = await engine.store.commit(await opts());
    const second = await engine.store.commit(await opts());
    expect(second).toMatchObject({ id: first.id, chainId: first.chainId, newLayer: false });
    expect(second.tagChange).toEqual({ tag: 'crash/seed:7', id: first.id });
  });

  it('leaves the store as before or as after the commit when the committing process is killed at any moment (kill -9)', async () => {
    const app = await baseImage();
    const LANES = 2;
    const ITERATIONS = 8;
    const outcomes = { before: 0, after: 0, inFlight: 0 };
    const lane = async () => {
      const { engine, root } = await freshEngine();
      await engine.images.load(writeTmp(await writeOciArchive([app])));
      for (let i = 0; i < ITERATIONS; i++) {
        const seed = 100 * LANES + i;
        // the state after: the same commit, uninterrupted, in a copy of the store
        const shadow = tmpdir('boxlab-shadow-');
        execFileSync('cp', ['-a', `${root}/.`, shadow]);
        const t0 = Date.now();
        const shadowStore = await Store.open(shadow);
        await shadowStore.commit(await seededCommit(shadowStore, app.configDigest, seed));
        const took = Date.now() - t0;
        const before = listing(root);
        const after = listing(shadow);
        fs.rmSync(shadow, { recursive: true, force: true });

        const child = spawnTs(CHILD, [root, app.configDigest, String(seed)]);
        let out = '';
        child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
        while (!out.includes('committing\n') && child.exitCode === null) await sleep(2);
        await sleep(Math.random() * took);
        child.kill('SIGKILL');
        await exited(child);
        if (fs.readdirSync(path.join(root, 'intents')).length) outcomes.inFlight++;

        await (await Store.open(root)).locked(async () => {}); // the next process to take the lock recovers
        const got = listing(root);
        expect(fs.readdirSync(path.join(root, 'intents'))).toEqual([]);
        expect([before, after]).toContainEqual(got);
        outcomes[got === before || JSON.stringify(got) === JSON.stringify(before) ? 'before' : 'after']++;
      }
    };
    await Promise.all(Array.from({ length: LANES }, lane));
    console.log(`commit kill -9: ${JSON.stringify(outcomes)}`);
    expect(outcomes.before + outcomes.after).toBe(LANES * ITERATIONS);
  }, 400_000);
});
