/**
 * `docker rmi` of an image containers use, in the real engine's words (moby image_delete.go, 20.10;
 * measured here and pinned against the real engine by scenario containers-interactive.sh).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const ID = 'c58734b4a229';

async function setup() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bx-rmi-'));
  dirs.push(root);
  const engine = await Engine.open({ root });
  await engine.images.load(path.join(import.meta.dirname, '../fixtures/corpus/dk-build.dsave.tar'));
  await engine.init();
  const svc = engine.containers;
  const stopped = (await svc.create({ Image: 'dk-build', Cmd: ['echo', 'ok'] }, 'cst')).id;
  return { engine, svc, stopped };
}

describe('docker rmi of an image in use', () => {
  it('keeps the last tag of an image a container uses, unless forced', async () => {
    const { engine, stopped } = await setup();
    await expect(engine.images.remove('dk-build')).rejects.toThrow(
      `conflict: unable to remove repository reference "dk-build" (must force) - container ${stopped.slice(0, 12)} is using its referenced image ${ID}`,
    );
  });

  it('removes a tag freely while another tag remains', async () => {
    const { engine } = await setup();
    await engine.images.tag('dk-build', 'x:1');
    expect(await engine.images.remove('x:1')).toEqual([{ untagged: 'x:1' }]);
  });

  it('by ID: a stopped container\'s image must be forced, a running container\'s cannot be', async () => {
    const { engine, svc, stopped } = await setup();
    await expect(engine.images.remove(ID)).rejects.toThrow(`conflict: unable to delete ${ID} (must be forced) - image is being used by stopped container ${stopped.slice(0, 12)}`);
    const { id: running } = await svc.create({ Image: 'dk-build', Cmd: ['sh', '-c', 'sleep 3600'] }, 'crun');
    await svc.start('crun');
    for (const force of [false, true])
      await expect(engine.images.remove(ID, { force })).rejects.toThrow(`conflict: unable to delete ${ID} (cannot be forced) - image is being used by running container ${running.slice(0, 12)}`);
    // by its last tag, forced: the tag goes, the image quietly stays
    expect(await engine.images.remove('dk-build', { force: true })).toEqual([{ untagged: 'dk-build:latest' }]);
    expect((await engine.images.list()).length).toBe(1);
    await svc.remove('crun', { force: true });
  });

  it('forced, deletes the image of a stopped container, which still starts', async () => {
    const { engine, svc } = await setup();
    const items = await engine.images.remove('dk-build', { force: true });
    expect(items.map((i) => Object.keys(i)[0])).toEqual(['untagged', 'deleted']);
    const w = svc.wait('cst', 'next-exit');
    await svc.start('cst');
    expect(await w.done).toBe(0);
    expect(svc.logOf('cst').read().map((r) => r.line.toString())).toEqual(['ok\n']);
  });

  it('image prune leaves the images containers use', async () => {
    const { engine } = await setup();
    expect((await engine.images.prune({ all: true })).items).toEqual([]);
    expect((await engine.images.list()).length).toBe(1);
  });
});
