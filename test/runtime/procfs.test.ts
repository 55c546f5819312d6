/**
 * The kernel's views as the model's processes read them: /proc of a PID namespace (its processes
 * only, `self` being the caller), the files of one process, and a cgroup's pids.max refusing forks.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock, settle } from '../../src/runtime/clock.js';
import { Cgroup, V1_UNLIMITED } from '../../src/runtime/cgroup.js';
import { CgroupV1Fs, cpuWeight } from '../../src/runtime/cgroupfs.js';
import { contextPort } from '../../src/runtime/ctxport.js';
import { Kernel } from '../../src/runtime/kernel.js';
import { HOST_NS_IDS, allocNsInode, type NsSet } from '../../src/runtime/nsids.js';
import { ProcFs } from '../../src/runtime/procfs.js';
import type { PidNamespace } from '../../src/runtime/process.js';
import { busyboxApplets } from '../../src/runtime/busybox/index.js';
import { busyboxPrograms } from '../../src/runtime/programs/index.js';
import { statusCode } from '../../src/runtime/program.js';
import { CollectSink, nullSource } from '../../src/runtime/stream.js';
import { FsContext } from '../../src/vfs/context.js';
import { MountNamespace } from '../../src/vfs/namespace.js';
import { ENV, rootfs } from './harness.js';

const MACHINE = { memTotal: 1 << 30, ncpu: 2, release: '6.1.0', build: '(model) #1 SMP', cpuModel: 'model', bootTime: 0, hostname: 'host', disk: { blocks: 100, bfree: 50, bavail: 40, files: 10, ffree: 5 } };

function world() {
  const clock = new VirtualClock();
  const programs = busyboxPrograms();
  for (const [name, p] of busyboxApplets) programs.set(name, p);
  const kernel = new Kernel({ programs, clock });
  return { clock, kernel };
}

/** A container: a rootfs with /proc mounted from a new PID namespace, and a way to run sh -c in it. */
function container(w: ReturnType<typeof world>, cgroup: Cgroup | null = null, pidNs: PidNamespace = w.kernel.newPidNamespace()) {
  const vfs = rootfs();
  vfs.mkdir('/proc');
  const mnt = new MountNamespace(vfs);
  mnt.mount(new ProcFs({ pidNs, clock: w.clock, machine: MACHINE, cgroupVersion: 1 }), '/proc', { source: 'proc', flags: ['nosuid', 'nodev', 'noexec', 'relatime'] });
  const nsset: NsSet = { ids: { ...HOST_NS_IDS, mnt: allocNsInode(), pid: pidNs.inode }, mounts: mnt };
  const sh = async (script: string) => {
    const out = new CollectSink();
    const err = new CollectSink();
    const proc = await w.kernel.start({
      ns: pidNs, applet: 'sh', argv: ['sh', '-c', script], env: ENV, cwd: '/', cred: { uid: 0, gid: 0, groups: [] },
      fs: contextPort(new FsContext(mnt)), uts: { hostname: 'c' }, stdin: nullSource, stdout: out, stderr: err, nsset, cgroup,
    });
    return { proc, done: proc.exited.then((s) => ({ out: out.text, err: err.text, status: statusCode(s) })) };
  };
  return { sh, nsset, pidNs };
}

describe('/proc of a PID namespace', () => {
  it("lists only its namespace's processes and names the caller as self", async () => {
    const w = world();
    const other = container(w);
    await other.sh('sleep 3600');
    const c = container(w);
    const r = await (await c.sh('ls /proc | grep "^[0-9]"; readlink /proc/self; cat /proc/1/comm')).done;
    // sh is 1, the pipeline's ls and grep 2 and 3, readlink 4; cat, the last command, is exec'd by PID 1
    expect(r.err).toBe('');
    expect(r.out.split('\n')).toEqual(['1', '2', '3', '4', 'cat', '']);
    expect(r.status).toBe(0);
  });

  it('writes cmdline with NULs, status with the pids of each namespace, and the ns links', async () => {
    const w = world();
    const c = container(w);
    const bg = await c.sh('sleep 3600');
    await settle();
    const r = await (await c.sh('cat /proc/1/cmdline; echo; grep -E "^(Name|State|NSpid|PPid)" /proc/1/status; readlink /proc/1/ns/pid; readlink /proc/1/ns/user')).done;
    void bg;
    expect(r.out).toContain('sleep\u00003600\u0000\n');
    expect(r.out).toContain('Name:\tsleep\nState:\tS (sleeping)\nPPid:\t0\nNSpid:\t1\n');
    expect(r.out).toContain(`pid:[${c.pidNs.inode}]\nuser:[${HOST_NS_IDS.user}]\n`);
  });

  it('shows the mount table of the caller\'s mount namespace as /proc/mounts', async () => {
    const w = world();
    const c = container(w);
    const r = await (await c.sh('cat /proc/mounts; readlink /proc/mounts')).done;
    expect(r.out).toBe('tmpfs / tmpfs rw,relatime,mode=755 0 0\nproc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\nself/mounts\n');
  });

  it('sees every process of the machine from the initial namespace', async () => {
    const w = world();
    await container(w).sh('sleep 3600');
    const host = container(w, null, w.kernel.hostNs);
    const r = await (await host.sh('ls /proc | grep -c "^[0-9]"; readlink /proc/self/ns/pid')).done;
    // the other container's sleep, and this sh with its ls and grep
    expect(r.out).toBe(`4\npid:[${HOST_NS_IDS.pid}]\n`);
  });
});

describe('a cgroup', () => {
  it('refuses a fork at pids.max: the shell ends with "can\'t fork" and 2', async () => {
    const w = world();
    const cg = new Cgroup('/docker/x', { pidsLimit: 2 });
    const c = container(w, cg);
    const r = await (await c.sh('sleep 1 & echo x | cat; echo never')).done;
    expect(r).toEqual({ out: '', err: "sh: can't fork: Resource temporarily unavailable\n", status: 2 });
    expect(cg.forksRefused).toBe(1);
  });

  it('counts a task from fork to reap in pids.current', async () => {
    const w = world();
    const cg = new Cgroup('/docker/x', {});
    const c = container(w, cg);
    const s = await c.sh('sleep 5 & sleep 5 & wait');
    await settle();
    expect(cg.live().length).toBe(3);
    await w.clock.advance(5000);
    expect((await s.done).status).toBe(0);
    expect(cg.live().length).toBe(0);
  });

  it('renders the v1 limits as the kernel prints them', () => {
    const cg = new Cgroup('/docker/x', { memory: 1 << 26, nanoCpus: 2.5e8, cpuShares: 2048, pidsLimit: 0 });
    expect([cg.memoryLimit, cg.memswLimit, cg.cfsQuota, cg.cfsPeriod, cg.cpuShares, cg.pidsMax]).toEqual(['67108864', '134217728', 25000, 100000, 2048, null]);
    expect(new Cgroup('/', { memory: 1 << 26, memorySwap: -1 }).memswLimit).toBe(V1_UNLIMITED);
    const fs = new CgroupV1Fs('pids', 'pids', cg, 2, 0);
    expect(fs.readFile('pids.max').toString()).toBe('max\n');
    expect(fs.readdir('')).toEqual(['cgroup.clone_children', 'cgroup.procs', 'notify_on_release', 'pids.current', 'pids.events', 'pids.max', 'pids.peak', 'tasks']);
    expect([cpuWeight(1024), cpuWeight(2), cpuWeight(262144)]).toEqual([39, 1, 10000]);
  });
});
