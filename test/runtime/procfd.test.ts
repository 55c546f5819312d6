/**
 * /proc/PID/fd and /proc/PID/limits as the model's processes read them, with the kernel's rules:
 * one link per open descriptor named by its number (target as d_path shows it, permission bits from
 * the open mode), the listing process's own opendir descriptor, and the limits inherited from the
 * daemon with HostConfig.Ulimits over them.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/runtime/clock.js';
import type { Cgroup } from '../../src/runtime/cgroup.js';
import { contextPort } from '../../src/runtime/ctxport.js';
import { Kernel } from '../../src/runtime/kernel.js';
import { HOST_NS_IDS, allocNsInode, type NsSet } from '../../src/runtime/nsids.js';
import { ProcFs } from '../../src/runtime/procfs.js';
import type { PidNamespace } from '../../src/runtime/process.js';
import { busyboxApplets } from '../../src/runtime/busybox/index.js';
import { busyboxPrograms } from '../../src/runtime/programs/index.js';
import { statusCode } from '../../src/runtime/program.js';
import { hostLimits, withUlimits, type Rlimits } from '../../src/runtime/rlimits.js';
import { CollectSink, nullSource, type Source } from '../../src/runtime/stream.js';
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
  const sh = async (script: string, o: { stdin?: Source; rlimits?: Rlimits } = {}) => {
    const out = new CollectSink();
    const err = new CollectSink();
    const proc = await w.kernel.start({
      ns: pidNs, applet: 'sh', argv: ['sh', '-c', script], env: ENV, cwd: '/', cred: { uid: 0, gid: 0, groups: [] },
      fs: contextPort(new FsContext(mnt)), uts: { hostname: 'c' }, stdin: o.stdin ?? nullSource, stdout: out, stderr: err, nsset, cgroup,
      ...(o.rlimits ? { rlimits: o.rlimits } : {}),
    });
    return { proc, done: proc.exited.then((s) => ({ out: out.text, err: err.text, status: statusCode(s) })) };
  };
  return { sh, nsset, pidNs };
}


describe('/proc/PID/fd', () => {
  it('lists 0, 1, 2 and the descriptor ls holds on the directory it reads', async () => {
    const c = container(world());
    const r = await (await c.sh('ls /proc/self/fd | wc -l; ls /proc/self/fd')).done;
    expect(r.err).toBe('');
    expect(r.out).toBe('4\n0\n1\n2\n3\n');
  });

  it('links each descriptor to what the kernel shows, with the open mode as its permission bits', async () => {
    const c = container(world());
    const r = await (await c.sh('readlink /proc/self/fd/0; readlink /proc/self/fd/2; readlink /proc/self/fd/1 >/tmp/out; cat /tmp/out; ls -l /proc/self/fd | cut -c1-10 | sort | uniq -c; readlink /proc/self/fd/1 | cat')).done;
    const lines = r.out.split('\n');
    expect(lines.slice(0, 3)).toEqual(['/dev/null', expect.stringMatching(/^pipe:\[\d+\]$/), '/tmp/out']);
    // 0 is read-only (r-x); 1, 2 write-only (-wx); 3, opendir's, read-only
    expect(r.out).toContain('      2 l-wx------\n      2 lr-x------\n      1 total 0\n');
    // a pipeline's writer end: a fresh pipe, not the container's stdout
    expect(lines.at(-2)).toMatch(/^pipe:\[\d+\]$/);
    expect(lines.at(-2)).not.toBe(lines[1]);
  });

  it("shows opendir's descriptor without a target, as busybox ls -l does after closedir", async () => {
    const c = container(world());
    const r = await (await c.sh('ls -l /proc/self/fd | grep " 3"; readlink /proc/self/fd/3; echo $?; ls /proc/self/fd/3')).done;
    expect(r.out).toMatch(/^lr-x------ +1 root +\S+ +64 .* 3\n1\n$/);
    expect(r.err).toBe('ls: /proc/self/fd/3: cannot read link: No such file or directory\nls: /proc/self/fd/3: No such file or directory\n');
  });

  it("shows another process's descriptors, without the lister's extra one", async () => {
    const c = container(world());
    await c.sh('sleep 3600');
    const r = await (await c.sh('ls /proc/1/fd; readlink /proc/1/fd/0')).done;
    expect(r.out).toBe('0\n1\n2\n/dev/null\n');
  });
});

describe('/proc/PID/limits and ulimit', () => {
  it("starts with the daemon's limits, HostConfig.Ulimits over them, inherited and lowered in the container", async () => {
    const c = container(world());
    const limits = withUlimits(hostLimits(), [{ Name: 'nofile', Soft: 100, Hard: 200 }, { Name: 'nproc', Soft: -1, Hard: -1 }]);
    const r = await (await c.sh('ulimit -n; ulimit -Hn; ulimit -u; grep -E "open files|processes" /proc/self/limits; ulimit -n 50; sh -c "ulimit -n"; ulimit -Hn 300; echo $?', { rlimits: limits })).done;
    expect(r.out).toBe(`100\n200\nunlimited\n${'Max processes'.padEnd(26)}${'unlimited'.padEnd(21)}${'unlimited'.padEnd(21)}processes \n${'Max open files'.padEnd(26)}${'100'.padEnd(21)}${'200'.padEnd(21)}files     \n50\n1\n`);
    // raising a hard limit needs CAP_SYS_RESOURCE, which Docker does not give
    expect(r.err).toBe('sh: error setting limit: Operation not permitted\n');
  });

  it("writes /proc/PID/limits as the kernel does: the host's own file reads back the same", async () => {
    const c = container(world());
    const r = await (await c.sh('cat /proc/self/limits')).done;
    const { readFileSync } = await import('node:fs');
    expect(r.out).toBe(readFileSync('/proc/self/limits', 'utf8'));
  });
});
