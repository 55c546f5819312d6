/**
 * A container's stats as GET /containers/{id}/stats answers them (moby api/types/stats.go,
 * daemon/stats_collector.go, daemon/stats/collector_unix.go), read from the model's cgroup:
 * pids.current and pids.max, the memory the cgroup is charged (runtime/cgroup.ts) and its limit (the
 * machine's memory when unlimited, as moby reports it), the CPU time the model's processes use
 * (none: they never run on a CPU) against the machine's. No network or block I/O is modelled, so
 * those are absent or empty, as for a container on no network and with no disk reads.
 */
import type { Cgroup } from '../../runtime/cgroup.js';
import type { Machine } from './kernelviews.js';
import { goTime, ZERO_TIME } from './record.js';

const BLKIO_KEYS = [
  'io_service_bytes_recursive', 'io_serviced_recursive', 'io_queue_recursive', 'io_service_time_recursive',
  'io_wait_time_recursive', 'io_merged_recursive', 'io_time_recursive', 'sectors_recursive',
];

export interface StatsSample {
  /** ms since the epoch. */
  at: number;
  /** Nanoseconds of CPU the machine has had since boot (all CPUs), as /proc/stat adds it up. */
  systemCpu: number;
}

export function sample(m: Machine, now: number): StatsSample {
  return { at: now, systemCpu: Math.max(0, now - m.bootTime) * 1e6 * m.ncpu };
}

function cpuStats(m: Machine, s: StatsSample | null, version: 1 | 2): Record<string, unknown> {
  const throttling = { periods: 0, throttled_periods: 0, throttled_time: 0 };
  if (!s) return { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: throttling };
  const usage: Record<string, unknown> = { total_usage: 0 };
  if (version === 1) usage.percpu_usage = Array<number>(m.ncpu).fill(0);
  usage.usage_in_kernelmode = 0;
  usage.usage_in_usermode = 0;
  return { cpu_usage: usage, system_cpu_usage: s.systemCpu, online_cpus: m.ncpu, throttling_data: throttling };
}

function memoryStats(cg: Cgroup, m: Machine, version: 1 | 2): Record<string, unknown> {
  const usage = cg.usage();
  const limit = cg.limits.memory || m.memTotal;
  if (version === 2) {
    return { usage, stats: { anon: 0, file: 0, shmem: usage, inactive_file: 0, active_file: 0 }, limit };
  }
  // tmpfs pages are shmem: "cache" in memory.stat, never inactive_file (what the CLI subtracts)
  const stats: Record<string, number> = {
    active_anon: 0, active_file: 0, cache: usage, dirty: 0, hierarchical_memory_limit: limit,
    // the unlimited value (2^63 - 4096) is exact as a double, though JSON.stringify prints it rounded
    hierarchical_memsw_limit: Number(cg.memswLimit),
    inactive_anon: usage, inactive_file: 0, mapped_file: 0, pgfault: 0, pgmajfault: 0, pgpgin: 0, pgpgout: 0, rss: 0, rss_huge: 0,
  };
  for (const k of Object.keys(stats).filter((k) => !k.startsWith('hierarchical'))) stats[`total_${k}`] = stats[k]!;
  stats.total_unevictable = 0;
  stats.total_writeback = 0;
  stats.unevictable = 0;
  stats.writeback = 0;
  const sorted = Object.fromEntries(Object.entries(stats).sort(([a], [b]) => (a < b ? -1 : 1)));
  return { usage, max_usage: cg.maxUsage(), stats: sorted, limit };
}

/**
 * One stats object. `cg` null: the container is not running, and the answer is the empty one moby
 * gives (zero times, empty sections). `pre` is the previous sample (null for one-shot).
 */
export function statsJson(
  c: { id: string; name: string },
  cg: Cgroup | null,
  m: Machine,
  version: 1 | 2,
  now: StatsSample,
  pre: StatsSample | null,
): Record<string, unknown> {
  if (!cg) {
    return {
      read: ZERO_TIME, preread: ZERO_TIME, pids_stats: {}, blkio_stats: Object.fromEntries(BLKIO_KEYS.map((k) => [k, null])),
      num_procs: 0, storage_stats: {}, cpu_stats: cpuStats(m, null, version), precpu_stats: cpuStats(m, null, version),
      memory_stats: {}, name: c.name, id: c.id,
    };
  }
  const pids: Record<string, number> = { current: cg.live().length };
  if (cg.pidsMax !== null) pids.limit = cg.pidsMax;
  return {
    read: goTime(now.at),
    preread: pre ? goTime(pre.at) : ZERO_TIME,
    pids_stats: pids,
    blkio_stats: Object.fromEntries(BLKIO_KEYS.map((k) => [k, []])),
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpuStats(m, now, version),
    precpu_stats: cpuStats(m, pre, version),
    memory_stats: memoryStats(cg, m, version),
    name: c.name,
    id: c.id,
  };
}
