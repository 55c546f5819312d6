/**
 * The model runtime (what containerd and runc are to moby): a container's root filesystem is the
 * image's overlay with Docker's init layer under the container's own upper layer; a mount namespace
 * puts /dev, /dev/shm, tmpfs mounts and the single-file binds of /etc/hostname, /etc/hosts and
 * /etc/resolv.conf on it; a new PID namespace holds its processes, which the kernel runs as the
 * model's programs. The upper layer outlives the task, so `docker start` again, `diff` and `commit`
 * see what the container wrote.
 */
import { FsError } from '../../errors.js';
import type { Mount as OverlayRoot } from '../../overlay/index.js';
import { LowerStackCache, mountOverlay, memoryLayer } from '../../overlay/index.js';
import { contextPort } from '../../runtime/ctxport.js';
import { containerRlimits } from '../../runtime/rlimits.js';
import { capMask, containerCaps } from './caps.js';
import { initMounts, processArgv } from './init.js';
import { SysError } from '../../runtime/errno.js';
import { Kernel } from '../../runtime/kernel.js';
import type { PidNamespace, Proc } from '../../runtime/process.js';
import { DEFAULT_PATH_ENV, statusCode, type ProgramRegistry } from '../../runtime/program.js';
import { SIGCONT, SIGKILL, SIGSTOP } from '../../runtime/signals.js';
import type { Clock } from '../../runtime/clock.js';
import type { NetStack } from '../../runtime/net.js';
import { FsContext } from '../../vfs/context.js';
import type { FileSystem } from '../../vfs/fs.js';
import { MountNamespace } from '../../vfs/namespace.js';
import { tmpfs, Vfs } from '../../vfs/vfs.js';
import type { ImageService } from '../images.js';
import type { StoredLayer } from '../stored-layer.js';
import type { Digest } from '../../digest.js';
import type { RuntimeMount } from '../volumes.js';
import { makeMountpoint, sortMounts, tmpfsMounts } from './mounts.js';
import { archiveView, type ArchiveView } from './archiveview.js';
import type { ContainerRecord } from './record.js';
import { TaskStartError, type ExecSpec, type ExecTask, type Task, type TaskExit, type TaskIO, type TaskProcess, type TaskRuntime } from './task.js';
import { groupAddOf, resolveUser } from './user.js';
import { processStdio, type ProcessStdio } from './stdio.js';
import type { Cgroup } from '../../runtime/cgroup.js';
import type { NsSet } from '../../runtime/nsids.js';
import {
  HOST_DISK, chargedTmpfs, statfsFor, containerCgroup, joinedId, containerNamespaces, maskPaths, mountProc, mountSys,
  type CgroupSettings, type Machine, type ViewContext,
} from './kernelviews.js';
import type { PersistedUppers } from './uppers.js';

/**
 * Docker's init layer (daemon/initlayer): what every container's rootfs has whatever the image
 * holds; files are made 0755, as initlayer's OpenFile does. `docker diff` never shows it.
 */
export const INIT_LAYER = memoryLayer([
  { path: 'dev', type: 'dir' },
  { path: 'dev/pts', type: 'dir' },
  { path: 'dev/shm', type: 'dir' },
  { path: 'dev/console', type: 'file', mode: 0o755 },
  { path: 'etc', type: 'dir' },
  { path: 'etc/hostname', type: 'file', mode: 0o755 },
  { path: 'etc/hosts', type: 'file', mode: 0o755 },
  { path: 'etc/resolv.conf', type: 'file', mode: 0o755 },
  { path: 'etc/mtab', type: 'symlink', target: '/proc/mounts' },
  { path: 'proc', type: 'dir' },
  { path: 'sys', type: 'dir' },
  { path: '.dockerenv', type: 'file', mode: 0o755 },
]);

/** What the engine writes for a container before it starts: the three files Docker bind-mounts. */
export interface EtcFiles {
  hostname: string;
  hosts: string;
  resolvConf: string;
}

