import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../../../src/engine/engine.js';
import { ContainerService } from '../../../src/engine/containers/service.js';
import { ModelRuntime } from '../../../src/engine/containers/runtime.js';
import type { Program, ProgramRegistry } from '../../../src/runtime/program.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** Just enough programs to see PID 1 run: echo, a sleep that signals end, and a file writer. */
function programs(): ProgramRegistry {
  const echo: Program = async (p) => {
    await p.stdout.write(p.argv.slice(1).join(' ') + '\n');
    return 0;
  };
  const sleep: Program = async (p) => {
    await p.sys.sleep(Number(p.argv[1]) * 1000);
    return 0;
  };
  const touch: Program = async (p) => {
    await (await p.fs.openWrite(p.argv[1]!, { create: true, truncate: true })).write('x');
    return 0;
  };
  const env: Program = async (p) => {
    for (const [k, v] of p.env) await p.stdout.write(`${k}=${v}\n`);
    await p.stdout.write(`uid=${p.cred.uid} cwd=${p.cwd} host=${p.sys.hostname()} pid=${p.sys.pid}\n`);
    return 0;
  };
  return new Map([['echo', echo], ['sleep', sleep], ['touch', touch], ['env', env]]);
}

async function setup() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bx-rt-'));
  dirs.push(root);
  const engine = await Engine.open({ root });
  await engine.images.load(path.join(import.meta.dirname, '../../fixtures/corpus/dk-build.dsave.tar'));
  const runtime = new ModelRuntime(engine.images, {
    programs: programs(),
    etcFiles: (c) => ({ hostname: `${c.config.Hostname}\n`, hosts: '127.0.0.1\tlocalhost\n', resolvConf: '' }),
  });
  const svc = new ContainerService(engine.store, engine.images, engine.events, runtime);
  await svc.init();
  return { svc, runtime };
}

describe('the model runtime', () => {
  it('runs PID 1 from the image by PATH through busybox, with the container environment', async () => {
    const { svc } = await setup();
    await svc.create({ Image: 'dk-build', Cmd: ['echo', 'hello', 'world'] }, 'e1');
    const w = svc.wait('e1', 'next-exit');
    await svc.start('e1');
    expect(await w.done).toBe(0);
    expect(svc.logOf('e1').read().map((r) => r.line.toString())).toEqual(['hello world\n']);
  });

  it('refuses a command that is not in PATH with runc words and 127', async () => {
    const { svc } = await setup();
    await svc.create({ Image: 'dk-build', Cmd: ['nosuchcommand'] }, 'e2');
    await expect(svc.start('e2')).rejects.toThrow('exec: "nosuchcommand": executable file not found in $PATH: unknown');
    expect(svc.get('e2').state.ExitCode).toBe(127);
  });

  it('keeps what PID 1 wrote in the container upper layer across a restart of the task', async () => {
    const { svc, runtime } = await setup();
    await svc.create({ Image: 'dk-build', Cmd: ['/bin/touch', '/srv/site/new.txt'] }, 'e3');
    // /bin/touch is a busybox link in the image
    const w = svc.wait('e3', 'next-exit');
    await svc.start('e3');
    expect(await w.done).toBe(0);
    const root = await runtime.rootfs(svc.get('e3'));
    expect(root.diff().map((c) => `${c.kind} ${c.path}`)).toContain('A /srv/site/new.txt');
  });

  it('refuses a busybox applet that the image has no link for, as runc does', async () => {
    const { svc } = await setup();
    await svc.create({ Image: 'dk-build', Cmd: ['sleep', '3600'], Hostname: 'alpha' }, 'e4');
    // sleep is not linked in dk-build's /bin: runc fails
    await expect(svc.start('e4')).rejects.toThrow('"sleep": executable file not found');
  });
});
