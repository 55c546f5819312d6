/**
 * The container service (moby's daemon/ container code over containerd's tasks): create, start,
 * stop, kill, restart, pause, wait, rename, remove, logs and attach, with Docker's states, exit
 * statuses, restart policies and events. What runs a container is a TaskRuntime (task.ts); records
 * persist in the store's `containers/` (persist.ts); `docker ps` rows and inspect JSON are built in
 * list.ts and inspect.ts.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { BoxlabError } from '../../errors.js';
import { parseSignal, SIGKILL, SIGTERM } from '../../runtime/signals.js';
import type { Store } from '../../store/store.js';
import type { EventBus } from '../events.js';
import type { ImageService } from '../images.js';
import { commandLine, mergeImageConfig, normaliseHostConfig, requestConfig, type ContainerConfig, type ImageRuntimeConfig } from './config.js';
import { JsonLog, type StdStream } from './logs.js';
import { resetEmptyEntrypoint, verifyCreate } from './verify.js';
import { canonicalName, generateName, newContainerId } from './names.js';
import { renameLinkChild } from '../links.js';
import { ContainerDir } from './persist.js';
import { removedAtDaemonStart, restartsAtDaemonStart, stopLeftRunning } from './restore.js';
import { goTime, initialState, type ContainerRecord, type MountPoint } from './record.js';
import { joinedId, resolveJoinModes, validateNetMode } from './kernelviews.js';
import { TaskStartError, type Task, type TaskExit, type TaskRuntime } from './task.js';
import { InputQueue } from './stdin.js';
import { updateContainer, type UpdateRequest } from './update.js';

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

/** Who is attached to a container's output (`docker attach`, `docker run` without -d). */
export type OutputListener = (stream: StdStream, data: Uint8Array) => void;

export interface CreateRequest extends Partial<ContainerConfig> {
  HostConfig?: Record<string, unknown>;
  NetworkingConfig?: { EndpointsConfig?: Record<string, unknown> };
}

interface Live {
  rec: ContainerRecord;
  log: JsonLog;
  task?: Task;
  listeners: Set<OutputListener>;
  /** Called with each exit of PID 1; then cleared (wait?condition=next-exit, not-running). */
  exitWaiters: ((e: TaskExit) => void)[];
  removedWaiters: ((code: number) => void)[];
  /** Resolves when the current task's exit has been fully handled (state saved, events sent). */
  settled?: Promise<void>;
  restartTimer?: NodeJS.Timeout;
  /** The attached output streams end when PID 1 exits: each attach waits on this. */
  latch: Latch;
  /** PID 1's stdin (OpenStdin): made by the first attach or start, gone when PID 1 ends. */
  stdin?: InputQueue;
}

/**
 * The latch attach and logs -f wait on: open from create (a client may attach before start) until
 * PID 1 ends; a later start opens a new one.
 */
interface Latch {
  open: boolean;
  closed: Promise<void>;
  close(): void;
}

function newLatch(): Latch {
  const latch = { open: true } as Latch;
  latch.closed = new Promise<void>((r) => {
    latch.close = () => {
      latch.open = false;
      r();
    };
  });
  return latch;
}

/** What the engine does about a container's mounts (the volume service, wired by the engine). */
export interface MountHooks {
  /** At create: validates and makes its volumes; returns inspect's Mounts. */
  prepare(rec: ContainerRecord): Promise<MountPoint[]>;
  /** After removal: `rm -v` and `--rm` take its anonymous volumes. */
  released(rec: ContainerRecord, removeVolumes: boolean): void;
}

export interface ServiceOptions {
  cgroupVersion: 1 | 2;
  now?: () => number;
  /** The networks a create asks for, checked and recorded (the network service's initialNetworks). */
  networks?: (hostConfig: Record<string, unknown> | undefined, endpoints: Record<string, unknown> | undefined) => ContainerRecord['networks'];
}

export class ContainerService {
  private readonly live = new Map<string, Live>();
  /** The same containers by name (`/name`): a lookup per create and per name, not a scan of all. */
  private readonly byName = new Map<string, Live>();
  private readonly dirs: ContainerDir;
  mountHooks?: MountHooks;

