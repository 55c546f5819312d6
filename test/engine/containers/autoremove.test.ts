import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../../../src/engine/engine.js';
import { ContainerService } from '../../../src/engine/containers/service.js';
import type { Task, TaskExit, TaskRuntime } from '../../../src/engine/containers/task.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A PID 1 that runs until killed: the state a daemon killed with SIGKILL leaves behind. */
class ForeverRuntime implements TaskRuntime {
  async start(): Promise<Task> {
    let finish!: (e: TaskExit) => void;
    const exited = new Promise<TaskExit>((r) => (finish = r));
    return {
      pid: 4242,
      exited,
      kill: (sig) => (sig === 9 ? finish({ code: 137, signal: 9 }) : undefined),
      pause() {},
      resume() {},
      processes: () => [],
      exec: async () => {
        throw new Error('no exec');
      },
    };
  }
  async cleanup(): Promise<void> {}
  async remove(): Promise<void> {}
}

async function engineOn(root?: string) {
  const dir = root ?? fs.mkdtempSync(path.join(os.tmpdir(), 'bx-rm-'));
  if (!root) dirs.push(dir);
  const engine = await Engine.open({ root: dir });
  if (!root) await engine.images.load(path.join(import.meta.dirname, '../../fixtures/corpus/dk-build.dsave.tar'));
  return { engine, root: dir };
}

describe('--rm (AutoRemove) containers', () => {
  it('are removed by a daemon started after a crash, created or running, as the engine here does; others stay, exited', async () => {
    const { engine, root } = await engineOn();
    const svc = new ContainerService(engine.store, engine.images, engine.events, new ForeverRuntime());
    await svc.init();
    const created = await svc.create({ Image: 'dk-build', Cmd: ['true'], HostConfig: { AutoRemove: true } }, 'c1');
    const running = await svc.create({ Image: 'dk-build', Cmd: ['sleep'], HostConfig: { AutoRemove: true } }, 'c2');
    await svc.start('c2');
    await svc.create({ Image: 'dk-build', Cmd: ['sleep'] }, 'c3');
    await svc.start('c3');
    // the first service is never stopped: the second finds what a SIGKILLed daemon leaves
    const again = new ContainerService(engine.store, engine.images, engine.events, new ForeverRuntime());
    await again.init();
    expect(again.all().map((c) => c.name)).toEqual(['/c3']);
    expect(again.get('c3').state).toMatchObject({ Status: 'exited', ExitCode: 137 });
    for (const id of [created.id, running.id]) expect(fs.existsSync(path.join(root, 'containers', id))).toBe(false);
  });

  it('keep their record on disk while they exist but no active snapshot: their upper lives in memory', async () => {
    const { engine, root } = await engineOn();
    await engine.init();
    const rm = await engine.containers.create({ Image: 'dk-build', Cmd: ['sh', '-c', 'echo x > /made; sleep 3600'], HostConfig: { AutoRemove: true } }, 'r1');
    const kept = await engine.containers.create({ Image: 'dk-build', Cmd: ['sh', '-c', 'sleep 3600'] }, 'k1');
    await engine.containers.start('r1');
    await engine.containers.start('k1');
    expect(fs.existsSync(path.join(root, 'containers', rm.id, 'config.v2.json'))).toBe(true);
    const onDisk = JSON.parse(fs.readFileSync(path.join(root, 'containers', rm.id, 'config.v2.json'), 'utf8')) as { state: { Running: boolean } };
    expect(onDisk.state.Running).toBe(true);
    expect(engine.store.hasActive(rm.id)).toBe(false);
    expect(engine.store.hasActive(kept.id)).toBe(true);
    const upper = (await engine.runtime.rootfs(engine.containers.get('r1'))).upper;
    await expect.poll(() => upper.root.entries.has('made')).toBe(true);
    const removed = engine.containers.wait('r1', 'removed');
    await engine.containers.kill('r1');
    expect(await removed.done).toBe(137);
    expect(fs.existsSync(path.join(root, 'containers', rm.id))).toBe(false);
    await engine.containers.remove('k1', { force: true });
    expect(engine.store.hasActive(kept.id)).toBe(false);
  });
});
