/**
 * A container's cgroup: the limits the engine set (`--memory`, `--memory-swap`, `--cpus`,
 * `--cpu-shares`, `--pids-limit`), the processes charged to it, and what the kernel enforces with
 * them in this model:
 *
 * - pids: fork and clone fail with EAGAIN once `pids.max` tasks exist (kernel/cgroup/pids.c
 *   pids_can_fork); a task counts from fork until it is reaped (release_task uncharges it).
 * - memory: the model's processes have no address space, so what is charged is what the kernel
 *   charges and cannot reclaim without swap: the pages of the container's tmpfs mounts (/dev/shm
 *   and `--tmpfs`), which mm/shmem.c charges to the writer's memory cgroup. A write that takes the
 *   usage past `memory.limit_in_bytes` brings the OOM killer; as the tmpfs pages stay charged, it
 *   would go on killing at every later allocation, so the model kills every task of the cgroup at
 *   once (measured: `sh -c 'head -c 20000000 /dev/zero > /t/f; echo'` with `--memory 8m --tmpfs /t`
 *   prints nothing and exits 137, OOMKilled true).
 * - cpu: the model's processes take no CPU time; the quota and shares are shown, never enforced.
 */
import type { Proc } from './process.js';
import { SIGKILL } from './signals.js';

/** memory.limit_in_bytes of an unlimited cgroup v1: PAGE_COUNTER_MAX pages of 4 KiB (measured). */
export const V1_UNLIMITED = '9223372036854771712';
/** cfs_period_us the engine leaves when only --cpus is given (moby daemon_unix.go: 100 ms). */
export const DEFAULT_CFS_PERIOD = 100000;

/** The limits from a container's HostConfig, as the engine passes them to runc. */
export interface CgroupLimits {
  /** Bytes; 0 is unlimited. */
  memory?: number;
  /** Memory plus swap in bytes; -1 unlimited; 0 with a memory limit is twice it (moby). */
  memorySwap?: number;
  /** Relative weight; 0 is the kernel's default 1024. */
  cpuShares?: number;
  /** CPUs in billionths (`--cpus 1.5` is 1500000000); 0 is no quota. */
  nanoCpus?: number;
  cpuQuota?: number;
  cpuPeriod?: number;
  /** Tasks; null, 0 or negative is unlimited. */
  pidsLimit?: number | null;
}

export class Cgroup {
  /** Tasks charged (forked and not yet reaped). */
  readonly tasks = new Set<Proc>();
  /** What holds unreclaimable memory: each returns its bytes (a tmpfs's pages). */
  private readonly charges: (() => number)[] = [];
  private peak = 0;
  /** memory.failcnt: how often the limit was hit. */
  failcnt = 0;
  /** The OOM killer ran in this cgroup (State.OOMKilled). */
  oomKilled = false;
  /** pids.events max: forks refused. */
  forksRefused = 0;

  constructor(
    /** Its path in the hierarchy, as /proc/PID/cgroup shows it: `/docker/<id>`. */
    readonly path: string,
    readonly limits: CgroupLimits,
  ) {}

  /** memory.limit_in_bytes, as text (bytes fit in a double; the unlimited value does not). */
  get memoryLimit(): string {
    return this.limits.memory ? String(this.limits.memory) : V1_UNLIMITED;
  }
  /** memory.memsw.limit_in_bytes. */
  get memswLimit(): string {
    const { memory = 0, memorySwap = 0 } = this.limits;
    if (!memory || memorySwap < 0) return V1_UNLIMITED;
    return String(memorySwap > 0 ? memorySwap : memory * 2);
  }
  get cpuShares(): number {
    return this.limits.cpuShares || 1024;
  }
  get cfsPeriod(): number {
    return this.limits.cpuPeriod || DEFAULT_CFS_PERIOD;
  }
  /** cpu.cfs_quota_us: -1 without a quota; --cpus N is N periods (moby: NanoCPUs * period / 1e9). */
  get cfsQuota(): number {
    if (this.limits.nanoCpus) return Math.round((this.limits.nanoCpus * this.cfsPeriod) / 1e9);
    return this.limits.cpuQuota || -1;
  }
  /** pids.max as a number, or null for `max`. */
  get pidsMax(): number | null {
    const l = this.limits.pidsLimit;
    return l && l > 0 ? l : null;
  }

  /** pids_can_fork: throws nothing, says whether one more task fits. */
  canFork(): boolean {
    const max = this.pidsMax;
    if (max === null || this.tasks.size < max) return true;
    this.forksRefused++;
    return false;
  }

  /** Counts `bytes()` as charged memory from now on (a tmpfs mounted in the container). */
  charge(bytes: () => number): void {
    this.charges.push(bytes);
  }

  /** memory.usage_in_bytes. */
  usage(): number {
    const u = this.charges.reduce((n, f) => n + f(), 0);
    if (u > this.peak) this.peak = u;
    return u;
  }
  /** memory.max_usage_in_bytes. */
  maxUsage(): number {
    this.usage();
    return this.peak;
  }

  /**
   * After a charge: past the limit, the OOM killer kills the cgroup's tasks (mem_cgroup_out_of_memory;
   * see the file's comment for why all of them). Returns whether it ran.
   */
  checkMemory(): boolean {
    const limit = this.limits.memory;
    if (!limit || this.usage() <= limit) return false;
    this.failcnt++;
    this.oomKilled = true;
    for (const p of [...this.tasks]) if (p.alive) p.deliver(SIGKILL, null);
    return true;
  }

  /** The live tasks, for cgroup.procs and pids.current. */
  live(): Proc[] {
    return [...this.tasks].filter((p) => p.state !== 'reaped');
  }
}
