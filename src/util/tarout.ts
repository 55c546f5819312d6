import * as fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import tar, { type Header } from 'tar-stream';

export type TarHeader = Partial<Header> & Pick<Header, 'name'>;

/**
 * A tar being written with tar-stream, with backpressure: each add resolves once the member is
 * in the pack, and file bodies stream from disk without being held in memory.
 */
export class TarWriter {
  readonly pack = tar.pack();
  private readonly done: Promise<void>;

  constructor(out: Writable) {
    this.done = pipeline(this.pack as unknown as NodeJS.ReadableStream, out);
    this.done.catch(() => {});
  }

  add(header: TarHeader, data?: Buffer | string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pack.entry(header, data ?? '', (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Adds a member whose body is `size` bytes of `file` from `offset`; `onBytes` sees it go by. */
  addFromFile(header: TarHeader, file: string, offset: number, size: number, onBytes?: (done: number) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const entry = this.pack.entry({ ...header, size }, (err) => (err ? reject(err) : resolve()));
      if (size === 0) {
        entry.end(undefined as never);
        return;
      }
      const src = fs.createReadStream(file, { start: offset, end: offset + size - 1, highWaterMark: 1 << 20 });
      if (onBytes) src.on('data', () => onBytes(src.bytesRead));
      pipeline(src, entry as unknown as NodeJS.WritableStream).catch(reject);
    });
  }

  async finish(): Promise<void> {
    this.pack.finalize();
    await this.done;
  }
}