  constructor(
    private readonly store: Store,
    private readonly images: ImageService,
    private readonly events: EventBus,
    private readonly runtime: TaskRuntime,
    private readonly opts: ServiceOptions = { cgroupVersion: 1 },
  ) {
    this.dirs = new ContainerDir(path.join(store.root, 'containers'));
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /**
   * Loads the records. A container the previous daemon left running died with it and is stopped;
   * a --rm one is removed; then the restart policies bring back those they would (restore.ts: what
   * the engine here does).
   */
  async init(): Promise<void> {
    const leftOver: ContainerRecord[] = [];
    for (const rec of await this.dirs.loadAll()) {
      if (removedAtDaemonStart(rec)) {
        leftOver.push(rec);
        continue;
      }
      if (stopLeftRunning(rec, goTime(this.now()))) await this.dirs.save(rec);
      this.track({ rec, log: new JsonLog(this.dirs.logPath(rec.id), () => this.now()), listeners: new Set(), exitWaiters: [], removedWaiters: [], latch: newLatch() });
    }
    // once every record is loaded: an anonymous volume another container still uses stays
    for (const rec of leftOver) await this.removeLeftOver(rec);
    for (const l of this.live.values()) {
      if (!restartsAtDaemonStart(l.rec)) continue;
      l.rec.manuallyStopped = false;
      await this.startTask(l).catch(() => {}); // a start that fails leaves the container exited, with its error
    }
  }

  /** A --rm container the previous daemon left: removed with its anonymous volumes (moby's restore, ContainerRm with RemoveVolume). */
  private async removeLeftOver(rec: ContainerRecord): Promise<void> {
    await this.runtime.remove(rec);
    this.mountHooks?.released(rec, true);
    await this.dirs.remove(rec.id);
    this.emit(rec, 'destroy');
  }

  /** All containers, newest first. */
  all(): ContainerRecord[] {
    return [...this.live.values()].map((l) => l.rec).sort((a, b) => b.created.localeCompare(a.created));
  }

  /** A container by full ID, name (with or without `/`), or unique ID prefix, as moby's GetContainer. */
  get(ref: string): ContainerRecord {
    return this.entry(ref).rec;
  }

  private entry(ref: string): Live {
    const byId = this.live.get(ref);
    if (byId) return byId;
    const name = ref.startsWith('/') ? ref : `/${ref}`;
    const named = this.byName.get(name);
    if (named) return named;
    if (/^[a-f0-9]+$/.test(ref)) {
      const matches = [...this.live.values()].filter((l) => l.rec.id.startsWith(ref));
      if (matches.length === 1) return matches[0]!;
      if (matches.length > 1) throw new BoxlabError('InvalidArgument', `multiple IDs found with provided prefix: ${ref}`);
    }
    throw new BoxlabError('NotFound', `No such container: ${ref}`);
  }

  private nameTaken(name: string): ContainerRecord | undefined {
    return this.byName.get(name)?.rec;
  }

  private track(l: Live): void {
    this.live.set(l.rec.id, l);
    this.byName.set(l.rec.name, l);
  }

  async create(body: CreateRequest, name?: string): Promise<{ id: string; warnings: string[] }> {
    validateNetMode(body, body.HostConfig);
    const warnings = verifyCreate(body, body.HostConfig, os.cpus().length);
    const config = requestConfig(body);
    const imageId = await this.images.resolve(config.Image);
    const { config: image } = await this.images.imageRecord(imageId);
    const merged = mergeImageConfig(config, (image.config ?? {}) as ImageRuntimeConfig);
    resetEmptyEntrypoint(merged);
    const { path: cmdPath, args } = commandLine(merged);
    const id = newContainerId();
    const canonical = name ? canonicalName(name) : generateName((n) => !!this.nameTaken(n), id);
    const holder = this.nameTaken(canonical);
    if (holder)
      throw new BoxlabError(
        'AlreadyExists',
        `Conflict. The container name "${canonical}" is already in use by container "${holder.id}". You have to remove (or rename) that container to be able to reuse that name.`,
      );
    if (body.HostConfig) resolveJoinModes(body.HostConfig, (ref) => this.get(ref));
    const networks = this.opts.networks?.(body.HostConfig, body.NetworkingConfig?.EndpointsConfig) ?? {};
    // --network host shares the host's UTS name too (moby daemon/container.go: the host's hostname)
    // and container:X shares X's name (moby initializeNetworking)
    const netDonor = joinedId(body.HostConfig?.NetworkMode as string | undefined);
    if (!merged.Hostname) merged.Hostname = body.HostConfig?.NetworkMode === 'host' ? os.hostname() : netDonor ? this.get(netDonor).config.Hostname : id.slice(0, 12);
    const rec: ContainerRecord = {
      id,
      name: canonical,
      created: goTime(this.now()),
      image: imageId,
      path: cmdPath,
      args,
      config: merged,
      hostConfig: normaliseHostConfig(body.HostConfig, this.opts.cgroupVersion),
      state: initialState(),
      restartCount: 0,
      manuallyStopped: false,
      hasBeenStarted: false,
      mounts: [],
      networks,
      sandboxId: '',
    };
    if (this.mountHooks) rec.mounts = await this.mountHooks.prepare(rec);
    await this.dirs.save(rec);
    this.track({ rec, log: new JsonLog(this.dirs.logPath(id), () => this.now()), listeners: new Set(), exitWaiters: [], removedWaiters: [], latch: newLatch() });
    this.emit(rec, 'create');
    return { id, warnings };
  }

  private emit(rec: ContainerRecord, action: string, extra: Record<string, string> = {}): void {
    this.events.emit('container', action, rec.id, { ...extra, image: rec.config.Image, name: rec.name.slice(1) });
  }

  private async save(rec: ContainerRecord): Promise<void> {
    await this.dirs.save(rec);
  }

  async start(ref: string): Promise<void> {
    const l = this.entry(ref);
    const s = l.rec.state;
    if (s.Paused) throw new BoxlabError('FailedPrecondition', 'cannot start a paused container, try unpause instead');
    if (s.Running) throw new BoxlabError('NotModified', 'container already started');
    l.rec.manuallyStopped = false;
    await this.startTask(l);
  }

  private async startTask(l: Live): Promise<void> {
    const rec = l.rec;
    if (!l.latch.open) l.latch = newLatch();
    let task: Task;
    try {
      task = await this.runtime.start(rec, {
        output: (stream, data) => {
          l.log.write(stream, data);
          for (const f of l.listeners) f(stream, data);
        },
        ...(rec.config.OpenStdin ? { stdin: (l.stdin ??= new InputQueue()) } : {}),
      });
    } catch (e) {
      l.latch.close();
      if (!(e instanceof TaskStartError)) {
        // the daemon refused before runc ran (a namespace it cannot join): moby's containerStart
        // records the error and removes an AutoRemove container all the same
        if (e instanceof BoxlabError) {
          rec.state = { ...rec.state, Error: e.message };
          await this.save(rec);
          await this.runtime.cleanup(rec);
          if (rec.hostConfig.AutoRemove) await this.removeNow(l);
        }
        throw e;
      }
      // runc's create failed: the container stays created, with the error and runc's exit status
      rec.state = { ...rec.state, Error: runcStartMessage(e), ExitCode: e.reason === 'not-found' || e.reason === 'no-such-file' ? 127 : 126 };
      await this.save(rec);
      await this.runtime.cleanup(rec);
      if (rec.hostConfig.AutoRemove) await this.removeNow(l);
      throw new BoxlabError(e.reason === 'other' ? 'Unavailable' : 'InvalidArgument', runcStartMessage(e));
    }
    l.task = task;
    rec.hasBeenStarted = true;
    rec.state = { ...rec.state, Status: 'running', Running: true, Paused: false, Restarting: false, OOMKilled: false, Dead: false, Pid: task.pid, ExitCode: 0, Error: '', StartedAt: goTime(this.now()) };
    await this.save(rec);
    this.emit(rec, 'start');
    l.settled = task.exited.then((exit) => this.onExit(l, task, exit));
  }

  private async onExit(l: Live, task: Task, exit: TaskExit): Promise<void> {
    if (l.task !== task) return;
    l.task = undefined;
    l.stdin = undefined;
    l.log.flush();
    l.latch.close();
    const rec = l.rec;
    rec.state = { ...rec.state, Status: 'exited', Running: false, Paused: false, Restarting: false, OOMKilled: !!exit.oomKilled, Pid: 0, ExitCode: exit.code, FinishedAt: goTime(this.now()) };
    await this.runtime.cleanup(rec);
    if (exit.oomKilled) this.emit(rec, 'oom');
    this.emit(rec, 'die', { exitCode: String(exit.code) });
    const restart = this.shouldRestart(rec, exit);
    if (rec.hostConfig.AutoRemove && !restart) await this.removeNow(l);
    else {
      if (restart) this.scheduleRestart(l);
      await this.save(rec);
    }
    // the state is on disk before a waiter hears of the exit
    for (const w of l.exitWaiters.splice(0)) w(exit);
  }

  /** moby restartmanager: whether the policy brings the container back after this exit. */
  private shouldRestart(rec: ContainerRecord, exit: TaskExit): boolean {
    if (rec.manuallyStopped) return false;
    const p = rec.hostConfig.RestartPolicy;
    switch (p.Name) {
      case 'always':
      case 'unless-stopped':
        return true;
      case 'on-failure':
        return exit.code !== 0 && (p.MaximumRetryCount === 0 || rec.restartCount < p.MaximumRetryCount);
      default:
        return false;
    }
  }

  /** The restart manager's backoff: 100 ms, doubling per restart (moby caps it at a minute). */
  private scheduleRestart(l: Live): void {
    const rec = l.rec;
    const delay = Math.min(100 * 2 ** rec.restartCount, 60_000);
    rec.state = { ...rec.state, Status: 'restarting', Restarting: true };
    l.restartTimer = setTimeout(() => {
      l.restartTimer = undefined;
      if (!rec.state.Restarting) return;
      rec.restartCount++;
      this.startTask(l).catch(() => {
        rec.state = { ...rec.state, Status: 'exited', Restarting: false };
        void this.save(rec);
      });
    }, delay);
    l.restartTimer.unref?.();
  }

  private cancelRestart(l: Live): void {
    if (l.restartTimer) clearTimeout(l.restartTimer);
    l.restartTimer = undefined;
    if (l.rec.state.Restarting) l.rec.state = { ...l.rec.state, Status: 'exited', Restarting: false };
  }

  /**
   * `docker stop`: the image's StopSignal (SIGTERM by default), then SIGKILL after `timeout` seconds
   * (the query's `t`, else the container's StopTimeout, else 10). A PID 1 without a handler ignores
   * the first signal, so a plain `sleep` as PID 1 takes the whole grace period and exits 137.
   */
  async stop(ref: string, timeout?: number): Promise<void> {
    const l = this.entry(ref);
    l.rec.manuallyStopped = true;
    this.cancelRestart(l);
    if (!l.task) {
      await this.save(l.rec);
      throw new BoxlabError('NotModified', 'container already stopped');
    }
    const t = timeout ?? l.rec.config.StopTimeout ?? 10;
    const sig = parseSignal(l.rec.config.StopSignal ?? 'SIGTERM') ?? SIGTERM;
    await this.signalAndWait(l, sig, t);
    this.emit(l.rec, 'stop');
  }

  private async signalAndWait(l: Live, sig: number, timeoutSec: number): Promise<void> {
    const task = l.task;
    if (!task) return;
    if (l.rec.state.Paused) task.resume();
    this.emit(l.rec, 'kill', { signal: String(sig) });
    task.kill(sig);
    const exited = await Promise.race([
      task.exited.then(() => true),
      timeoutSec < 0 ? new Promise<boolean>(() => {}) : new Promise<boolean>((r) => setTimeout(() => r(false), timeoutSec * 1000)),
    ]);
    if (!exited) {
      this.emit(l.rec, 'kill', { signal: String(SIGKILL) });
      task.kill(SIGKILL);
      await task.exited;
    }
    await l.settled;
  }

  /** `docker kill -s SIG`: one signal to PID 1. */
  async kill(ref: string, signal = 'KILL'): Promise<void> {
    const l = this.entry(ref);
    const sig = parseSignal(signal);
    if (sig === undefined) throw new BoxlabError('InvalidArgument', `Invalid signal: ${signal}`);
    if (!l.task) throw new BoxlabError('FailedPrecondition', `Cannot kill container: ${ref}: Container ${l.rec.id} is not running`);
    if (sig === SIGKILL) {
      l.rec.manuallyStopped = true;
    }
    this.emit(l.rec, 'kill', { signal: String(sig) });
    if (l.rec.state.Paused && sig === SIGKILL) l.task.resume();
    l.task.kill(sig);
    if (sig === SIGKILL) {
      await l.task?.exited;
      await l.settled;
    }
  }

  async restart(ref: string, timeout?: number): Promise<void> {
    const l = this.entry(ref);
    this.cancelRestart(l);
    if (l.task) {
      l.rec.manuallyStopped = true;
      await this.signalAndWait(l, parseSignal(l.rec.config.StopSignal ?? 'SIGTERM') ?? SIGTERM, timeout ?? l.rec.config.StopTimeout ?? 10);
      this.emit(l.rec, 'stop');
    }
    l.rec.manuallyStopped = false;
    await this.startTask(l);
    this.emit(l.rec, 'restart');
  }

  async pause(ref: string): Promise<void> {
    const l = this.entry(ref);
    if (!l.task) throw new BoxlabError('FailedPrecondition', `Container ${l.rec.id} is not running`);
    if (l.rec.state.Paused) throw new BoxlabError('FailedPrecondition', `Container ${l.rec.id} is already paused`);
    l.task.pause();
    l.rec.state = { ...l.rec.state, Status: 'paused', Paused: true };
    await this.save(l.rec);
    this.emit(l.rec, 'pause');
  }

  async unpause(ref: string): Promise<void> {
    const l = this.entry(ref);
    if (!l.task || !l.rec.state.Paused) throw new BoxlabError('FailedPrecondition', `Container ${l.rec.id} is not paused`);
    l.task.resume();
    l.rec.state = { ...l.rec.state, Status: 'running', Paused: false };
    await this.save(l.rec);
    this.emit(l.rec, 'unpause');
  }

  /**
   * `POST /containers/{id}/wait`: resolves with the exit code. `not-running` answers at once for a
   * container that is not running; `next-exit` waits for the next exit; `removed` for its removal.
   * `ready` resolves once the wait is registered (the API sends its headers then, as moby does).
   */
  wait(ref: string, condition: WaitCondition = 'not-running'): { ready: Promise<void>; done: Promise<number> } {
    const l = this.entry(ref);
    let done: Promise<number>;
    if (condition === 'removed') done = new Promise((r) => l.removedWaiters.push(r));
    // an exit still being handled (cleanup, the record's save) is waited for: the state is on disk first
    else if (condition === 'not-running' && !l.task && !l.rec.state.Restarting) done = Promise.resolve(l.settled).then(() => l.rec.state.ExitCode);
    else done = new Promise((r) => l.exitWaiters.push((e) => r(e.code)));
    return { ready: Promise.resolve(), done };
  }

  async rename(ref: string, newName: string): Promise<void> {
    const l = this.entry(ref);
    if (!newName) throw new BoxlabError('InvalidArgument', 'Neither old nor new names may be empty');
    const canonical = canonicalName(newName);
    if (canonical === l.rec.name) throw new BoxlabError('InvalidArgument', 'Renaming a container with the same name as its current name');
    const holder = this.nameTaken(canonical);
    if (holder)
      throw new BoxlabError(
        'AlreadyExists',
        `Error when allocating new name: Conflict. The container name "${canonical}" is already in use by container "${holder.id}". You have to remove (or rename) that container to be able to reuse that name.`,
      );
    const old = l.rec.name;
    l.rec.name = canonical;
    this.byName.delete(old);
    this.byName.set(canonical, l);
    await this.save(l.rec);
    for (const parent of renameLinkChild(this.all(), old, canonical)) await this.save(parent);
    this.emit(l.rec, 'rename', { oldName: old });
  }

  /** `docker rm [-f]`: a running container needs force (then SIGKILL first). */
  async remove(ref: string, opts: { force?: boolean; removeVolumes?: boolean } = {}): Promise<ContainerRecord> {
    const l = this.entry(ref);
    if (l.rec.state.Paused && !opts.force)
      throw new BoxlabError('FailedPrecondition', `You cannot remove a paused container ${l.rec.id}. Unpause and then stop the container before attempting removal or force remove`);
    if ((l.task || l.rec.state.Restarting) && !opts.force)
      throw new BoxlabError('FailedPrecondition', `You cannot remove a running container ${l.rec.id}. Stop the container before attempting removal or force remove`);
    this.cancelRestart(l);
    if (l.task) {
      l.rec.manuallyStopped = true;
      this.emit(l.rec, 'kill', { signal: String(SIGKILL) });
      if (l.rec.state.Paused) l.task.resume();
      l.task.kill(SIGKILL);
      await l.task?.exited;
      await l.settled;
    }
    if (this.live.has(l.rec.id)) await this.removeNow(l, opts.removeVolumes);
    return l.rec;
  }

  private async removeNow(l: Live, removeVolumes = l.rec.hostConfig.AutoRemove): Promise<void> {
    this.live.delete(l.rec.id);
    if (this.byName.get(l.rec.name) === l) this.byName.delete(l.rec.name);
    await this.runtime.remove(l.rec);
    this.mountHooks?.released(l.rec, removeVolumes);
    await this.dirs.remove(l.rec.id);
    this.emit(l.rec, 'destroy');
    for (const w of l.removedWaiters.splice(0)) w(l.rec.state.ExitCode);
  }

  /** Output of a container from now on; call the returned function to stop listening. */
  listen(ref: string, fn: OutputListener): { stop: () => void; closed: Promise<void> } {
    const l = this.entry(ref);
    l.listeners.add(fn);
    return { stop: () => l.listeners.delete(fn), closed: l.latch.closed };
  }

  /**
   * Where an attach with stdin writes: PID 1's stdin (the one the next start will use when it is not
   * running); undefined when the container was made without OpenStdin (`-i`), as moby ignores it then.
   */
  stdinOf(ref: string): InputQueue | undefined {
    const l = this.entry(ref);
    if (!l.rec.config.OpenStdin) return undefined;
    return (l.stdin ??= new InputQueue());
  }

  /** `POST /containers/{id}/resize`: the terminal's window size, when the container runs with one. */
  resize(ref: string, rows: number, cols: number): void {
    this.entry(ref).task?.resize?.(rows, cols);
  }

  /** Resolves when the container's current PID 1 has ended (its output streams are closed). */
  streamsClosed(ref: string): Promise<void> {
    return this.entry(ref).latch.closed;
  }

  /** Resolves once the last exit of the container's PID 1 has been recorded (tests, shutdown). */
  async settled(ref: string): Promise<void> {
    await this.entry(ref).settled;
  }

  logOf(ref: string): JsonLog {
    return this.entry(ref).log;
  }

  task(ref: string): Task | undefined {
    return this.entry(ref).task;
  }

  /** The daemon is shutting down: stop every running container as `docker stop` does. */
  async shutdown(): Promise<void> {
    await Promise.all(
      [...this.live.values()].map(async (l) => {
        this.cancelRestart(l);
        if (!l.task) return;
        await this.signalAndWait(l, parseSignal(l.rec.config.StopSignal ?? 'SIGTERM') ?? SIGTERM, Math.min(l.rec.config.StopTimeout ?? 10, 10));
      }),
    );
  }

  /** Unused by containers and their upper layers: what `docker rm` would free. */
  /** `docker update`: new limits and restart policy (update.ts). */
  async update(ref: string, body: UpdateRequest): Promise<{ Warnings: string[] | null }> {
    return updateContainer(this.get(ref), body, { ncpu: os.cpus().length, save: (r) => this.save(r), emit: (r) => this.emit(r, 'update'), cgroupOf: (id) => this.runtime.cgroupOf?.(id) });
  }

  async saveRecord(rec: ContainerRecord): Promise<void> {
    await this.save(rec);
  }

  storeRoot(): string {
    return this.store.root;
  }
}

/** Why runc could not execute the program, in its words (the part after `exec: "PROGRAM": `). */
function runcReason(e: TaskStartError): string {
  switch (e.reason) {
    case 'not-found':
      return 'executable file not found in $PATH';
    case 'permission':
      return 'permission denied';
    case 'no-such-file':
      return `stat ${e.program}: no such file or directory`;
    default:
      return e.message;
  }
}

/** runc's wording for a process that could not start, as the engine passes it on. */
export function runcStartMessage(e: TaskStartError): string {
  return `failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "${e.program}": ${runcReason(e)}: unknown`;
}

/** The same failure in `docker exec`, as the engine words it. */
export function runcExecMessage(e: TaskStartError): string {
  return `OCI runtime exec failed: exec failed: unable to start container process: exec: "${e.program}": ${runcReason(e)}: unknown`;
}
