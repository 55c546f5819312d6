/**
 * What Docker keeps beside an image that is not part of it: the time `docker tag` last named it
 * (moby image/store.go SetLastUpdated, shown as `Metadata.LastTagTime`). A load sets no tag time,
 * as Docker's load adds its tags to the reference store without it. One small JSON file in the
 * store's root, written atomically under the store's lock.
 */
import * as path from 'node:path';
import type { Digest } from '../digest.js';
import { existsSync, readJson, writeFileAtomic } from '../util/fsx.js';

/** Go's zero time, as Docker prints a LastTagTime that was never set. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

export class ImageMetadata {
  private readonly file: string;

  constructor(root: string) {
    this.file = path.join(root, 'image-metadata.json');
  }

  private async read(): Promise<Record<string, { lastTagTime?: string }>> {
    if (!existsSync(this.file)) return {};
    return readJson(this.file);
  }

  async lastTagTime(id: Digest): Promise<string> {
    return (await this.read())[id]?.lastTagTime ?? ZERO_TIME;
  }

  /** Call holding the store's lock. */
  async setLastTagTime(id: Digest, when: Date): Promise<void> {
    const all = await this.read();
    all[id] = { ...all[id], lastTagTime: when.toISOString() };
    await writeFileAtomic(this.file, JSON.stringify(all, null, 2));
  }

  /** Forgets deleted images. Call holding the store's lock. */
  async forget(ids: readonly Digest[]): Promise<void> {
    const all = await this.read();
    if (!ids.some((id) => id in all)) return;
    for (const id of ids) delete all[id];
    await writeFileAtomic(this.file, JSON.stringify(all, null, 2));
  }
}
