import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../../../src/engine/engine.js';
import { sample, statsJson } from '../../../src/engine/containers/stats.js';

const dirs: string[] = [];
const engines: Engine[] = [];
afterEach(async () => {
  engines.splice(0);
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function setup(): Promise<Engine> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bx-kv-'));
  dirs.push(root);
  const engine = await Engine.open({ root });
  await engine.init();
  await engine.images.load(path.join(import.meta.dirname, '../../fixtures/corpus/dk-build.dsave.tar'));
  engines.push(engine);
  return engine;
}

let n = 0;
/** Runs `sh -c script` as PID 1 of a new container; its exit status and output. */
async function run(e: Engine, script: string, hostConfig: Record<string, unknown> = {}, name = `kv${++n}`) {
  await e.containers.create({ Image: 'dk-build', Cmd: ['sh', '-c', script], HostConfig: hostConfig }, name);
  const w = e.containers.wait(name, 'next-exit');
  await e.containers.start(name);
  const code = await w.done;
  const out = e.containers.logOf(name).read().map((r) => r.line.toString()).join('');
  return { code, out, rec: e.containers.get(name) };
}

/** Starts `sh -c 'sleep 3600'` (sleep becomes PID 1) and returns when it runs. */
async function sleeper(e: Engine, name: string, hostConfig: Record<string, unknown> = {}) {
  await e.containers.create({ Image: 'dk-build', Cmd: ['sh', '-c', 'sleep 3600'], HostConfig: hostConfig }, name);
  await e.containers.start(name);
}

describe("a container's namespaces", () => {
  it('links /proc/self/ns to eight kinds, new mnt, uts, ipc, pid and net numbered in runc order', async () => {
    const e = await setup();
    const { out } = await run(e, 'for k in cgroup ipc mnt net pid pid_for_children time time_for_children user uts; do readlink /proc/self/ns/$k; done');
    const ids = Object.fromEntries(out.trim().split('\n').map((l) => [l.split(':')[0], Number(/\[(\d+)\]/.exec(l)![1])]));
    expect(out).toMatch(/^cgroup:\[4026531835\]\nipc:\[\d{10}\]\n/);
    expect([ids.mnt! + 1, ids.mnt! + 2, ids.mnt! + 3, ids.mnt! + 4]).toEqual([ids.uts, ids.ipc, ids.pid, ids.net]);
    expect(out).toContain('time:[4026531834]\ntime:[4026531834]\nuser:[4026531837]\n');
  });

  it('gives each container its own PID namespace, and --pid=host the initial one', async () => {
    const e = await setup();
    const a = await run(e, 'readlink /proc/self/ns/pid');
    const b = await run(e, 'readlink /proc/self/ns/pid');
    const h = await run(e, 'readlink /proc/self/ns/pid; readlink /proc/self/ns/uts; hostname', { PidMode: 'host', UTSMode: 'host' });
    expect(a.out).not.toBe(b.out);
    expect(h.out).toBe(`pid:[4026531836]\nuts:[4026531838]\n${os.hostname()}\n`);
  });

  it('shows in /proc only the processes of the PID namespace, numbered from 1', async () => {
    const e = await setup();
    await sleeper(e, 'other');
    const { out } = await run(e, 'ls /proc | grep "^[0-9]"; cat /proc/1/cmdline | tr "\\0" " "; echo; readlink /proc/self');
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe('1');
    expect(lines).toContain('sh -c ls /proc | grep "^[0-9]"; cat /proc/1/cmdline | tr "\\0" " "; echo; readlink /proc/self ');
    expect(Number(lines.at(-1))).toBeLessThan(10);
    const host = await run(e, 'ps -o comm', { PidMode: 'host' });
    expect(host.out).toContain('sleep');
  });

  it('joins a shareable IPC namespace with its /dev/shm, and refuses a private one with moby words', async () => {
    const e = await setup();
    await sleeper(e, 'donor', { IpcMode: 'shareable' });
    await sleeper(e, 'private');
    const donor = e.containers.get('donor');
    await run(e, 'echo hi > /dev/shm/note', { IpcMode: 'container:donor' }, 'writer');
    expect(e.containers.get('writer').hostConfig.IpcMode).toBe(`container:${donor.id}`);
    const r = await run(e, 'cat /dev/shm/note', { IpcMode: `container:${donor.id.slice(0, 12)}` });
    expect(r.out).toBe('hi\n');
    await e.containers.create({ Image: 'dk-build', Cmd: ['true'], HostConfig: { IpcMode: 'container:private' } }, 'joiner');
    await expect(e.containers.start('joiner')).rejects.toThrow(/^can't join IPC of container [0-9a-f]{64}: non-shareable IPC \(hint: use IpcMode:shareable for the donor container\)$/);
    await expect(e.containers.create({ Image: 'dk-build', Cmd: ['true'], HostConfig: { PidMode: 'container:nosuch' } }, 'j2')).rejects.toMatchObject({
      code: 'InvalidArgument',
      message: 'No such container: nosuch',
    });
  });
});

describe('the kernel filesystems of a container', () => {
  it('mounts proc, sysfs and the v1 cgroup hierarchies in the engine order, /etc/mtab reading them', async () => {
    const e = await setup();
    const { out } = await run(e, 'cut -d" " -f1-3 /etc/mtab | sed -n 2,17p');
    expect(out.trim().split('\n')).toEqual([
      'proc /proc proc', 'tmpfs /dev tmpfs', 'devpts /dev/pts devpts', 'sysfs /sys sysfs', 'tmpfs /sys/fs/cgroup tmpfs',
      ...['cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'blkio', 'pids', 'systemd'].map((c) => `cgroup /sys/fs/cgroup/${c} cgroup`),
      'mqueue /dev/mqueue mqueue', 'shm /dev/shm tmpfs',
    ]);
  });

  it('masks /proc/keys with /dev/null and makes /proc/sys read-only', async () => {
    const e = await setup();
    const { out } = await run(e, 'grep -E " /proc/(keys|sys) " /proc/mounts; echo 1 > /proc/sys/x || echo refused');
    expect(out).toBe(
      'proc /proc/sys proc ro,nosuid,nodev,noexec,relatime 0 0\ntmpfs /proc/keys tmpfs rw,nosuid,size=65536k,mode=755 0 0\n' +
        "sh: can't create /proc/sys/x: Read-only file system\nrefused\n",
    );
  });

  it('shows the limits in the v1 files as the engine writes them', async () => {
    const e = await setup();
    const files = 'cd /sys/fs/cgroup; cat memory/memory.limit_in_bytes memory/memory.memsw.limit_in_bytes cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us cpu/cpu.shares pids/pids.max';
    const none = await run(e, files);
    expect(none.out).toBe('9223372036854771712\n9223372036854771712\n-1\n100000\n1024\nmax\n');
    const set = await run(e, files, { Memory: 64 * 1024 * 1024, NanoCpus: 1.5e9, CpuShares: 512, PidsLimit: 20 });
    expect(set.out).toBe('67108864\n134217728\n150000\n100000\n512\n20\n');
    expect(set.rec.hostConfig.MemorySwap).toBe(128 * 1024 * 1024);
  });

  it('shows the unified v2 files when the daemon runs cgroup v2', async () => {
    const e = await setup();
    e.runtime.cgroups.version = 2;
    const { out, rec } = await run(e, 'grep cgroup /proc/mounts; cd /sys/fs/cgroup; cat memory.max cpu.max pids.max cpu.weight; readlink /proc/self/ns/cgroup', {
      Memory: 64 * 1024 * 1024, NanoCpus: 5e8, PidsLimit: 9,
    });
    expect(out).toMatch(/^cgroup \/sys\/fs\/cgroup cgroup2 ro,nosuid,nodev,noexec,relatime 0 0\n67108864\n50000 100000\n9\n39\ncgroup:\[\d+\]\n$/);
    expect(out).not.toContain('4026531835');
    expect(rec.hostConfig.CgroupnsMode).toBe('private');
  });
});

describe("what the cgroup's limits do", () => {
  it('refuses a fork past pids.max: the shell says "can\'t fork" and ends with 2', async () => {
    const e = await setup();
    const { code, out } = await run(e, 'sleep 100 & sleep 100 & echo x | cat; echo never', { PidsLimit: 3 });
    expect(code).toBe(2);
    expect(out).toBe("sh: can't fork: Resource temporarily unavailable\n");
  });

  it('OOM-kills the container whose tmpfs pages pass --memory: 137 and OOMKilled', async () => {
    const e = await setup();
    // 8 MiB: the engine refuses a limit under 6 MB at create (verifyPlatformContainerResources)
    const r = await run(e, 'head -c 12000000 /dev/zero > /t/f; echo never', { Memory: 8 * 1024 * 1024, MemorySwap: 8 * 1024 * 1024, Tmpfs: { '/t': '' } });
    expect(r.code).toBe(137);
    expect(r.out).toBe('');
    expect(r.rec.state.OOMKilled).toBe(true);
  });

  it('charges /dev/shm pages to memory.usage_in_bytes and reports them in stats', async () => {
    const e = await setup();
    await e.containers.create({ Image: 'dk-build', Cmd: ['sh', '-c', 'head -c 10000 /dev/zero > /dev/shm/x; sleep 3600'], HostConfig: { Memory: 1 << 26, PidsLimit: 5 } }, 'st');
    await e.containers.start('st');
    const rec = e.containers.get('st');
    const cg = e.runtime.cgroupOf(rec.id)!;
    for (let i = 0; i < 50 && cg.usage() === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const s = statsJson(rec, cg, e.runtime.machine, 1, sample(e.runtime.machine, Date.now()), null);
    expect(s.memory_stats).toMatchObject({ usage: 12288, limit: 1 << 26 });
    expect(s.pids_stats).toEqual({ current: 1, limit: 5 });
  });
});
