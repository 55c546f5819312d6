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
import { SysError } from '../../runtime/errno.js';
import { Kernel } from '../../runtime/kernel.js';
import type { PidNamespace, Proc } from '../../runtime/process.js';
import { statusCode, type ProgramRegistry } from '../../runtime/program.js';
import { SIGCONT, SIGKILL, SIGSTOP } from '../../runtime/signals.js';
import { callbackSink, nullSource } from '../../runtime/stream.js';
import type { Clock } from '../../runtime/clock.js';
import { FsContext } from '../../vfs/context.js';
import { MountNamespace } from '../../vfs/namespace.js';
import { tmpfs, Vfs } from '../../vfs/vfs.js';
import type { ImageService } from '../images.js';
import type { ContainerRecord } from './record.js';
import { TaskStartError, type ExecSpec, type ExecTask, type Task, type TaskExit, type TaskIO, type TaskProcess, type TaskRuntime } from './task.js';
import { resolveUser } from './user.js';
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
  /** Where upper layers persist (the store's active snapshots); without it they live in memory only. */
  uppers?: PersistedUppers;
}

interface Running {
  rec: ContainerRecord;
  ns: PidNamespace;
  mountNs: MountNamespace;
  pid1: Proc;
}

export class ModelRuntime implements TaskRuntime {
  readonly kernel: Kernel;
  private readonly roots = new Map<string, Promise<OverlayRoot>>();
  private readonly running = new Map<string, Running>();
  /** Lower stacks shared by this daemon's containers (one per image), read from this store. */
  private readonly lowers = new LowerStackCache();

  constructor(
    private readonly images: ImageService,
    private readonly opts: ModelRuntimeOptions,
  ) {
    this.kernel = new Kernel({ programs: opts.programs, clock: opts.clock });
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

  private async mountRootfs(c: ContainerRecord): Promise<OverlayRoot> {
    const layers = await this.images.layerSources(c.image);
    const root = mountOverlay([...layers, INIT_LAYER], { cache: this.lowers });
    if (this.opts.uppers) await this.opts.uppers.attach(c.id, (await this.images.imageRecord(c.image)).record.chainIds.at(-1) ?? null, root);
    return root;
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
    const mountNs = this.mountNamespace(c, root);
    const ctx = new FsContext(mountNs);
    const user = resolveUser(ctx, c.config.User);
    const cwd = c.config.WorkingDir || '/';
    mkdirs(ctx, cwd);
    const proc = await this.startIn(c, mountNs, this.kernel.newPidNamespace(), {
      argv: [c.path, ...c.args],
      env: c.config.Env,
      user: c.config.User,
      workingDir: cwd,
      tty: c.config.Tty,
    }, io, user);
    const run: Running = { rec: c, ns: proc.ns, mountNs, pid1: proc };
    this.running.set(c.id, run);
    return this.task(run);
  }

  private async startIn(
    c: ContainerRecord,
    mountNs: MountNamespace,
    ns: PidNamespace,
    spec: ExecSpec,
    io: TaskIO,
    user = resolveUser(new FsContext(mountNs), spec.user),
  ): Promise<Proc> {
    const ctx = new FsContext(mountNs, user);
    const env = processEnv(spec.env, c.config.Hostname, user.home);
    const program = spec.argv[0]!;
    const path = lookPath(ctx, program, env.get('PATH') ?? '');
    try {
      return await this.kernel.start({
        path,
        argv: spec.argv,
        ns,
        env,
        cwd: spec.workingDir || '/',
        cred: { uid: user.uid, gid: user.gid, groups: user.groups },
        fs: contextPort(ctx),
        uts: { hostname: c.config.Hostname },
        stdin: nullSource,
        stdout: callbackSink((d) => io.output('stdout', d)),
        stderr: callbackSink((d) => io.output('stderr', d)),
      });
    } catch (e) {
      if (e instanceof FsError && e.errno === 'ENOENT') throw new TaskStartError('no-such-file', program, e.message);
      if (e instanceof FsError && e.errno === 'EACCES') throw new TaskStartError('permission', program, e.message);
      if (e instanceof SysError && e.errno === 'ENOEXEC') throw new TaskStartError('other', program, 'exec format error');
      throw e;
    }
  }

  private task(run: Running): Task {
    const { pid1, ns } = run;
    const exited: Promise<TaskExit> = pid1.exited.then((ws) => ({
      code: statusCode(ws),
      ...('signal' in ws ? { signal: ws.signal } : {}),
    }));
    const everyone = () => [...ns.procs.values()].filter((p) => p.alive);
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
      processes: (): TaskProcess[] =>
        everyone().map((p) => {
          const i = p.info(this.kernel.hostNs);
          return { pid: i.pid, ppid: i.ppid, uid: i.uid, argv: i.argv, startTime: i.startTime, state: i.state };
        }),
      exec: async (spec: ExecSpec, io: TaskIO): Promise<ExecTask> => {
        const p = await this.startIn(run.rec, run.mountNs, ns, spec, io);
        return { pid: p.hostPid, exited: p.exited.then((ws) => ({ code: statusCode(ws) })) };
      },
    };
  }

