/**
 * `docker update` (POST /containers/{id}/update): new resource limits and restart policy for a
 * container, as moby 20.10 does it in three steps:
 *
 * 1. daemon/daemon_unix.go verifyPlatformContainerResources (update=true) checks the request alone;
 *    what it refuses is InvalidParameter (HTTP 400) and is not prefixed with the container.
 * 2. container/container_unix.go UpdateContainer merges it into HostConfig: a field left 0 keeps its
 *    value; the conflicts with what is already set are errdefs.Conflict (409), and daemon/update.go
 *    wraps every failure as `Cannot update container <id>: ...`.
 * 3. a running container's cgroup gets the new limits at once (runc update); a stopped one gets them
 *    at its next start. The restart policy is read by the next exit.
 *
 * Every message and status was measured against Debian's docker.io 20.10 on this host.
 */
import { BoxlabError } from '../../errors.js';
import type { Cgroup, CgroupLimits } from '../../runtime/cgroup.js';
import type { HostConfig } from './config.js';
import type { ContainerRecord } from './record.js';

/** The body of the request (moby container.UpdateConfig: Resources plus RestartPolicy). */
export interface UpdateRequest {
  Memory?: number;
  MemorySwap?: number;
  MemoryReservation?: number;
  KernelMemory?: number;
  NanoCpus?: number;
  CpuQuota?: number;
  CpuPeriod?: number;
  CpuShares?: number;
  CpuRealtimePeriod?: number;
  CpuRealtimeRuntime?: number;
  CpusetCpus?: string;
  CpusetMems?: string;
  BlkioWeight?: number;
  PidsLimit?: number | null;
  RestartPolicy?: { Name?: string; MaximumRetryCount?: number };
}

const MB = 1024 * 1024;
const RESTART_POLICIES = ['no', 'always', 'unless-stopped', 'on-failure'];

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const bad = (msg: string) => new BoxlabError('InvalidArgument', msg);

/** moby runconfig.ValidateRestartPolicy: what a create and an update accept. */
function verifyRestartPolicy(p: UpdateRequest['RestartPolicy']): void {
  if (!p?.Name) return;
  const count = num(p.MaximumRetryCount);
  if (!RESTART_POLICIES.includes(p.Name)) throw bad(`invalid restart policy '${p.Name}'`);
  if (p.Name !== 'on-failure' && count !== 0) throw bad(`maximum retry count cannot be used with restart policy '${p.Name}'`);
  if (count < 0) throw bad('maximum retry count cannot be negative');
}

/** The memory part of verifyPlatformContainerResources: returns its warnings. */
function verifyMemory(r: UpdateRequest): string[] {
  const memory = num(r.Memory);
  const swap = num(r.MemorySwap);
  const reservation = num(r.MemoryReservation);
  const kernel = num(r.KernelMemory);
  if (memory !== 0 && memory < 6 * MB) throw bad('Minimum memory limit allowed is 6MB');
  if (memory > 0 && swap > 0 && swap < memory) throw bad('Minimum memoryswap limit should be larger than memory limit, see usage');
  if (reservation !== 0 && reservation < 6 * MB) throw bad('Minimum memory reservation allowed is 6MB');
  if (memory > 0 && reservation > 0 && memory < reservation) throw bad('Minimum memory limit can not be less than memory reservation limit, see usage');
  if (kernel === 0) return [];
  if (kernel < 4 * MB) throw bad('Minimum kernel memory limit allowed is 4MB');
  return ['Specifying a kernel memory limit is deprecated and will be removed in a future release.'];
}