export interface ModelRuntimeOptions {
  programs: ProgramRegistry;
  clock?: Clock;
  /** The contents of /etc/hostname, /etc/hosts, /etc/resolv.conf for a container. */
  etcFiles(c: ContainerRecord): EtcFiles;
  /** What legacy links add to every process's environment (moby CreateDaemonEnvironment's linkedEnv). */
  linkEnv?(c: ContainerRecord): string[];
  /** Its volumes, binds and tmpfs mounts (the volume service); without it, only HostConfig.Tmpfs. */
  mounts?(c: ContainerRecord): RuntimeMount[];
  /** Its volumes and binds for one `docker cp` (no tmpfs), and how to release them (the volume service). */
  archiveMounts?(c: ContainerRecord): { mounts: RuntimeMount[]; close: () => void };
  /** The daemon's cgroup layout (v1 by default, as on this host); shared, so the daemon may set it. */
  cgroups?: CgroupSettings;
  /** What /proc reports of the machine (default: a small model host). */
  machine?: Machine;
  /** The container's network namespace as its processes see it (none: only what the kernel has). */
  netStack?(c: ContainerRecord): NetStack;
  /** Where upper layers persist (the store's active snapshots); without it they live in memory only. */
  uppers?: PersistedUppers;
}

/** The machine when the engine names none: 2 CPUs, 2 GiB, booted when the runtime was made. */
function modelMachine(now: number): Machine {
  const disk = { blocks: 16 * 1024 ** 2, bfree: 8 * 1024 ** 2, bavail: 8 * 1024 ** 2, files: 4 * 1024 ** 2, ffree: 3 * 1024 ** 2 };
  return { memTotal: 2 * 1024 ** 3, ncpu: 2, release: '5.10.0', build: '(boxlab) #1 SMP', cpuModel: 'boxlab model CPU', bootTime: now, hostname: 'boxlab', disk };
}

interface Running {
  rec: ContainerRecord;
  ns: PidNamespace;
  mountNs: MountNamespace;
  pid1: Proc;
  stdio: ProcessStdio;
  nsset: NsSet;
  cgroup: Cgroup;
  /** Its /dev/shm: a container joining its IPC namespace (`--ipc=container:X`) mounts the same. */
  shm: FileSystem;
}

export class ModelRuntime implements TaskRuntime {
  readonly kernel: Kernel;
  private readonly roots = new Map<string, Promise<OverlayRoot>>();
  private readonly running = new Map<string, Running>();
  /** Where the engine keeps each running container's /etc files (the host side of the binds). */
  private readonly etc = new Map<string, Vfs>();
  /** Lower stacks shared by this daemon's containers (one per image), read from this store. */
  private readonly lowers = new LowerStackCache();
  /**
   * Each image's layers and top chainID, read from the store once per image ID (a digest of the
   * config, whose diff_ids fix the layers): a cache hit in `lowers` ignores fresh sources anyway.
   */
  private readonly imageLayers = new Map<string, Promise<{ layers: StoredLayer[]; top: Digest | null }>>();
  readonly cgroups: CgroupSettings;
  readonly machine: Machine;

  constructor(
    private readonly images: ImageService,
    private readonly opts: ModelRuntimeOptions,
  ) {
    this.kernel = new Kernel({ programs: opts.programs, clock: opts.clock });
    this.cgroups = opts.cgroups ?? { version: 1 };
    this.machine = opts.machine ?? modelMachine(this.kernel.clock.now());
  }

  /** A running container's cgroup (for stats), by ID. */
  cgroupOf(id: string): Cgroup | undefined {
    return this.running.get(id)?.cgroup;
  }

  /**
   * The container's root filesystem: made on first use (with the upper layer a previous daemon
   * persisted, when there is one), kept until removed.
   */
  async rootfs(c: ContainerRecord): Promise<OverlayRoot> {
    let root = this.roots.get(c.id);
    if (!root) {
      root = this.mountRootfs(c);
      this.roots.set(c.id, root);
      root.catch(() => this.roots.delete(c.id));
    }
    return root;
  }

  /** The container's files for one `docker cp` request (archiveview.ts); close it when done. */
  async archiveView(c: ContainerRecord): Promise<ArchiveView> {
    const root = await this.rootfs(c);
    const own = this.opts.archiveMounts?.(c) ?? { mounts: [], close: () => {} };
    return archiveView({ root, own, etc: c.hasBeenStarted ? this.opts.etcFiles(c) : undefined, readOnlyRootfs: !!c.hostConfig.ReadonlyRootfs });
  }

  /** A running container's mount table as /proc/self/mounts shows it (labs, tests); undefined when stopped. */
  mountTable(c: ContainerRecord): string | undefined {
    return this.running.get(c.id)?.mountNs.mounts();
  }

