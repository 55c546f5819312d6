/**
 * What a container sees of the kernel, composed as runc makes it (libcontainer/rootfs_linux.go and
 * the OCI spec moby's oci/defaults.go writes): its namespaces (new, the host's, or another
 * container's, after HostConfig's PidMode, IpcMode, UTSMode, NetworkMode, CgroupnsMode), its
 * cgroup with the HostConfig's limits, and the kernel filesystems in its mount namespace: proc on
 * /proc, devpts, sysfs (read-only), the cgroup hierarchies, mqueue, then the masked and read-only
 * paths over /proc and /sys. The mount order is the engine's /proc/mounts order (measured).
 */
import { BoxlabError } from '../../errors.js';
import { Cgroup } from '../../runtime/cgroup.js';
import { CgroupV1Fs, CgroupV2Fs, SysFs, V1_CONTROLLERS } from '../../runtime/cgroupfs.js';
import type { Clock } from '../../runtime/clock.js';
import type { StatFsOf } from '../../runtime/ctxport.js';
import { HOST_NS_IDS, allocNsInode, type NsKind, type NsSet } from '../../runtime/nsids.js';
import { ProcFs, type Machine } from '../../runtime/procfs.js';
import type { PidNamespace } from '../../runtime/process.js';
import type { FileSystem } from '../../vfs/fs.js';
import type { MountNamespace } from '../../vfs/namespace.js';
import { EmptyFs } from '../../vfs/synthfs.js';
import { tmpfs, type Vfs } from '../../vfs/vfs.js';
import type { ContainerRecord } from './record.js';
import { cgroupLimitsOf } from './update.js';

export type { Machine };

/** The daemon's choice of cgroup layout (`boxlab daemon --cgroup-version 2`); v1 is the host's here. */
export interface CgroupSettings {
  version: 1 | 2;
}

/** A running container's namespaces, for another that joins them (`--pid=container:X`). */
export interface JoinableNs {
  rec: ContainerRecord;
  pidNs: PidNamespace;
  nsset: NsSet;
}

/** The container a `container:<id>` mode names, or null for another mode. */
export function joinedId(mode: string | undefined): string | null {
  return mode?.startsWith('container:') ? mode.slice('container:'.length) : null;
}

/**
 * At create, a `container:NAME` mode is resolved to the full ID (inspect shows `container:<id>`,
 * measured) and a missing container refused with `No such container: NAME`.
 */
export function resolveJoinModes(h: Record<string, unknown>, find: (ref: string) => ContainerRecord): void {
  for (const k of ['PidMode', 'IpcMode', 'NetworkMode']) {
    const ref = joinedId(h[k] as string | undefined);
    if (!ref) continue;
    try {
      h[k] = `container:${find(ref).id}`;
    } catch (e) {
      // a bad create request, not a missing resource: 400 (measured), so the CLI does not pull
      if (e instanceof BoxlabError && e.code === 'NotFound') throw new BoxlabError('InvalidArgument', e.message);
      throw e;
    }
  }
}

/**
 * The namespaces of a new container: each kind new (numbered in runc's order: mnt, uts, ipc, pid,
 * net), the host's, or a running container's. The user and time namespaces are the host's (no
 * userns-remap); the cgroup namespace is the host's under v1 (CgroupnsMode host) and new under v2.
 */
