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
import { NetworkService } from './networks.js';
import { EventBus } from './events.js';
import { ImageService } from './images.js';
import { defaultPrograms } from './programs.js';

export interface EngineOptions {
  root?: string;
  /** The programs containers run (default: the shell and busybox's applets). */
  programs?: ProgramRegistry;
}

export class Engine {
  readonly events = new EventBus();
  readonly images: ImageService;
  readonly runtime: ModelRuntime;
  readonly containers: ContainerService;
  readonly execs: ExecService;
  readonly networks: NetworkService;

  private constructor(
    readonly store: Store,
    opts: EngineOptions,
  ) {
    this.images = new ImageService(store, this.events);
    this.networks = new NetworkService(store.root, this.events);
    const net = this.networks;
    this.runtime = new ModelRuntime(this.images, { programs: opts.programs ?? defaultPrograms(), etcFiles: (c) => net.etcFiles(c), netStack: (c) => net.stack(c.id) });
    this.containers = new ContainerService(store, this.images, this.events, new NetworkedRuntime(this.runtime, net), {
      cgroupVersion: 1,
      networks: (h, e) => net.initialNetworks(h, e),
    });
    net.bind({ get: (r) => this.containers.get(r), all: () => this.containers.all(), saveRecord: (r) => this.containers.saveRecord(r), refreshEtcFiles: (r) => this.runtime.refreshEtcFiles(r) });
    this.execs = new ExecService(this.containers);
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
}

export type { LoadResult, ImageSummary, HistoryRow, LayerReport, RemovedItem } from './images.js';