  private async mountRootfs(c: ContainerRecord): Promise<OverlayRoot> {
    const { layers, top } = await this.layersOf(c.image);
    const root = mountOverlay([...layers, INIT_LAYER], { cache: this.lowers });
    // a --rm container's upper stays in memory: a daemon started after a crash removes such a
    // container whatever it held (restore.ts, as moby's restore does), so persisting it buys nothing
    if (this.opts.uppers && !c.hostConfig.AutoRemove) await this.opts.uppers.attach(c.id, top, root);
    return root;
  }

  private layersOf(image: string): Promise<{ layers: StoredLayer[]; top: Digest | null }> {
    let got = this.imageLayers.get(image);
    if (!got) {
      got = Promise.all([this.images.layerSources(image), this.images.imageRecord(image)]).then(([layers, { record }]) => ({ layers, top: record.chainIds.at(-1) ?? null }));
      this.imageLayers.set(image, got);
      got.catch(() => this.imageLayers.delete(image));
    }
    return got;
  }

  /** The /etc/hostname, /etc/hosts and /etc/resolv.conf the engine writes for the container. */
  etcFiles(c: ContainerRecord): EtcFiles {
    return this.opts.etcFiles(c);
  }

  /** Writes the container's upper whole (a checkpoint of its journal): before a commit, when it stops. */
  async checkpoint(c: ContainerRecord): Promise<void> {
    if (this.roots.has(c.id)) await this.opts.uppers?.checkpoint(c.id);
  }

  /** The container is gone: its upper layer is dropped. */
  async remove(c: ContainerRecord): Promise<void> {
    this.roots.delete(c.id);
    await this.opts.uppers?.remove(c.id);
  }

  async start(c: ContainerRecord, io: TaskIO): Promise<Task> {
    const root = await this.rootfs(c);
    const cgroup = containerCgroup(c);
    const { pidNs, ids } = containerNamespaces(c, this.cgroups, this.kernel.hostNs, () => this.kernel.newPidNamespace(), (id) => {
      const r = this.running.get(id);
      return r && { rec: r.rec, pidNs: r.ns, nsset: r.nsset };
    });
    const views: ViewContext = {
      cgroup, cgroups: this.cgroups, pidNs, clock: this.kernel.clock, machine: this.machine,
      memoryUsed: () => [...this.running.values()].reduce((n, r) => n + r.cgroup.usage(), 0),
    };
    const ipcDonor = joinedId(c.hostConfig.IpcMode);
    const shm = (ipcDonor && this.running.get(ipcDonor)?.shm) || chargedTmpfs(tmpfs({ size: c.hostConfig.ShmSize as number, mode: 0o1777 }), cgroup);
    const mountNs = this.mountNamespace(c, root, views, shm);
    const nsset: NsSet = { ids, mounts: mountNs };
    const ctx = new FsContext(mountNs);
    const user = resolveUser(ctx, c.config.User, groupAddOf(c.hostConfig));
    const cwd = c.config.WorkingDir || '/';
    mkdirs(ctx, cwd);
    const { proc, stdio } = await this.startIn(c, { mountNs, ns: pidNs, nsset, cgroup }, {
      argv: processArgv(c),
      env: c.config.Env,
      user: c.config.User,
      workingDir: cwd,
      tty: c.config.Tty,
    }, io, user);
    const run: Running = { rec: c, ns: pidNs, mountNs, pid1: proc, stdio, nsset, cgroup, shm };
    this.running.set(c.id, run);
    return this.task(run);
  }