export function containerNamespaces(
  c: ContainerRecord,
  cgroups: CgroupSettings,
  hostPidNs: PidNamespace,
  newPidNs: () => PidNamespace,
  running: (id: string) => JoinableNs | undefined,
): { pidNs: PidNamespace; ids: Record<NsKind, number> } {
  const h = c.hostConfig;
  const donor = (mode: string | undefined, what: string): JoinableNs | null => {
    const id = joinedId(mode);
    if (!id) return null;
    const d = running(id);
    if (!d) throw new BoxlabError('FailedPrecondition', `cannot join ${what} of a non running container: ${id}`);
    return d;
  };
  const pidDonor = donor(h.PidMode, 'PID');
  const ipcDonor = donor(h.IpcMode, 'IPC');
  if (ipcDonor && !['shareable', 'host'].includes(ipcDonor.rec.hostConfig.IpcMode)) {
    throw new BoxlabError(
      'FailedPrecondition',
      `can't join IPC of container ${ipcDonor.rec.id}: non-shareable IPC (hint: use IpcMode:shareable for the donor container)`,
    );
  }
  const netDonor = donor(h.NetworkMode, 'network');
  const ids = { ...HOST_NS_IDS };
  ids.mnt = allocNsInode();
  if (h.UTSMode !== 'host') ids.uts = allocNsInode();
  if (ipcDonor) ids.ipc = ipcDonor.nsset.ids.ipc;
  else if (h.IpcMode !== 'host') ids.ipc = allocNsInode();
  const pidNs = pidDonor ? pidDonor.pidNs : h.PidMode === 'host' ? hostPidNs : newPidNs();
  ids.pid = pidNs.inode;
  if (netDonor) ids.net = netDonor.nsset.ids.net;
  else if (h.NetworkMode !== 'host') ids.net = allocNsInode();
  if (cgroups.version === 2 && h.CgroupnsMode !== 'host') ids.cgroup = allocNsInode();
  return { pidNs, ids };
}

/** The container's cgroup, `/docker/<id>` under the cgroupfs driver, with its HostConfig's limits. */
export function containerCgroup(c: ContainerRecord): Cgroup {
  return new Cgroup(`/docker/${c.id}`, cgroupLimitsOf(c.hostConfig));
}

export interface ViewContext {
  cgroup: Cgroup;
  cgroups: CgroupSettings;
  pidNs: PidNamespace;
  clock: Clock;
  machine: Machine;
  /** Every container's charged memory (MemFree in /proc/meminfo leaves it out). */
  memoryUsed: () => number;
}

/**
 * The host filesystem under /var/lib/docker here, whose files Docker binds into a container
 * (measured: `/dev/vda /etc/hosts ext4 rw,relatime,discard,resv_strict,resuid=65534,resgid=65534`).
 */
export const HOST_DISK = { fsType: 'ext4', options: ['discard', 'resv_strict', 'resuid=65534', 'resgid=65534'] };

const KERNEL_FLAGS = ['nosuid', 'nodev', 'noexec', 'relatime'];

/** proc on /proc: the first mount after the root (measured order). */
export function mountProc(ns: MountNamespace, v: ViewContext): void {
  const proc = new ProcFs({ pidNs: v.pidNs, clock: v.clock, machine: v.machine, cgroupVersion: v.cgroups.version, memoryUsed: v.memoryUsed });
  ns.mount(proc, '/proc', { source: 'proc', flags: KERNEL_FLAGS });
}

/** After /dev: devpts, sysfs (ro), the cgroup hierarchies (ro), mqueue. */
export function mountSys(ns: MountNamespace, v: ViewContext): void {
  const mtime = Math.floor(v.clock.now() / 1000);
  const devpts = new EmptyFs({ fsType: 'devpts', options: ['gid=5', 'mode=620', 'ptmxmode=666'], mtime });
  ns.mount(devpts, '/dev/pts', { source: 'devpts', flags: ['nosuid', 'noexec', 'relatime'] });
  ns.mount(new SysFs(mtime), '/sys', { source: 'sysfs', readOnly: true, flags: KERNEL_FLAGS });
  if (v.cgroups.version === 2) {
    ns.mount(new CgroupV2Fs(v.cgroup, v.machine.ncpu, mtime), '/sys/fs/cgroup', { source: 'cgroup', readOnly: true, flags: KERNEL_FLAGS });
  } else {
    // a tmpfs holds the mount points of the hierarchies; runc leaves it 0555 after making them
    const dirs = tmpfs({ mode: 0o755 });
    for (const [dir] of V1_CONTROLLERS) dirs.mkdir(dir, 0o755);
    dirs.chmod('', 0o555);
    ns.mount(dirs, '/sys/fs/cgroup', { source: 'tmpfs', flags: KERNEL_FLAGS });
    for (const [dir, option] of V1_CONTROLLERS) {
      ns.mount(new CgroupV1Fs(dir, option, v.cgroup, v.machine.ncpu, mtime), `/sys/fs/cgroup/${dir}`, { source: 'cgroup', readOnly: true, flags: KERNEL_FLAGS });
    }
  }
  ns.mount(new EmptyFs({ fsType: 'mqueue', mtime }, 0o1777), '/dev/mqueue', { source: 'mqueue', flags: KERNEL_FLAGS });
}

