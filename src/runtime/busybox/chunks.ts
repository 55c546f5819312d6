/**
 * Reading an input in bounded memory, as busybox's applets do with read(2) into a fixed buffer
 * (libbb's bb_copyfd_eof, wc.c's getc loop, head.c's and tail.c's rings): a 100 MB file in a volume
 * passes through 64 KiB at a time, and only what the applet must keep (the last N lines or bytes of
 * `tail`, the lines withheld by `head -n -N`) stays in memory.
 */
import type { ReadStream, WriteStream } from '../program.js';

/** Each chunk of a stream, as read(2) returns them. */
export async function* chunksOf(r: ReadStream): AsyncGenerator<Buffer> {
  for (;;) {
    const b = await r.read();
    if (b === null) return;
    yield Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  }
}

/**
 * The lines of a stream as bytes, each with its newline (the last without when the input does not end
 * in one). A line longer than a chunk is joined from its pieces; nothing else is held.
 */
export async function* byteLines(r: ReadStream): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  for await (const b of chunksOf(r)) {
    let from = 0;
    for (let nl = b.indexOf(10, from); nl >= 0; nl = b.indexOf(10, from)) {
      const piece = b.subarray(from, nl + 1);
      yield pending.length ? Buffer.concat([...pending, piece]) : piece;
      pending = [];
      from = nl + 1;
    }
    if (from < b.length) pending.push(Buffer.from(b.subarray(from)));
  }
  if (pending.length) yield Buffer.concat(pending);
}

/** Copies a stream to a writer chunk by chunk (bb_copyfd_eof); the number of bytes copied. */
export async function copyStream(r: ReadStream, w: Pick<WriteStream, 'write'>): Promise<number> {
  let n = 0;
  for await (const b of chunksOf(r)) {
    await w.write(b);
    n += b.length;
  }
  return n;
}

/**
 * The last `n` bytes seen: chunks are kept while the bytes after the oldest still cover `n`, so memory
 * stays near n plus one chunk (tail.c keeps a buffer of the count it was asked for).
 */
export class LastBytes {
  private parts: Buffer[] = [];
  private size = 0;
  constructor(private readonly n: number) {}
  push(b: Buffer): void {
    if (this.n === 0) return;
    this.parts.push(b);
    this.size += b.length;
    while (this.parts.length > 1 && this.size - this.parts[0]!.length >= this.n) this.size -= this.parts.shift()!.length;
  }
  /** What was kept, cut to the last n bytes. */
  bytes(): Buffer {
    const all = Buffer.concat(this.parts);
    return all.subarray(Math.max(0, all.length - this.n));
  }
}

/** A queue that holds at most `n` items and hands back the one it drops (head -n -N, tail -n N). */
export class Window<T> {
  private items: T[] = [];
  private start = 0;
  constructor(private readonly n: number) {}
  /** Adds an item; the oldest when more than n are held, else undefined. */
  push(item: T): T | undefined {
    if (this.n === 0) return item;
    this.items.push(item);
    if (this.items.length - this.start <= this.n) return undefined;
    const out = this.items[this.start++];
    // compact now and then so the array does not grow with the input
    if (this.start > 1024 && this.start * 2 > this.items.length) {
      this.items = this.items.slice(this.start);
      this.start = 0;
    }
    return out;
  }
  held(): T[] {
    return this.items.slice(this.start);
  }
}