  private async startIn(
    c: ContainerRecord,
    at: { mountNs: MountNamespace; ns: PidNamespace; nsset: NsSet; cgroup: Cgroup; exec?: boolean },
    spec: ExecSpec,
    io: TaskIO,
    user = resolveUser(new FsContext(at.mountNs), spec.user, groupAddOf(c.hostConfig)),
  ): Promise<{ proc: Proc; stdio: ProcessStdio }> {
    const { mountNs, ns } = at;
    const ctx = new FsContext(mountNs, user);
    // the links' variables come after PATH, HOSTNAME and TERM and before the container's own, which
    // replace them (CreateDaemonEnvironment, ReplaceOrAppendEnvValues)
    const env = processEnv([...(this.opts.linkEnv?.(c) ?? []), ...spec.env], c.config.Hostname, user.home, spec.tty);
    const program = spec.argv[0]!;
    const path = lookPath(ctx, program, env.get('PATH') ?? '');
    let proc: Proc | undefined;
    // the terminal's foreground process group: the process and the children it did not move
    const stdio = processStdio(spec.tty, io, (sig) => {
      if (proc) for (const p of ns.procs.values()) if (p.alive && p.pgid === proc.pgid) p.deliver(sig, null);
    });
    try {
      proc = await this.kernel.start({
        path,
        argv: spec.argv,
        ns,
        env,
        cwd: spec.workingDir || '/',
        cred: { uid: user.uid, gid: user.gid, groups: user.groups, capBnd: capMask(containerCaps(c.hostConfig)) },
        fs: contextPort(ctx, statfsFor(this.machine)),
        uts: { hostname: c.hostConfig.UTSMode === 'host' ? this.machine.hostname : c.config.Hostname, ...(this.opts.netStack ? { net: this.opts.netStack(c) } : {}) },
        nsset: at.nsset,
        cgroup: at.cgroup,
        rlimits: containerRlimits(c.hostConfig.Ulimits, at.exec ?? false),
        stdin: stdio.stdin,
        stdout: stdio.stdout,
        stderr: stdio.stderr,
      });
      return { proc, stdio };
    } catch (e) {
      if (e instanceof FsError && e.errno === 'ENOENT') throw new TaskStartError('no-such-file', program, e.message);
      if (e instanceof FsError && e.errno === 'EACCES') throw new TaskStartError('permission', program, e.message);
      if (e instanceof SysError && e.errno === 'ENOEXEC') throw new TaskStartError('other', program, 'exec format error');
      throw e;
    }
  }

  private task(run: Running): Task {
    const { pid1 } = run;
    const exited: Promise<TaskExit> = pid1.exited.then((ws) => ({
      code: statusCode(ws),
      ...('signal' in ws ? { signal: ws.signal } : {}),
      ...(run.cgroup.oomKilled ? { oomKilled: true } : {}),
    }));
    // the container's processes are its cgroup's tasks (its PID namespace may be shared or the host's)
    const everyone = () => run.cgroup.live().filter((p) => p.alive);
    return {
      pid: pid1.hostPid,
      exited,
      kill: (sig) => {
        if (pid1.alive) this.kernel.kill(pid1.hostPid, sig);
      },
      pause: () => {
        for (const p of everyone()) p.deliver(SIGSTOP, null);
      },
      resume: () => {
        for (const p of everyone()) p.deliver(SIGCONT, null);
      },
      resize: (rows, cols) => run.stdio.tty?.resize(rows, cols),
      processes: (): TaskProcess[] =>
        everyone().map((p) => {
          const i = p.info(this.kernel.hostNs);
          return { pid: i.pid, ppid: i.ppid, uid: i.uid, argv: i.argv, startTime: i.startTime, state: i.state };
        }),
      exec: async (spec: ExecSpec, io: TaskIO): Promise<ExecTask> => {
        const { proc: p, stdio } = await this.startIn(run.rec, { mountNs: run.mountNs, ns: run.ns, nsset: run.nsset, cgroup: run.cgroup, exec: true }, spec, io);
        return { pid: p.hostPid, exited: p.exited.then((ws) => ({ code: statusCode(ws) })), resize: (rows, cols) => stdio.tty?.resize(rows, cols) };
      },
    };
  }

