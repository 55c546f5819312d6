/**
 * The engine: a small composition of one service per Docker noun, as moby's daemon holds its image
 * service, volume service and network controller. Each service owns its part of the store and
 * reports what it does on the shared event bus. Today: images; containers, volumes and networks
 * join here as they are built.
 *
 *   const engine = await Engine.open({ root });
 *   await engine.images.load('app.tar');
 *   await engine.images.list();
 */
import { defaultRoot, Store } from '../store/store.js';
import type { ProgramRegistry } from '../runtime/program.js';
import { ContainerService } from './containers/service.js';
import { ExecService } from './containers/exec.js';
import { ModelRuntime } from './containers/runtime.js';
import { NetworkedRuntime } from './networked-runtime.js';
import { joinedNetns, NetworkService } from './networks.js';
import { PersistedUppers } from './containers/uppers.js';
import { EventBus } from './events.js';
import { ImageService } from './images.js';
import { defaultPrograms } from './programs.js';
import { VolumeService } from './volumes.js';
import { hostMachine } from './containers/machine.js';
import { PublishedPorts } from './published.js';
import { withTcp } from './nettcp.js';

export interface EngineOptions {
  root?: string;
  /** The programs containers run (default: the shell and busybox's applets). */
  programs?: ProgramRegistry;
  /** fdatasync each change to a container's upper layer (default: off; see containers/uppers.ts). BOXLAB_UPPER_FSYNC=1 turns it on. */
  upperFsync?: boolean;
}

export class Engine {
  readonly events = new EventBus();
  readonly images: ImageService;
  readonly runtime: ModelRuntime;
  readonly containers: ContainerService;
  readonly execs: ExecService;
  readonly volumes: VolumeService;
  readonly networks: NetworkService;
  /** Published ports (real host listeners) and the containers' TCP sockets (published.ts). */
  readonly ports = new PublishedPorts();
  /** Containers' upper layers, persisted in the store (containers/uppers.ts). */
  readonly uppers: PersistedUppers;

  private constructor(
    readonly store: Store,
    opts: EngineOptions,
  ) {
    this.images = new ImageService(store, this.events);
    this.volumes = new VolumeService(store.root, this.events);
    this.networks = new NetworkService(store.root, this.events);
    const net = this.networks;
    this.uppers = new PersistedUppers(store, { fsync: opts.upperFsync ?? process.env.BOXLAB_UPPER_FSYNC === '1' });
    this.runtime = new ModelRuntime(this.images, {
      uppers: this.uppers,
      programs: opts.programs ?? defaultPrograms(),
      etcFiles: (c) => net.etcFiles(c),
      linkEnv: (c) => net.linkEnv(c),
      netStack: (c) => withTcp(net.stack(joinedNetns(c)), net.ctl, joinedNetns(c), this.ports),
      machine: hostMachine(store.root),
      mounts: (c) => this.volumes.runtimeMounts(c),
      archiveMounts: (c) => this.volumes.archiveMounts(c),
    });
    const cgroups = this.runtime.cgroups;
    this.containers = new ContainerService(store, this.images, this.events, new NetworkedRuntime(this.runtime, net, this.ports), {
      get cgroupVersion() {
        return cgroups.version;
      },
      networks: (h, e) => net.initialNetworks(h, e),
    });
    this.volumes.wire(this.containers, this.runtime);
    net.bind({ get: (r) => this.containers.get(r), all: () => this.containers.all(), saveRecord: (r) => this.containers.saveRecord(r), refreshEtcFiles: (r) => this.runtime.refreshEtcFiles(r) });
    this.execs = new ExecService(this.containers);
    // docker rmi asks which containers use an image (image-conflicts.ts)
    const usersOf = (image: string) => this.containers.all().filter((c) => c.image === image);
    this.images.containerUsers = (image) => usersOf(image).map((c) => ({ id: c.id, running: c.state.Running || c.state.Restarting || c.state.Paused }));
    this.images.pinUsers = async (image) => {
      for (const c of usersOf(image)) await this.runtime.rootfs(c);
    };
  }

  static async open(opts: EngineOptions = {}): Promise<Engine> {
    return new Engine(await Store.open(opts.root ?? defaultRoot()), opts);
  }

  /** Loads what the daemon keeps beyond images (containers); the image verbs do not need it. */
  async init(): Promise<void> {
    await this.networks.init();
    await this.containers.init();
    await this.networks.settle();
  }

  /** Writes every attached upper whole and lets go of the store's snapshots (the daemon stops). */
  async close(): Promise<void> {
    await this.uppers.checkpointAll();
    await this.uppers.close();
  }
}

export type { LoadResult, ImageSummary, HistoryRow, LayerReport, RemovedItem } from './images.js';
