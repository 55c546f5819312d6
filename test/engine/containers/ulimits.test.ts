/**
 * A container's resource limits and descriptors as its processes see them: the daemon's limits
 * unless HostConfig.Ulimits (`docker run --ulimit`) says otherwise, and /proc/self/fd with the
 * standard descriptors runc hands over (stdin /dev/null without -i, pipes to the shim for output).
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../../../src/engine/engine.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function setup(): Promise<Engine> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bx-ul-'));
  dirs.push(root);
  const engine = await Engine.open({ root });
  await engine.init();
  await engine.images.load(path.join(import.meta.dirname, '../../fixtures/corpus/dk-build.dsave.tar'));
  return engine;
}

let n = 0;
async function run(e: Engine, script: string, hostConfig: Record<string, unknown> = {}, name = `ul${++n}`) {
  await e.containers.create({ Image: 'dk-build', Cmd: ['sh', '-c', script], HostConfig: hostConfig }, name);
  const w = e.containers.wait(name, 'next-exit');
  await e.containers.start(name);
  const code = await w.done;
  const out = e.containers.logOf(name).read().map((r) => r.line.toString()).join('');
  return { code, out };
}

/** This process's soft and hard limit of a /proc/self/limits row: the daemon's, which containers inherit. */
function own(row: string): string[] {
  const line = fs.readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith(row))!;
  return line.slice(26).trim().split(/\s+/).slice(0, 2);
}

describe("a container's rlimits", () => {
  it("inherits the daemon's limits when no --ulimit is given", async () => {
    const e = await setup();
    const { out } = await run(e, 'ulimit -n; ulimit -Hn; ulimit -u');
    const [soft, hard] = own('Max open files');
    expect(out).toBe(`${soft}\n${hard}\n${own('Max processes')[0]}\n`);
  });

  it('applies HostConfig.Ulimits and keeps them in the container config', async () => {
    const e = await setup();
    const ulimits = [{ Name: 'nofile', Soft: 100, Hard: 200 }, { Name: 'nproc', Soft: 50, Hard: 50 }];
    const { out } = await run(e, 'ulimit -n; ulimit -Hn; ulimit -u; grep "open files" /proc/1/limits; ulimit -Hn 300; echo $?', { Ulimits: ulimits }, 'lim');
    expect(out).toBe(`100\n200\n50\n${'Max open files'.padEnd(26)}${'100'.padEnd(21)}${'200'.padEnd(21)}files     \nsh: error setting limit: Operation not permitted\n1\n`);
    expect(e.containers.get('lim').hostConfig.Ulimits).toEqual(ulimits);
  });
});

describe("a container's /proc/self/fd", () => {
  it('shows stdin on /dev/null, output on pipes, and the listing fd of ls', async () => {
    const e = await setup();
    const { out } = await run(e, 'ls /proc/self/fd | wc -l; readlink /proc/self/fd/0; readlink /proc/1/fd/1; readlink /proc/1/fd/2');
    expect(out).toMatch(/^4\n\/dev\/null\npipe:\[\d+\]\npipe:\[\d+\]\n$/);
  });
});
