/**
 * The cgroup filesystems a container mounts, showing its own cgroup (model: cgroup.ts) as the root:
 * under cgroup v1 one hierarchy per controller (`cgroup` on /sys/fs/cgroup/memory with option
 * `memory`, ...), under v2 one unified hierarchy (`cgroup2` on /sys/fs/cgroup). File names are the
 * kernel's here (measured with `ls` in each controller of a container of the engine here); the
 * files the model writes hold its limits and counters, the others read as empty. And sysfs: the
 * top directories of /sys, with fs/cgroup to mount on.
 */
import { currentProc } from './current.js';
import type { Cgroup } from './cgroup.js';
import { SynthFs, fileOf, type SynthNode } from '../vfs/synthfs.js';

/** The v1 hierarchies runc mounts, in the engine's /proc/mounts order, and the option each shows. */
export const V1_CONTROLLERS: [dir: string, option: string][] = [
  ['cpu', 'cpu'], ['cpuacct', 'cpuacct'], ['cpuset', 'cpuset'], ['memory', 'memory'], ['devices', 'devices'],
  ['freezer', 'freezer'], ['blkio', 'blkio'], ['pids', 'pids'], ['systemd', 'name=systemd'],
];

const COMMON = ['cgroup.clone_children', 'cgroup.procs', 'notify_on_release', 'tasks'];
const V1_FILES: Record<string, string[]> = {
  cpu: ['cpu.cfs_burst_us', 'cpu.cfs_period_us', 'cpu.cfs_quota_us', 'cpu.idle', 'cpu.rt_period_us', 'cpu.rt_runtime_us', 'cpu.shares', 'cpu.stat', 'cpu.stat.local'],
  cpuacct: ['cpuacct.stat', 'cpuacct.usage', 'cpuacct.usage_all', 'cpuacct.usage_percpu', 'cpuacct.usage_percpu_sys', 'cpuacct.usage_percpu_user', 'cpuacct.usage_sys', 'cpuacct.usage_user'],
  cpuset: ['cpuset.cpu_exclusive', 'cpuset.cpus', 'cpuset.effective_cpus', 'cpuset.effective_mems', 'cpuset.mem_exclusive', 'cpuset.mem_hardwall', 'cpuset.memory_migrate', 'cpuset.memory_pressure', 'cpuset.memory_spread_page', 'cpuset.memory_spread_slab', 'cpuset.mems', 'cpuset.sched_load_balance', 'cpuset.sched_relax_domain_level'],
  memory: [
    'cgroup.event_control', 'memory.failcnt', 'memory.force_empty', 'memory.kmem.failcnt', 'memory.kmem.limit_in_bytes', 'memory.kmem.max_usage_in_bytes',
    'memory.kmem.slabinfo', 'memory.kmem.tcp.failcnt', 'memory.kmem.tcp.limit_in_bytes', 'memory.kmem.tcp.max_usage_in_bytes', 'memory.kmem.tcp.usage_in_bytes',
    'memory.kmem.usage_in_bytes', 'memory.limit_in_bytes', 'memory.max_usage_in_bytes', 'memory.memsw.failcnt', 'memory.memsw.limit_in_bytes',
    'memory.memsw.max_usage_in_bytes', 'memory.memsw.usage_in_bytes', 'memory.move_charge_at_immigrate', 'memory.numa_stat', 'memory.oom_control',
    'memory.pressure_level', 'memory.shown_ram_in_bytes', 'memory.soft_limit_in_bytes', 'memory.stat', 'memory.swappiness', 'memory.usage_in_bytes', 'memory.use_hierarchy',
  ],
  devices: ['devices.allow', 'devices.deny', 'devices.list'],
  freezer: ['freezer.parent_freezing', 'freezer.self_freezing', 'freezer.state'],
  blkio: [
    'blkio.bfq.io_service_bytes', 'blkio.bfq.io_service_bytes_recursive', 'blkio.bfq.io_serviced', 'blkio.bfq.io_serviced_recursive', 'blkio.bfq.weight',
    'blkio.bfq.weight_device', 'blkio.reset_stats', 'blkio.throttle.io_service_bytes', 'blkio.throttle.io_service_bytes_recursive', 'blkio.throttle.io_serviced',
    'blkio.throttle.io_serviced_recursive', 'blkio.throttle.read_bps_device', 'blkio.throttle.read_iops_device', 'blkio.throttle.write_bps_device', 'blkio.throttle.write_iops_device',
  ],
  pids: ['pids.current', 'pids.events', 'pids.max', 'pids.peak'],
  systemd: [],
};