  /** The container's mounts, in the order runc makes them (the engine's /proc/mounts order). */
  private mountNamespace(c: ContainerRecord, root: OverlayRoot, views: ViewContext, shm: FileSystem): MountNamespace {
    // mount points are made in the container's own layer first, as the engine does, so that a
    // read-only rootfs can still have them
    const rootCtx = new FsContext(new MountNamespace(root));
    const user = sortMounts([...(this.opts.mounts ? this.opts.mounts(c) : tmpfsMounts(c)), ...initMounts(c)]);
    for (const m of user) makeMountpoint(rootCtx, m);
    const ns = new MountNamespace(root, { source: 'overlay', readOnly: !!c.hostConfig.ReadonlyRootfs });
    mountProc(ns, views);
    const dev = tmpfs({ size: 65536 * 1024, mode: 0o755 });
    for (const [name, minor] of [['null', 3], ['zero', 5], ['full', 7], ['random', 8], ['urandom', 9], ['tty', 0]] as const)
      dev.mknod(name, 'char', 0o666, name === 'tty' ? 5 : 1, minor);
    dev.mkdir('pts');
    dev.mkdir('shm', 0o1777);
    dev.mkdir('mqueue');
    ns.mount(dev, '/dev', { source: 'tmpfs', flags: ['nosuid'] });
    mountSys(ns, views);
    ns.mount(shm, '/dev/shm', { source: 'shm', flags: ['nosuid', 'nodev', 'noexec', 'relatime'] });
    // a tmpfs's pages are charged to the container's memory cgroup, as the kernel charges shmem
    for (const m of user) ns.mount(m.type === 'tmpfs' && m.fs instanceof Vfs ? chargedTmpfs(m.fs, views.cgroup) : m.fs, m.target, { source: m.source, readOnly: m.readOnly, flags: m.flags });
    const host = new Vfs(undefined, HOST_DISK);
    this.etc.set(c.id, host);
    this.refreshEtcFiles(c);
    // a file the user mounts there wins; with a read-only rootfs they are read-only too (measured)
    for (const [name, target] of [['resolv.conf', '/etc/resolv.conf'], ['hostname', '/etc/hostname'], ['hosts', '/etc/hosts']] as const)
      if (!user.some((m) => m.target === target)) ns.bindFrom(host, name, target, { source: '/dev/vda', readOnly: !!c.hostConfig.ReadonlyRootfs });
    maskPaths(ns, c);
    return ns;
  }

  /**
   * (Re)writes the container's /etc/hostname, /etc/hosts and /etc/resolv.conf where its binds point:
   * at start, and when a `network connect` or `disconnect` changes them (the daemon edits those files
   * in place, so a running container sees the change).
   */
  refreshEtcFiles(c: ContainerRecord): void {
    const host = this.etc.get(c.id);
    if (!host) return;
    const files = this.opts.etcFiles(c);
    host.writeFile('hostname', files.hostname);
    host.writeFile('hosts', files.hosts);
    host.writeFile('resolv.conf', files.resolvConf);
  }

  async cleanup(c: ContainerRecord): Promise<void> {
    const run = this.running.get(c.id);
    this.running.delete(c.id);
    this.etc.delete(c.id);
    // PID 1 is gone: the kernel kills what is left in its namespace (zap_pid_ns_processes), and
    // runc what is left in its cgroup (a container sharing another's or the host's PID namespace)
    if (run) for (const p of run.cgroup.live()) if (p.alive) p.deliver(SIGKILL, null);
    await this.checkpoint(c);
  }
}

/**
 * The environment a process starts with: moby's CreateDaemonEnvironment (PATH, HOSTNAME, TERM=xterm
 * with a terminal), the container's (or exec's) variables replacing those in place or appended after
 * them (ReplaceOrAppendEnvValues), then runc's HOME when there is none.
 */
function processEnv(env: readonly string[], hostname: string, home: string, tty: boolean): Map<string, string> {
  const m = new Map<string, string>([
    ['PATH', DEFAULT_PATH_ENV],
    ['HOSTNAME', hostname],
  ]);
  if (tty) m.set('TERM', 'xterm');
  for (const e of env) {
    const i = e.indexOf('=');
    if (i > 0) m.set(e.slice(0, i), e.slice(i + 1));
  }
  if (!m.has('HOME')) m.set('HOME', home);
  return m;
}

/**
 * runc's exec.LookPath: a name with a slash is used as it is; otherwise each PATH entry is tried for
 * an executable regular file. No match: `executable file not found in $PATH`.
 */
function lookPath(ctx: FsContext, name: string, path: string): string {
  if (name.includes('/')) return name;
  for (const dir of path.split(':')) {
    const candidate = `${dir || '.'}/${name}`;
    try {
      const st = ctx.stat(candidate);
      if (st.type === 'file' && (st.mode & 0o111) !== 0) return candidate;
    } catch {
      /* not here */
    }
  }
  throw new TaskStartError('not-found', name, `exec: "${name}": executable file not found in $PATH`);
}

function mkdirs(ctx: FsContext, path: string): void {
  let cur = '';
  for (const part of path.split('/').filter(Boolean)) {
    cur += `/${part}`;
    try {
      ctx.stat(cur);
    } catch {
      ctx.mkdir(cur, 0o755);
    }
  }
}
