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
import type { ContainerRecord } from './containers/record.js';
import { EventBus } from './events.js';
import { ImageService } from './images.js';
import { defaultPrograms } from './programs.js';
import { VolumeService } from './volumes.js';
import { hostMachine } from './containers/machine.js';

export interface EngineOptions {
  root?: string;
  /** The programs containers run (default: the shell and busybox's applets). */
  programs?: ProgramRegistry;
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
  readonly volumes: VolumeService;

  private constructor(
    readonly store: Store,
    opts: EngineOptions,
  ) {
    this.images = new ImageService(store, this.events);
    this.volumes = new VolumeService(store.root, this.events);
    this.runtime = new ModelRuntime(this.images, { programs: opts.programs ?? defaultPrograms(), etcFiles, machine: hostMachine(store.root), mounts: (c) => this.volumes.runtimeMounts(c) });
    const cgroups = this.runtime.cgroups;
    this.containers = new ContainerService(store, this.images, this.events, this.runtime, {
      get cgroupVersion() {
        return cgroups.version;
      },
    });
    this.volumes.wire(this.containers, this.runtime);
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
    await this.containers.init();
  }
}

export type { LoadResult, ImageSummary, HistoryRow, LayerReport, RemovedItem } from './images.js';
