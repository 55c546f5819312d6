import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../../../src/engine/engine.js';
import { ContainerService } from '../../../src/engine/containers/service.js';
import { TaskStartError, type Task, type TaskExit, type TaskIO, type TaskRuntime } from '../../../src/engine/containers/task.js';
import type { ContainerRecord } from '../../../src/engine/containers/record.js';

/** A runtime whose PID 1 follows a script: what it prints, when it exits, what each signal does. */
interface Script {
  print?: string;
  exitAfterMs?: number;
  exitCode?: number;
  /** signal → exit code; a signal not listed is ignored (a PID 1 without a handler), but SIGKILL. */
  onSignal?: Record<number, number>;
  fails?: TaskStartError;
}

class ScriptedRuntime implements TaskRuntime {
  scripts: Script[] = [];
  started = 0;
  cleaned = 0;
  async start(_c: ContainerRecord, io: TaskIO): Promise<Task> {
    const s = this.scripts[Math.min(this.started, this.scripts.length - 1)] ?? {};
    if (s.fails) throw s.fails;
    this.started++;
    let finish!: (e: TaskExit) => void;
    const exited = new Promise<TaskExit>((r) => (finish = r));
    let done = false;
    const end = (e: TaskExit) => {
      if (!done) {
        done = true;
        finish(e);
      }
    };
    if (s.print) setTimeout(() => io.output('stdout', Buffer.from(s.print!)), 1);
    if (s.exitAfterMs !== undefined) setTimeout(() => end({ code: s.exitCode ?? 0 }), s.exitAfterMs);
    return {
      pid: 1000 + this.started,
      exited,
      kill: (sig) => {
        if (sig === 9) end({ code: 137, signal: 9 });
        else if (s.onSignal?.[sig] !== undefined) end({ code: s.onSignal[sig]! });
      },
      pause() {},
      resume() {},
      processes: () => [],
      exec: async () => {
        throw new Error('no exec');
      },
    };
  }
  async cleanup(): Promise<void> {
    this.cleaned++;
  }
  async remove(): Promise<void> {}
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function setup() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bx-ctr-'));
  dirs.push(root);
  const engine = await Engine.open({ root });
  await engine.images.load(path.join(import.meta.dirname, '../../fixtures/corpus/dk-build.dsave.tar'));
  const rt = new ScriptedRuntime();
  const svc = new ContainerService(engine.store, engine.images, engine.events, rt);
  await svc.init();
  return { engine, rt, svc, root };
}

