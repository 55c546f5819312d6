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
import { EventBus } from './events.js';
import { ImageService } from './images.js';

export class Engine {
  readonly events = new EventBus();
  readonly images: ImageService;

  private constructor(readonly store: Store) {
    this.images = new ImageService(store, this.events);
  }

  static async open(opts: { root?: string } = {}): Promise<Engine> {
    return new Engine(await Store.open(opts.root ?? defaultRoot()));
  }
}

export type { LoadResult, ImageSummary, HistoryRow, LayerReport, RemovedItem } from './images.js';
