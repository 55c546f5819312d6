/**
 * `docker update` through the real docker CLI against `boxlab daemon`: the engine's words for what it
 * refuses, HostConfig in inspect, a running container's cgroup files and `docker stats` limit, the
 * restart policy at the next exit, and the record across a daemon restart.
 */
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import { describeWithTool, itWithTool } from '../support/tools.js';
import { needTool } from '../support/requirements.js';
import { ask } from './ask.js';
import { cleanupBoxes, docker, newBox, ok, startDaemon, stopDaemon, type Box } from './daemon-box.js';

const ARCHIVE = join(import.meta.dirname, '..', 'fixtures', 'corpus', 'dk-build.dsave.tar');
const DOCKER = needTool('docker', 'apt-get install docker.io (the CLI is the client under test)');

afterEach(cleanupBoxes);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function booted(): Promise<Box> {
  const box = newBox('bx-update-');
  await startDaemon(box);
  await ok(box, ['load', '-i', ARCHIVE]);
  return box;
}

describeWithTool(DOCKER, 'docker update', () => {
  itWithTool(DOCKER, 'answers in the engine’s words: no such container, the 6MB minimum, swap below memory, AutoRemove, NanoCPUs conflicts', async () => {
    const box = await booted();
    expect(await docker(box, ['update', '--restart=always', 'nosuch'])).toMatchObject({ code: 1, err: 'Error response from daemon: No such container: nosuch\n' });
    const id = (await ok(box, ['create', '--name', 'u1', 'dk-build', 'sh', '-c', 'sleep 3600'])).trim();
    expect((await docker(box, ['update', '--memory', '4m', 'u1'])).err).toBe('Error response from daemon: Minimum memory limit allowed is 6MB\n');
    expect((await docker(box, ['update', '--memory', '64m', 'u1'])).err).toBe(
      `Error response from daemon: Cannot update container ${id}: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time\n`,
    );
    expect(await ok(box, ['update', '--cpus', '1.5', 'u1', 'u1'])).toBe('u1\nu1\n');
    expect((await docker(box, ['update', '--cpu-quota', '50000', 'u1'])).err).toContain(`Cannot update container ${id}: Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set`);
    const rm = (await ok(box, ['create', '--rm', 'dk-build', 'true'])).trim();
    expect((await docker(box, ['update', '--restart=always', rm])).err).toBe(
      `Error response from daemon: Cannot update container ${rm}: Restart policy cannot be updated because AutoRemove is enabled for the container\n`,
    );
    // a refused update changes nothing
    expect(await ok(box, ['inspect', '-f', '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}} {{.HostConfig.CpuQuota}}', 'u1'])).toBe('0 0 1500000000 0\n');
  });

  itWithTool(DOCKER, 'changes a running container’s cgroup files and its `docker stats` limit at once', async () => {
    const box = await booted();
    await ok(box, ['run', '-d', '--name', 'r1', '--memory', '32m', 'dk-build', 'sh', '-c', 'sleep 3600']);
    const files = ['exec', 'r1', 'cat', '/sys/fs/cgroup/memory/memory.limit_in_bytes', '/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes', '/sys/fs/cgroup/pids/pids.max', '/sys/fs/cgroup/cpu/cpu.cfs_quota_us'];
    expect(await ok(box, files)).toBe('33554432\n67108864\nmax\n-1\n');
    expect(await ok(box, ['update', '--memory', '48m', '--pids-limit', '9', '--cpus', '0.5', 'r1'])).toBe('r1\n');
    expect(await ok(box, files)).toBe('50331648\n67108864\n9\n50000\n');
    expect(await ok(box, ['stats', '--no-stream', '--format', '{{.MemUsage}}', 'r1'])).toMatch(/ \/ 48MiB\n$/);
    // below what its tmpfs holds, the kernel refuses the limit: runc update fails, nothing changes
    await ok(box, ['run', '-d', '--name', 't1', '--memory', '64m', '--tmpfs', '/t', 'dk-build', 'sh', '-c', 'sleep 3600']);
    await ok(box, ['exec', 't1', 'sh', '-c', 'head -c 30000000 /dev/zero > /t/f']);
    const r = await docker(box, ['update', '--memory', '16m', '--memory-swap', '32m', 't1']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^Error response from daemon: Cannot update container [0-9a-f]{64}: runc did not terminate successfully: exit status 1: unable to set memory limit to 16777216 \(current usage: \d+, peak usage: \d+\)\n: unknown\n$/);
    expect(await ok(box, ['inspect', '-f', '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.State.Status}}', 't1'])).toBe('67108864 134217728 running\n');
    expect(await ok(box, ['exec', 't1', 'cat', '/sys/fs/cgroup/memory/memory.limit_in_bytes'])).toBe('67108864\n');
  });

  itWithTool(DOCKER, 'gives a stopped container its new restart policy at the next exit, and keeps the update across a daemon restart', async () => {
    const box = await booted();
    await ok(box, ['run', '--name', 'x1', 'dk-build', 'sh', '-c', 'exit 3']).catch(() => '');
    expect(await ok(box, ['update', '--restart=on-failure:2', '--memory', '64m', '--memory-swap', '128m', 'x1'])).toBe('x1\n');
    await ok(box, ['start', 'x1']);
    let state = '';
    for (let i = 0; i < 100 && state !== '2 exited'; i++) {
      await sleep(100);
      state = (await ok(box, ['inspect', '-f', '{{.RestartCount}} {{.State.Status}}', 'x1'])).trim();
    }
    expect(state).toBe('2 exited');
    await stopDaemon(box);
    await startDaemon(box);
    expect(await ok(box, ['inspect', '-f', '{{json .HostConfig.RestartPolicy}} {{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}', 'x1'])).toBe(
      '{"Name":"on-failure","MaximumRetryCount":2} 67108864 134217728\n',
    );
  });

  itWithTool(DOCKER, 'answers the API’s statuses: 200 with Warnings, 404, 400 before the container, 409 for conflicts, 500 for bodies Go cannot decode', async () => {
    const box = await booted();
    await ok(box, ['create', '--name', 'c1', 'dk-build', 'true']);
    const post = async (ref: string, body: string) => {
      const a = await ask(box.sock, 'POST', `/v1.41/containers/${ref}/update`, { body, headers: { 'Content-Type': 'application/json' } });
      return [a.status, (JSON.parse(a.body) as { message?: string }).message ?? a.body.trim()];
    };
    expect(await post('nosuch', '{"Memory":1000}')).toEqual([404, 'No such container: nosuch']);
    expect(await post('c1', '{"Memory":1000}')).toEqual([400, 'Minimum memory limit allowed is 6MB']);
    expect(await post('c1', '{"RestartPolicy":{"Name":"always","MaximumRetryCount":2}}')).toEqual([400, "maximum retry count cannot be used with restart policy 'always'"]);
    expect((await post('c1', '{"Memory":67108864}'))[0]).toBe(409);
    expect(await post('c1', '[1]')).toEqual([500, 'json: cannot unmarshal array into Go value of type container.UpdateConfig']);
    expect(await post('c1', '{"Memory":"x"}')).toEqual([500, 'json: cannot unmarshal string into Go struct field UpdateConfig.Memory of type int64']);
    expect(await post('c1', '{"CpuShares":512}')).toEqual([200, '{"Warnings":null}']);
    expect(await post('c1', '{"BlkioWeight":500}')).toEqual([200, '{"Warnings":["Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded."]}']);
    expect(await ok(box, ['inspect', '-f', '{{.HostConfig.CpuShares}} {{.HostConfig.BlkioWeight}}', 'c1'])).toBe('512 0\n');
  });
});