describe('the container lifecycle', () => {
  it('merges the image config, names the container and keeps the hostname as the short ID', async () => {
    const { svc } = await setup();
    const { id } = await svc.create({ Image: 'dk-build', Cmd: ['sh', '-c', 'echo hi'], Env: ['A=1'] }, 'c1');
    const c = svc.get('c1');
    expect(c.id).toBe(id);
    expect(c.name).toBe('/c1');
    expect(c.config.Env).toEqual(['A=1', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
    expect(c.config.Hostname).toBe(id.slice(0, 12));
    expect([c.path, ...c.args]).toEqual(['sh', '-c', 'echo hi']);
    expect(svc.get(id.slice(0, 5)).id).toBe(id);
  });

  it('refuses a name in use with the engine words, and an image without a command', async () => {
    const { svc } = await setup();
    const { id } = await svc.create({ Image: 'dk-build', Cmd: ['true'] }, 'c4');
    await expect(svc.create({ Image: 'dk-build', Cmd: ['true'] }, 'c4')).rejects.toThrow(
      `Conflict. The container name "/c4" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.`,
    );
    await expect(svc.create({ Image: 'dk-build' })).rejects.toThrow('No command specified');
    await expect(svc.create({ Image: 'missing:image', Cmd: ['true'] })).rejects.toThrow('No such image: missing:image');
  });

  it('records the exit code and logs what PID 1 printed', async () => {
    const { svc, rt } = await setup();
    rt.scripts = [{ print: 'one\n', exitAfterMs: 20, exitCode: 2 }];
    await svc.create({ Image: 'dk-build', Cmd: ['x'] }, 'cc');
    const w = svc.wait('cc', 'next-exit');
    await svc.start('cc');
    expect(await w.done).toBe(2);
    const c = svc.get('cc');
    expect(c.state).toMatchObject({ Status: 'exited', Running: false, ExitCode: 2, Pid: 0 });
    expect(svc.logOf('cc').read().map((r) => r.line.toString())).toEqual(['one\n']);
    expect(rt.cleaned).toBe(1);
  });

  it('stop waits the grace period when PID 1 ignores SIGTERM, then kills it: 137', async () => {
    const { svc, rt } = await setup();
    rt.scripts = [{}];
    await svc.create({ Image: 'dk-build', Cmd: ['sleep', '3600'] }, 'ss');
    await svc.start('ss');
    const t0 = Date.now();
    await svc.stop('ss', 1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(svc.get('ss').state.ExitCode).toBe(137);
  });

  it('stop returns as soon as a trap exits, with the trap status', async () => {
    const { svc, rt } = await setup();
    rt.scripts = [{ onSignal: { 15: 9 } }];
    await svc.create({ Image: 'dk-build', Cmd: ['sh'] }, 'tt');
    await svc.start('tt');
    const t0 = Date.now();
    await svc.stop('tt', 10);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(svc.get('tt').state.ExitCode).toBe(9);
  });

  it('refuses to remove a running container without force, and removes it with', async () => {
    const { svc, rt } = await setup();
    rt.scripts = [{}];
    const { id } = await svc.create({ Image: 'dk-build', Cmd: ['sleep'] }, 'rr');
    await svc.start('rr');
    await expect(svc.remove('rr')).rejects.toThrow(`You cannot remove a running container ${id}. Stop the container before attempting removal or force remove`);
    await svc.remove('rr', { force: true });
    expect(() => svc.get('rr')).toThrow('No such container: rr');
  });

  it('restarts on failure up to the maximum count', async () => {
    const { svc, rt } = await setup();
    rt.scripts = [{ exitAfterMs: 5, exitCode: 3 }];
    await svc.create({ Image: 'dk-build', Cmd: ['false'], HostConfig: { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 } } }, 'ff');
    await svc.start('ff');
    for (let i = 0; i < 100 && (rt.started < 3 || svc.get('ff').state.Running || svc.get('ff').state.Restarting); i++)
      await new Promise((r) => setTimeout(r, 50));
    await svc.settled('ff');
    expect(rt.started).toBe(3);
    expect(svc.get('ff').restartCount).toBe(2);
    expect(svc.get('ff').state).toMatchObject({ Status: 'exited', ExitCode: 3 });
  });

  it('a start that runc refuses leaves the container created with 127 and runc words', async () => {
    const { svc, rt } = await setup();
    rt.scripts = [{ fails: new TaskStartError('not-found', 'nosuchcommand', 'not found') }];
    await svc.create({ Image: 'dk-build', Cmd: ['nosuchcommand'] }, 'nn');
    await expect(svc.start('nn')).rejects.toThrow(
      'failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "nosuchcommand": executable file not found in $PATH: unknown',
    );
    expect(svc.get('nn').state).toMatchObject({ Status: 'created', ExitCode: 127 });
  });

  it('keeps records across a new service on the same store; a container left running is exited', async () => {
    const { svc, rt, engine } = await setup();
    rt.scripts = [{}];
    await svc.create({ Image: 'dk-build', Cmd: ['sleep'] }, 'pp');
    await svc.start('pp');
    const again = new ContainerService(engine.store, engine.images, engine.events, rt);
    await again.init();
    expect(again.get('pp').state).toMatchObject({ Status: 'exited', Running: false });
    await svc.remove('pp', { force: true });
  });
});