/** The tasks of `cg` as the caller's PID namespace numbers them (cgroup.procs, tasks). */
function taskList(cg: Cgroup): string {
  const me = currentProc();
  const pids = cg.live().map((p) => (me ? p.pidIn(me.ns) : p.hostPid)).filter((n) => n > 0);
  return pids.sort((a, b) => a - b).map((n) => `${n}\n`).join('');
}

function v1Value(cg: Cgroup, ncpu: number, name: string): string | null {
  const frozen = cg.live().length > 0 && cg.live().every((p) => p.state === 'stop');
  const values: Record<string, () => string | number> = {
    'cgroup.procs': () => taskList(cg),
    tasks: () => taskList(cg),
    'cgroup.clone_children': () => 0,
    notify_on_release: () => 0,
    'cpu.cfs_period_us': () => cg.cfsPeriod,
    'cpu.cfs_quota_us': () => cg.cfsQuota,
    'cpu.shares': () => cg.cpuShares,
    'cpu.stat': () => 'nr_periods 0\nnr_throttled 0\nthrottled_time 0\nnr_bursts 0\nburst_time 0',
    'cpuacct.usage': () => 0,
    'cpuset.cpus': () => (ncpu > 1 ? `0-${ncpu - 1}` : '0'),
    'cpuset.effective_cpus': () => (ncpu > 1 ? `0-${ncpu - 1}` : '0'),
    'cpuset.mems': () => 0,
    'cpuset.effective_mems': () => 0,
    'memory.limit_in_bytes': () => cg.memoryLimit,
    'memory.memsw.limit_in_bytes': () => cg.memswLimit,
    'memory.soft_limit_in_bytes': () => '9223372036854771712',
    'memory.usage_in_bytes': () => cg.usage(),
    'memory.memsw.usage_in_bytes': () => cg.usage(),
    'memory.max_usage_in_bytes': () => cg.maxUsage(),
    'memory.failcnt': () => cg.failcnt,
    'memory.oom_control': () => `oom_kill_disable 0\nunder_oom 0\noom_kill ${cg.oomKilled ? 1 : 0}`,
    'memory.use_hierarchy': () => 1,
    'memory.swappiness': () => 60,
    'freezer.state': () => (frozen ? 'FROZEN' : 'THAWED'),
    'freezer.self_freezing': () => (frozen ? 1 : 0),
    'freezer.parent_freezing': () => 0,
    'pids.max': () => cg.pidsMax ?? 'max',
    'pids.current': () => cg.live().length,
    'pids.events': () => `max ${cg.forksRefused}`,
  };
  const f = values[name];
  return f ? `${f()}\n` : null;
}

/** One v1 hierarchy of a container's cgroup (mounted read-only, as runc mounts it). */
export class CgroupV1Fs extends SynthFs {
  constructor(
    private readonly controller: string,
    option: string,
    private readonly cg: Cgroup,
    private readonly ncpu: number,
    mtime: number,
  ) {
    super({ fsType: 'cgroup', options: [option], mtime });
  }
  protected node(parts: readonly string[]): SynthNode | null {
    const names = [...(V1_FILES[this.controller] ?? []), ...COMMON].sort();
    if (parts.length === 0) return { type: 'dir', mode: 0o755, entries: () => names };
    const [name] = parts as [string];
    if (parts.length > 1 || !names.includes(name)) return null;
    return { type: 'file', mode: 0o644, content: () => v1Value(this.cg, this.ncpu, name) ?? '' };
  }
}

/** runc's ConvertCPUSharesToCgroupV2Value: shares 2..262144 onto weight 1..10000. */
export function cpuWeight(shares: number): number {
  return 1 + Math.floor(((shares - 2) * 9999) / 262142);
}

