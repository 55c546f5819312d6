/**
 * --volumes-from through the engine: the mounts of another container, read-only with :ro, kept by a
 * container whose source is gone, replaced by a mount of its own at the same path; the modes and a
 * missing container refused as the engine refuses them (the side-by-side scenario volumes-from.sh
 * compares the same against the real engine).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { parseVolumesFrom } from '../../src/engine/volumesfrom.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function setup() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bx-vf-'));
  dirs.push(root);
  const engine = await Engine.open({ root });
  await engine.init();
  await engine.images.load(path.join(import.meta.dirname, '../fixtures/corpus/dk-build.dsave.tar'));
  return engine;
}

async function run(engine: Engine, cmd: string, hostConfig: Record<string, unknown> = {}, name?: string): Promise<{ id: string; out: string }> {
  const { id } = await engine.containers.create({ Image: 'dk-build', Cmd: ['sh', '-c', `${cmd} 2>&1`], HostConfig: hostConfig }, name);
  return { id, out: await startAndWait(engine, id) };
}

async function startAndWait(engine: Engine, id: string): Promise<string> {
  const chunks: string[] = [];
  const l = engine.containers.listen(id, (_s, d) => chunks.push(Buffer.from(d).toString()));
  const done = engine.containers.wait(id, 'next-exit').done;
  await engine.containers.start(id);
  await done;
  l.stop();
  return chunks.join('');
}

describe('--volumes-from', () => {
  it('parses C, C:ro and C:rw, and refuses copy and propagation modes as ParseVolumesFrom does', () => {
    expect(parseVolumesFrom('data')).toEqual({ ref: 'data', rw: true });
    expect(parseVolumesFrom('data:ro')).toEqual({ ref: 'data', rw: false });
    expect(parseVolumesFrom('data:rw')).toEqual({ ref: 'data', rw: true });
    for (const bad of ['data:nocopy', 'data:rshared', 'data:ro,rw', 'data:x']) expect(() => parseVolumesFrom(bad)).toThrow(`invalid mode: ${bad.slice(5)}`);
    expect(() => parseVolumesFrom('')).toThrow('volumes-from specification cannot be an empty string');
  });

  it('shares the source`s volumes, read-only with :ro, and keeps them when the source is gone', async () => {
    const engine = await setup();
    const src = await run(engine, 'echo one > /anon/f; echo two > /named/f', { Binds: ['/anon', 'data:/named'] });
    const rw = await run(engine, 'cat /anon/f /named/f', { VolumesFrom: [src.id] });
    expect(rw.out).toBe('one\ntwo\n');
    await engine.containers.remove(rw.id);
    const ro = await run(engine, 'cat /anon/f; echo x > /named/f', { VolumesFrom: [`${src.id}:ro`] });
    expect(ro.out).toBe("one\nsh: can't create /named/f: Read-only file system\n");
    expect(engine.containers.get(ro.id).mounts.map((m) => [m.Destination, m.Mode, m.RW])).toEqual([['/anon', '', false], ['/named', '', false]]);
    // the anonymous volume stays while a container that inherited it exists; a new start mounts it again
    const anon = engine.containers.get(src.id).mounts.find((m) => m.Destination === '/anon')!.Name!;
    await engine.containers.remove(src.id, { removeVolumes: true });
    expect(engine.volumes.store.get(anon)).toBeDefined();
    expect(await startAndWait(engine, ro.id)).toBe("one\nsh: can't create /named/f: Read-only file system\n");
    await engine.containers.remove(ro.id, { removeVolumes: true });
    expect(engine.volumes.store.get(anon)).toBeUndefined();
    expect(engine.volumes.store.get('data')).toBeDefined();
  });

  it('gives way to a mount of the container`s own at the same path, and takes an image VOLUME`s place', async () => {
    const engine = await setup();
    const src = await run(engine, 'echo mine > /v/f', { Binds: ['srcvol:/v'] });
    const own = await run(engine, 'ls /v', { VolumesFrom: [src.id], Binds: ['other:/v'] });
    expect(own.out).toBe('');
    expect(engine.containers.get(own.id).mounts.map((m) => m.Name)).toEqual(['other']);
    const { id } = await engine.containers.create({ Image: 'dk-build', Cmd: ['cat', '/v/f'], Volumes: { '/v': {} }, HostConfig: { VolumesFrom: [src.id] } });
    expect(await startAndWait(engine, id)).toBe('mine\n');
    expect(engine.containers.get(id).mounts.map((m) => m.Name)).toEqual(['srcvol']);
  });

  it('refuses a missing container as a bad parameter, in the engine`s words', async () => {
    const engine = await setup();
    await expect(engine.containers.create({ Image: 'dk-build', Cmd: ['true'], HostConfig: { VolumesFrom: ['nope'] } })).rejects.toMatchObject({ code: 'InvalidArgument', message: 'No such container: nope' });
  });
});
