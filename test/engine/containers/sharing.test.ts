import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/engine.js';
import { tmpdir } from '../../helpers/archive.js';

const IMAGE = path.join(import.meta.dirname, '../../fixtures/corpus/dk-build.dsave.tar');

async function engineWithImage(): Promise<Engine> {
  const engine = await Engine.open({ root: tmpdir('boxlab-sharing-') });
  await engine.init();
  await engine.images.load(IMAGE);
  return engine;
}

describe('what containers of one image share (bench:ipam, 60,000 containers)', () => {
  it('two containers of one image read one parse of its config, frozen, and each keeps its own Env', async () => {
    const engine = await engineWithImage();
    const run = { Image: 'dk-build', Cmd: ['true'] };
    const a = engine.containers.get((await engine.containers.create(run)).id);
    const b = engine.containers.get((await engine.containers.create(run)).id);
    const img = (await engine.images.imageRecord('dk-build')).config;
    expect((await engine.images.imageRecord('dk-build')).config).toBe(img);
    expect(Object.isFrozen(img.config?.Env)).toBe(true);
    expect((img.config?.Env as string[] | undefined)?.length).toBeGreaterThan(0);
    // Env is merged per container and stays its own
    expect(a.config.Env).not.toBe(b.config.Env);
    expect(a.config.Env).toEqual(img.config?.Env);
    for (const c of [a, b]) await engine.containers.remove(c.id, { force: true });
  });

  it('names a container by its short ID once six generated names are taken, as moby does', async () => {
    const { generateName } = await import('../../../src/engine/containers/names.js');
    const id = 'f'.repeat(64);
    let asked = 0;
    expect(generateName(() => (asked++, true), id)).toBe(`/${id.slice(0, 12)}`);
    expect(asked).toBe(6);
    expect(generateName((n) => !/\d$/.test(n), id)).toMatch(/^\/[a-z]+_[a-z]+\d$/);
  });

  it('a container started, stopped and removed leaves no active snapshot, and its record is durable at each step', async () => {
    const engine = await engineWithImage();
    const { id } = await engine.containers.create({ Image: 'dk-build', Cmd: ['sh', '-c', 'sleep 3600'] });
    const file = path.join(engine.store.root, 'containers', id, 'config.v2.json');
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).state.Status).toBe('created');
    await engine.containers.start(id);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).state.Running).toBe(true);
    expect(engine.store.hasActive(id)).toBe(true);
    expect(fs.readdirSync(path.join(engine.containers.storeRoot(), 'containers', id)).filter((n) => n.includes('.tmp-'))).toEqual([]);
    await engine.containers.remove(id, { force: true });
    expect(engine.store.hasActive(id)).toBe(false);
    expect(fs.existsSync(file)).toBe(false);
    // the staging of the snapshot's creation went with it
    expect(fs.readdirSync(path.join(engine.store.root, 'tmp'))).toEqual([]);
  });
});