/** The CPU part of verifyPlatformContainerResources, with the machine's CPU count. */
function verifyCpu(r: UpdateRequest, ncpu: number): void {
  const nano = num(r.NanoCpus);
  const period = num(r.CpuPeriod);
  const quota = num(r.CpuQuota);
  if (nano > 0 && period > 0) throw bad('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  if (nano > 0 && quota > 0) throw bad('Conflicting options: Nano CPUs and CPU Quota cannot both be set');
  if (nano < 0 || nano > ncpu * 1e9) throw bad(`Range of CPUs is from 0.01 to ${ncpu.toFixed(2)}, as there are only ${ncpu} CPUs available`);
  if (period !== 0 && (period < 1000 || period > 1000000)) throw bad('CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  if (quota > 0 && quota < 1000) throw bad('CPU cfs quota can not be less than 1ms (i.e. 1000)');
}

/**
 * Step 1: the request alone. Returns the warnings the answer carries (null when none, as moby's
 * nil slice). The host's kernel has no blkio weight (measured), so a weight is dropped with its warning.
 */
export function verifyUpdate(r: UpdateRequest, ncpu: number): string[] | null {
  verifyRestartPolicy(r.RestartPolicy);
  const warnings = verifyMemory(r);
  verifyCpu(r, ncpu);
  if (num(r.BlkioWeight) > 0) {
    warnings.push('Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.');
    r.BlkioWeight = 0;
  }
  // the update path keeps "no limit" as 0 (measured: `--pids-limit -1` inspects as 0)
  if (typeof r.PidsLimit === 'number' && r.PidsLimit <= 0) r.PidsLimit = 0;
  return warnings.length ? warnings : null;
}

const conflict = (msg: string) => new BoxlabError('FailedPrecondition', `Conflicting options: ${msg}`);

/** NanoCPUs stands for a period and quota, so neither may change while the other is set. */
function checkCpuConflicts(r: UpdateRequest, h: HostConfig): void {
  const nano = num(r.NanoCpus);
  if (nano > 0 && num(h.CpuPeriod) > 0) throw conflict('Nano CPUs cannot be updated as CPU Period has already been set');
  if (nano > 0 && num(h.CpuQuota) > 0) throw conflict('Nano CPUs cannot be updated as CPU Quota has already been set');
  if (num(r.CpuPeriod) > 0 && num(h.NanoCpus) > 0) throw conflict('CPU Period cannot be updated as NanoCPUs has already been set');
  if (num(r.CpuQuota) > 0 && num(h.NanoCpus) > 0) throw conflict('CPU Quota cannot be updated as NanoCPUs has already been set');
}

const NUMERIC_FIELDS = ['BlkioWeight', 'CpuShares', 'NanoCpus', 'CpuPeriod', 'CpuQuota', 'MemorySwap', 'MemoryReservation', 'KernelMemory', 'CpuRealtimePeriod', 'CpuRealtimeRuntime'] as const;

/**
 * Step 2: the HostConfig after the update, or a FailedPrecondition (409). `h` is not changed, so a
 * refused update leaves the container as it was (moby restores its backup).
 */
export function mergeUpdate(r: UpdateRequest, h: HostConfig): HostConfig {
  checkCpuConflicts(r, h);
  const next: HostConfig = { ...h };
  for (const k of NUMERIC_FIELDS) if (num(r[k]) !== 0) next[k] = num(r[k]);
  for (const k of ['CpusetCpus', 'CpusetMems'] as const) if (r[k]) next[k] = r[k];
  const memory = num(r.Memory);
  if (memory !== 0) {
    // a limit above the swap limit already set would make memsw smaller than memory
    if (memory > num(h.MemorySwap) && num(r.MemorySwap) === 0) {
      throw new BoxlabError('FailedPrecondition', 'Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time');
    }
    next.Memory = memory;
  }
  if (r.PidsLimit !== undefined && r.PidsLimit !== null) next.PidsLimit = r.PidsLimit;
  const policy = r.RestartPolicy;
  if (policy?.Name) {
    if (h.AutoRemove && policy.Name !== 'no') {
      throw new BoxlabError('FailedPrecondition', 'Restart policy cannot be updated because AutoRemove is enabled for the container');
    }
    next.RestartPolicy = { Name: policy.Name, MaximumRetryCount: num(policy.MaximumRetryCount) };
  }
  return next;
}

/** A container being removed, or dead, takes no update (moby daemon/update.go); a plain error: 500. */
export function checkUpdatable(rec: ContainerRecord): void {
  if (rec.state.Status === 'removing' || rec.state.Dead) {
    throw new BoxlabError('Unavailable', 'container is marked for removal and cannot be "update"');
  }
}

/** The prefix daemon/update.go errCannotUpdate puts on every failure of steps 2 and 3. */
export function cannotUpdate(id: string, err: unknown): unknown {
  if (!(err instanceof BoxlabError)) return err;
  return new BoxlabError(err.code, `Cannot update container ${id}: ${err.message}`, { cause: err });
}

/** The cgroup limits a HostConfig asks for (what runc is given at start and at update). */
export function cgroupLimitsOf(h: HostConfig): CgroupLimits {
  const n = (k: string) => num(h[k]);
  return {
    memory: n('Memory'),
    memorySwap: n('MemorySwap'),
    cpuShares: n('CpuShares'),
    nanoCpus: n('NanoCpus'),
    cpuQuota: n('CpuQuota'),
    cpuPeriod: n('CpuPeriod'),
    pidsLimit: typeof h.PidsLimit === 'number' ? h.PidsLimit : null,
  };
}

/**
 * A memory limit below what the cgroup holds: the kernel cannot reclaim tmpfs pages without swap, so
 * the write of memory.limit_in_bytes fails with EBUSY and runc update fails; the engine keeps the old
 * HostConfig (measured: `Cannot update container <id>: runc did not terminate successfully: exit
 * status 1: unable to set memory limit to N (current usage: U, peak usage: P)\n: unknown`, 500).
 */
function checkReclaimable(cg: Cgroup, limits: CgroupLimits): void {
  const memory = limits.memory ?? 0;
  const usage = cg.usage();
  if (memory === 0 || memory >= usage) return;
  throw new BoxlabError('Unavailable', `runc did not terminate successfully: exit status 1: unable to set memory limit to ${memory} (current usage: ${usage}, peak usage: ${cg.maxUsage()})\n: unknown`);
}

/** What the service lends an update: its record store, its events and the running cgroup. */
export interface UpdateHooks {
  ncpu: number;
  save(rec: ContainerRecord): Promise<void>;
  emit(rec: ContainerRecord): void;
  cgroupOf(id: string): Cgroup | undefined;
}

/** The whole update of one container; answers the body of the API's ContainerUpdateOKBody. */
export async function updateContainer(rec: ContainerRecord, body: UpdateRequest, hooks: UpdateHooks): Promise<{ Warnings: string[] | null }> {
  const r: UpdateRequest = { ...body };
  const warnings = verifyUpdate(r, hooks.ncpu);
  // runc update on a running (or paused) container; a stopped one reads HostConfig at its next start
  const cg = rec.state.Running && !rec.state.Restarting ? hooks.cgroupOf(rec.id) : undefined;
  try {
    checkUpdatable(rec);
    const next = mergeUpdate(r, rec.hostConfig);
    const limits = cgroupLimitsOf(next);
    if (cg) checkReclaimable(cg, limits);
    rec.hostConfig = next;
    await hooks.save(rec);
    if (cg) Object.assign(cg.limits, limits);
  } catch (e) {
    throw cannotUpdate(rec.id, e);
  }
  hooks.emit(rec);
  return { Warnings: warnings };
}