/**
 * Last, as runc applies the spec's ReadonlyPaths and MaskedPaths (moby oci/defaults.go): read-only
 * binds of /proc/bus, fs, irq, sys; an empty read-only tmpfs on a masked directory; /dev/null bound
 * on a masked file. Paths this kernel lacks are skipped (measured: only these appear here).
 */
export function maskPaths(ns: MountNamespace, c: ContainerRecord): void {
  const h = c.hostConfig as { ReadonlyPaths?: string[]; MaskedPaths?: string[] };
  const ctxStat = (p: string) => {
    try {
      const w = ns.walk(p, { root: ns.root, cwd: ns.root, cred: { uid: 0, gid: 0 } }, true, 'stat');
      return w.loc ? ns.stat(w.loc) : null;
    } catch {
      return null;
    }
  };
  for (const p of h.ReadonlyPaths ?? []) if (ctxStat(p)) ns.bind(p, p, { readOnly: true });
  for (const p of h.MaskedPaths ?? []) {
    const st = ctxStat(p);
    if (!st) continue;
    if (st.type === 'dir') ns.mount(tmpfs(), p, { source: 'tmpfs', readOnly: true, flags: ['relatime'] });
    else ns.bind('/dev/null', p);
  }
}

/**
 * A tmpfs whose pages are charged to the container's memory cgroup: each write is followed by the
 * limit check that may bring the OOM killer (see runtime/cgroup.ts).
 */
export function chargedTmpfs(fs: Vfs, cg: Cgroup): FileSystem {
  cg.charge(() => fs.sb.usedBytes());
  const after = new Set(['writeFile', 'appendFile', 'write', 'truncate']);
  return new Proxy(fs, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      if (!after.has(String(prop))) return (v as (...a: unknown[]) => unknown).bind(target);
      return (...args: unknown[]) => {
        const r = (v as (...a: unknown[]) => unknown).apply(target, args);
        cg.checkMemory();
        return r;
      };
    },
  });
}

/** f_type of each filesystem (include/uapi/linux/magic.h) and the name `stat -f` gives it. */
const MAGIC: Record<string, [string, number]> = {
  // busybox 1.35's stat -f knows no overlayfs: UNKNOWN (measured)
  tmpfs: ['tmpfs', 0x01021994], overlay: ['UNKNOWN', 0x794c7630], ext4: ['ext2/ext3', 0xef53], proc: ['proc', 0x9fa0],
  sysfs: ['sysfs', 0x62656572], cgroup: ['cgroupfs', 0x27e0eb], cgroup2: ['cgroup2fs', 0x63677270], devpts: ['devpts', 0x1cd1], mqueue: ['mqueue', 0x19800202],
};

/**
 * statfs(2) of a container's mounts: a tmpfs counts its pages against its size (half the machine's
 * memory when none was given, tmpfs's default), the overlay and the host's binds report the disk
 * under the data root, and proc, sysfs, cgroup, devpts and mqueue have no blocks (df leaves them out).
 */
export function statfsFor(m: Machine): StatFsOf {
  return (fs) => {
    const [type, magic] = MAGIC[fs.fsType] ?? [fs.fsType, 0];
    const base = { type, magic, bsize: 4096, namelen: 255, fsid: fs.dev.toString(16).padStart(16, '0') };
    if (fs.fsType === 'tmpfs' && 'sb' in fs) {
      const sb = (fs as Vfs).sb;
      const blocks = sb.maxPages ?? Math.floor(m.memTotal / 2 / 4096);
      const free = Math.max(0, blocks - sb.usedBytes() / 4096);
      return { ...base, blocks, bfree: free, bavail: free, files: Math.floor(m.memTotal / 8192), ffree: Math.floor(m.memTotal / 8192) };
    }
    if (fs.fsType === 'overlay' || fs.fsType === 'ext4') return { ...base, ...m.disk };
    return { ...base, blocks: 0, bfree: 0, bavail: 0, files: 0, ffree: 0 };
  };
}
