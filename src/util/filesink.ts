import { once } from 'node:events';
import * as fs from 'node:fs';
import { finished } from 'node:stream/promises';

/**
 * Ordered writes to a new file without waiting for each one: a WriteStream whose writes are awaited
 * only when its buffer is full, so reading, hashing and writing overlap (libuv writes on its
 * threadpool while the main thread goes on).
 */
export class FileSink {
  private readonly ws: fs.WriteStream;
  private failure: Error | undefined;
  private readonly failed: Promise<void>;

  constructor(readonly path: string) {
    this.ws = fs.createWriteStream(path, { highWaterMark: 8 << 20, mode: 0o644 });
    this.failed = new Promise((resolve) =>
      this.ws.on('error', (err) => {
        this.failure ??= err;
        resolve();
      }),
    );
  }

  /** Resolves at once unless the buffer is full; the chunk must not be changed afterwards. */
  async write(chunk: Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.ws.write(chunk)) await Promise.race([once(this.ws, 'drain'), this.failed]);
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    if (!this.ws.closed) {
      this.ws.end();
      await finished(this.ws).catch((err: Error) => (this.failure ??= err));
    }
    if (this.failure) throw this.failure;
  }
}
