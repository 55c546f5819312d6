/**
 * A daemon told to stop stops its running containers as `docker stop` does (moby's daemon.Shutdown
 * without live-restore): the stop signal, the grace period, then SIGKILL, so that the process can
 * exit at all (a running container's `sleep 3600` would otherwise hold it forever).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { Daemon } from '../../src/api/daemon.js';
import { Engine } from '../../src/engine/engine.js';

const ARCHIVE = join(import.meta.dirname, '..', 'fixtures', 'corpus', 'dk-build.dsave.tar');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

it('stops every running container when it stops: a PID 1 ignoring SIGTERM is killed after its stop timeout (137), a trap exits as it chooses', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bx-shut-'));
  dirs.push(dir);
  const engine = await Engine.open({ root: join(dir, 'root') });
  const d = await Daemon.start(engine, { hosts: [{ kind: 'unix', path: join(dir, 's.sock') }], log: () => {} });
  await engine.images.load(ARCHIVE);
  await engine.containers.create({ Image: 'dk-build', Cmd: ['sh', '-c', 'sleep 3600'], StopTimeout: 1 }, 'deaf');
  await engine.containers.create({ Image: 'dk-build', Cmd: ['sh', '-c', 'trap "exit 3" TERM; sleep 3600 & wait'] }, 'trapper');
  for (const c of ['deaf', 'trapper']) await engine.containers.start(c);
  const t0 = Date.now();
  await d.stop();
  const took = Date.now() - t0;
  expect(engine.containers.get('deaf').state).toMatchObject({ Running: false, Status: 'exited', ExitCode: 137 });
  expect(engine.containers.get('trapper').state).toMatchObject({ Running: false, Status: 'exited', ExitCode: 3 });
  expect(took).toBeGreaterThanOrEqual(900);
}, 30_000);
