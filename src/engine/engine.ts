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
import { ModelRuntime, type EtcFiles } from './containers/runtime.js';
import { PersistedUppers } from './containers/uppers.js';
import type { ContainerRecord } from './containers/record.js';
import { EventBus } from './events.js';
import { ImageService } from './images.js';
import { defaultPrograms } from './programs.js';

export interface EngineOptions {
  root?: string;
  /** The programs containers run (default: the shell and busybox's applets). */
  programs?: ProgramRegistry;
  /** fdatasync each change to a container's upper layer (default: off; see containers/uppers.ts). BOXLAB_UPPER_FSYNC=1 turns it on. */
  upperFsync?: boolean;
}

/** The files Docker writes for a container on no network of its own yet: hostname and localhost. */
function etcFiles(c: ContainerRecord): EtcFiles {
  return {
    hostname: `${c.config.Hostname}\n`,
    hosts: '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n',
    resolvConf: '',
  };
}

export class Engine {
  readonly events = new EventBus();
  readonly images: ImageService;
  readonly runtime: ModelRuntime;
  readonly containers: ContainerService;
  readonly execs: ExecService;
  /** Containers' upper layers, persisted in the store (containers/uppers.ts). */
  readonly uppers: PersistedUppers;

  private constructor(
    readonly store: Store,
    opts: EngineOptions,
  ) {
    this.images = new ImageService(store, this.events);
    this.uppers = new PersistedUppers(store, { fsync: opts.upperFsync ?? process.env.BOXLAB_UPPER_FSYNC === '1' });
    this.runtime = new ModelRuntime(this.images, { programs: opts.programs ?? defaultPrograms(), etcFiles, uppers: this.uppers });
    this.containers = new ContainerService(store, this.images, this.events, this.runtime);
    this.execs = new ExecService(this.containers);
  }

  static async open(opts: EngineOptions = {}): Promise<Engine> {
    return new Engine(await Store.open(opts.root ?? defaultRoot()), opts);
  }

  /** Loads what the daemon keeps beyond images (containers); the image verbs do not need it. */
  async init(): Promise<void> {
    await this.containers.init();
  }

  /** Writes every attached upper whole and lets go of the store's snapshots (the daemon stops). */
  async close(): Promise<void> {
    await this.uppers.checkpointAll();
    await this.uppers.close();
  }
}

export type { LoadResult, ImageSummary, HistoryRow, LayerReport, RemovedItem } from './images.js';