const V2_FILES = [
  'cgroup.controllers', 'cgroup.events', 'cgroup.freeze', 'cgroup.max.depth', 'cgroup.max.descendants', 'cgroup.procs', 'cgroup.stat',
  'cgroup.subtree_control', 'cgroup.threads', 'cgroup.type', 'cpu.max', 'cpu.stat', 'cpu.weight', 'cpuset.cpus', 'cpuset.cpus.effective',
  'cpuset.mems', 'cpuset.mems.effective', 'io.max', 'io.stat', 'memory.current', 'memory.events', 'memory.high', 'memory.low', 'memory.max',
  'memory.min', 'memory.peak', 'memory.stat', 'memory.swap.current', 'memory.swap.max', 'pids.current', 'pids.events', 'pids.max', 'pids.peak',
];

function v2Value(cg: Cgroup, ncpu: number, name: string): string | null {
  const mem = cg.limits.memory;
  const values: Record<string, () => string | number> = {
    'cgroup.controllers': () => 'cpuset cpu io memory hugetlb pids rdma misc',
    'cgroup.procs': () => taskList(cg).trimEnd(),
    'cgroup.threads': () => taskList(cg).trimEnd(),
    'cgroup.type': () => 'domain',
    'cgroup.freeze': () => (cg.live().length > 0 && cg.live().every((p) => p.state === 'stop') ? 1 : 0),
    'cpu.max': () => `${cg.cfsQuota < 0 ? 'max' : cg.cfsQuota} ${cg.cfsPeriod}`,
    'cpu.weight': () => cpuWeight(cg.cpuShares),
    'cpuset.cpus.effective': () => (ncpu > 1 ? `0-${ncpu - 1}` : '0'),
    'cpuset.mems.effective': () => 0,
    'memory.current': () => cg.usage(),
    'memory.peak': () => cg.maxUsage(),
    'memory.max': () => (mem ? mem : 'max'),
    'memory.high': () => 'max',
    'memory.low': () => 0,
    'memory.min': () => 0,
    'memory.swap.current': () => 0,
    // runc: swap.max is memory+swap less memory; unlimited memory+swap is max
    'memory.swap.max': () => (cg.memswLimit === '9223372036854771712' || !mem ? 'max' : Number(cg.memswLimit) - mem),
    'memory.events': () => `low 0\nhigh 0\nmax ${cg.failcnt}\noom ${cg.oomKilled ? 1 : 0}\noom_kill ${cg.oomKilled ? 1 : 0}\noom_group_kill 0`,
    'pids.max': () => cg.pidsMax ?? 'max',
    'pids.current': () => cg.live().length,
    'pids.events': () => `max ${cg.forksRefused}`,
  };
  const f = values[name];
  if (!f) return null;
  const v = String(f());
  return v === '' ? '' : `${v}\n`;
}

/** The unified hierarchy of a container's cgroup (cgroup v2, a private cgroup namespace). */
export class CgroupV2Fs extends SynthFs {
  constructor(
    private readonly cg: Cgroup,
    private readonly ncpu: number,
    mtime: number,
  ) {
    super({ fsType: 'cgroup2', mtime });
  }
  protected node(parts: readonly string[]): SynthNode | null {
    if (parts.length === 0) return { type: 'dir', mode: 0o755, entries: () => [...V2_FILES] };
    const [name] = parts as [string];
    if (parts.length > 1 || !V2_FILES.includes(name)) return null;
    return { type: 'file', mode: 0o644, content: () => v2Value(this.cg, this.ncpu, name) ?? '' };
  }
}

/** The top of /sys (measured: `ls /sys` in a container here), with fs/cgroup to mount on. */
const SYS_DIRS = ['block', 'bus', 'class', 'dev', 'devices', 'firmware', 'fs', 'kernel', 'module', 'power'];

export class SysFs extends SynthFs {
  constructor(mtime: number) {
    super({ fsType: 'sysfs', mtime });
  }
  protected node(parts: readonly string[]): SynthNode | null {
    if (parts.length === 0) return { type: 'dir', entries: () => [...SYS_DIRS], nlink: 12 };
    const [top, ...rest] = parts as [string, ...string[]];
    if (!SYS_DIRS.includes(top)) return null;
    if (rest.length === 0) return { type: 'dir', mode: 0o755, entries: () => (top === 'fs' ? ['cgroup'] : []) };
    if (top === 'fs' && rest.length === 1 && rest[0] === 'cgroup') return { type: 'dir', mode: 0o755, entries: () => [] };
    return null;
  }
}

export { fileOf };