  /** The container's mounts, in the order runc makes them (the engine's /proc/mounts order). */
  private mountNamespace(c: ContainerRecord, root: OverlayRoot): MountNamespace {
    // mount points are made in the container's own layer first, as the engine does, so that a
    // read-only rootfs can still have them
    const rootCtx = new FsContext(new MountNamespace(root));
    for (const target of Object.keys(c.hostConfig.Tmpfs ?? {})) mkdirs(rootCtx, target);
    const ns = new MountNamespace(root, { source: 'overlay', readOnly: !!c.hostConfig.ReadonlyRootfs });
    const dev = tmpfs({ size: 65536 * 1024, mode: 0o755 });
    for (const [name, minor] of [['null', 3], ['zero', 5], ['full', 7], ['random', 8], ['urandom', 9], ['tty', 0]] as const)
      dev.mknod(name, 'char', 0o666, name === 'tty' ? 5 : 1, minor);
    dev.mkdir('pts');
    dev.mkdir('shm', 0o1777);
    dev.mkdir('mqueue');
    ns.mount(dev, '/dev', { source: 'tmpfs', flags: ['nosuid'] });
    ns.mount(tmpfs({ size: c.hostConfig.ShmSize as number, mode: 0o1777 }), '/dev/shm', { source: 'shm', flags: ['nosuid', 'nodev', 'noexec', 'relatime'] });
    for (const [target, options] of Object.entries(c.hostConfig.Tmpfs ?? {})) {
      ns.mount(tmpfs(parseTmpfsOptions(options)), target, { source: 'tmpfs', flags: ['nosuid', 'nodev', 'noexec', 'relatime'] });
    }
    const files = this.opts.etcFiles(c);
    const host = new Vfs();
    host.writeFile('hostname', files.hostname);
    host.writeFile('hosts', files.hosts);
    host.writeFile('resolv.conf', files.resolvConf);
    for (const [name, target] of [['resolv.conf', '/etc/resolv.conf'], ['hostname', '/etc/hostname'], ['hosts', '/etc/hosts']] as const)
      ns.bindFrom(host, name, target, { source: '/dev/vda' });
    return ns;
  }

  async cleanup(c: ContainerRecord): Promise<void> {
    const run = this.running.get(c.id);
    this.running.delete(c.id);
    // PID 1 is gone: the kernel kills what is left in its namespace (zap_pid_ns_processes)
    if (run) for (const p of run.ns.procs.values()) if (p.alive) p.deliver(SIGKILL, null);
    await this.checkpoint(c);
  }
}

/** The environment runc gives a process: the container's, HOSTNAME, and HOME when it has none. */
function processEnv(env: readonly string[], hostname: string, home: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of env) {
    const i = e.indexOf('=');
    if (i > 0) m.set(e.slice(0, i), e.slice(i + 1));
  }
  if (!m.has('HOSTNAME')) m.set('HOSTNAME', hostname);
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

/** `--tmpfs /x:size=1k,mode=700`: a size in bytes (k, m, g suffixes) and a mode, as mount(8) takes them. */
export function parseTmpfsOptions(opts: string): { size?: number; mode?: number } {
  const out: { size?: number; mode?: number } = {};
  for (const o of opts.split(',').filter(Boolean)) {
    const [k, v = ''] = o.split('=', 2) as [string, string?];
    if (k === 'size') {
      const m = /^(\d+)([kmg]?)$/i.exec(v);
      if (m) out.size = Number(m[1]) * ({ '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 } as Record<string, number>)[m[2]!.toLowerCase()]!;
    } else if (k === 'mode') out.mode = parseInt(v, 8);
  }
  return out;
}
