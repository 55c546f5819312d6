/**
 * Where a tar ends, as Go's archive/tar reads it (and so `docker load`, for the archive and for each
 * layer): at the header position after a member's data,
 *
 * - a zero block followed by a zero block, or by nothing, ends the archive; whatever follows is not
 *   read as tar (Docker still hashes it: a layer's diffID covers the whole stream, moby drains it);
 * - a zero block followed by anything else is "invalid tar header";
 * - no bytes at all is a clean end (an archive without its end marker, or an empty file).
 *
 * tar-stream instead skips zero blocks and reads on, so trailing junk after the end marker fails the
 * load and a second archive appended after it would be applied. This class watches the bytes as they
 * go to tar-stream and answers, at each header position, whether tar-stream may read a header there.
 * It keeps only the bytes from the latest header position on, never a member's data.
 */

import { once } from 'node:events';
import { Writable, type Readable } from 'node:stream';
import tar from 'tar-stream';

const BLOCK = 512;

export type TarEndVerdict =
  /** a header is there (or too few bytes for one, which tar-stream reports as unexpected EOF) */
  | 'header'
  /** the archive ends here */
  | 'end'
  /** a zero block, then a non-zero one: Go's ErrHeader */
  | 'invalid'
  /** a zero block, then part of a block: Go's io.ErrUnexpectedEOF */
  | 'truncated'
  /** not enough bytes seen yet to tell */
  | 'wait';

/** Where the next header starts after a member whose data starts at `dataOffset`. */
export function nextHeaderOffset(dataOffset: number, size: number, type: string | null | undefined): number {
  // tar-stream reads no data for a directory whatever its size field says; Go does the same for every
  // header-only type, and tar-stream for zero sizes, which is what those types carry in practice
  const data = type === 'directory' ? 0 : size;
  return dataOffset + Math.ceil(data / BLOCK) * BLOCK;
}

export class TarEnd {
  private readonly chunks: { start: number; buf: Buffer }[] = [];
  private seen = 0;
  private inputDone = false;
  /** Where the next header is expected. */
  private at = 0;

  /** Bytes in the order they reach tar-stream, before they reach it. */
  observe(buf: Buffer): void {
    if (buf.length === 0) return;
    const start = this.seen;
    this.seen += buf.length;
    if (this.seen > this.at) this.chunks.push({ start, buf });
  }

  /** No more bytes will come. */
  finish(): void {
    this.inputDone = true;
  }

  /** The next header starts at `offset`: bytes before it are no longer needed. */
  expect(offset: number): void {
    this.at = offset;
    while (this.chunks.length && this.chunks[0]!.start + this.chunks[0]!.buf.length <= offset) this.chunks.shift();
  }

  /** What Go's reader finds at the expected header position, given the bytes seen so far. */
  verdict(): TarEndVerdict {
    // the common case, once per member: a header's first byte (of its name) is not zero
    const lead = this.byteAt(this.at);
    if (lead !== undefined && lead !== 0) return 'header';
    const first = this.block(this.at);
    if (first === undefined) return 'wait';
    if (first.length === 0) return 'end';
    if (first.length < BLOCK || !isZero(first)) return 'header';
    const second = this.block(this.at + BLOCK);
    if (second === undefined) return 'wait';
    if (second.length === 0) return 'end';
    if (second.length < BLOCK) return 'truncated';
    return isZero(second) ? 'end' : 'invalid';
  }

  private byteAt(offset: number): number | undefined {
    for (const { start, buf } of this.chunks) if (offset >= start && offset < start + buf.length) return buf[offset - start];
    return undefined;
  }

  /** The block at `offset`, shorter only at the end of input; undefined until it has all been seen. */
  private block(offset: number): Buffer | undefined {
    const end = offset + BLOCK;
    if (this.seen < end && !this.inputDone) return undefined;
    const parts: Buffer[] = [];
    for (const { start, buf } of this.chunks) {
      const from = Math.max(offset, start);
      const to = Math.min(end, start + buf.length);
      if (from < to) parts.push(buf.subarray(from - start, to - start));
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }
}

function isZero(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

/** tar-stream 3 records where a member's data starts; its typings do not declare it. */
export type HeaderWithOffset = tar.Header & { byteOffset?: number };

export type EntryHandler = (header: HeaderWithOffset, stream: Readable, next: (err?: unknown) => void) => void;

/**
 * tar-stream's extract behind Go's idea of where a tar ends (see TarEnd). Write the archive's bytes
 * to it; `onEntry` sees each member as tar-stream gives it. It finishes at the end marker, after
 * which it takes and drops the rest (the caller still hashes it), or fails with Go's words
 * ("invalid tar header", "unexpected EOF") where Go's reader would.
 */
export class TarReader extends Writable {
  private readonly extract = tar.extract();
  private readonly marker = new TarEnd();
  /** Bytes held back until the first header is known to be one. */
  private held: Buffer[] | undefined = [];
  /** tar-stream's `next` for the last member, held until the bytes after it are seen. */
  private pendingNext: (() => void) | undefined;
  private ended = false;
  /** Wakes a write waiting for tar-stream to drain when the reader needs more bytes to decide instead. */
  private wantMore: (() => void) | undefined;
  private readonly settled: Promise<void>;
  private settle: (err?: Error) => void = () => {};

  constructor(onEntry: EntryHandler) {
    super({ highWaterMark: 1 << 20 });
    this.settled = new Promise<void>((resolve, reject) => {
      this.settle = (err) => (err ? reject(err) : resolve());
    });
    this.settled.catch(() => {});
    this.extract.on('entry', (header, stream, next) => {
      const h = header as HeaderWithOffset;
      this.marker.expect(nextHeaderOffset(h.byteOffset ?? 0, h.size ?? 0, h.type));
      onEntry(h, stream as unknown as Readable, (err) => {
        if (err) this.extract.destroy(err as Error);
        else this.atHeader(next);
      });
    });
    this.extract.on('finish', () => this.settle());
    this.extract.on('error', (err: Error) => {
      this.settle(err);
      this.destroy(err);
    });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.ended) return cb();
    this.marker.observe(chunk);
    if (this.held) {
      this.held.push(chunk);
      return this.flow(this.decideFirst(), cb);
    }
    this.retryPending();
    if (this.ended) return cb();
    this.flow(this.extract.write(chunk), cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.marker.finish();
    if (this.held) this.decideFirst();
    this.retryPending();
    if (!this.ended) (this.extract as unknown as { end(): void }).end();
    this.settled.then(
      () => cb(),
      (err: Error) => cb(err),
    );
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.extract.destroy();
    cb(err);
  }

  /** Unless tar-stream took the last write at once, waits until it takes more (or has ended or failed). */
  private flow(took: boolean, cb: (err?: Error | null) => void): void {
    if (took || this.ended || this.pendingNext) return cb();
    // tar-stream may stop at a header position that needs the next bytes to decide (pendingNext):
    // waiting for its drain then would wait forever, as the next write is this one's successor
    const more = new Promise<void>((resolve) => (this.wantMore = resolve));
    Promise.race([once(this.extract, 'drain'), this.settled, more]).then(
      () => {
        this.wantMore = undefined;
        cb();
      },
      (err: Error) => cb(err),
    );
  }

  /** Before the first header: hands the held bytes over once it is one; false if tar-stream is full. */
  private decideFirst(): boolean {
    const v = this.marker.verdict();
    if (v === 'wait') return true;
    const held = this.held!;
    this.held = undefined;
    if (v !== 'header') {
      this.conclude(v);
      return true;
    }
    let took = true;
    for (const b of held) took = this.extract.write(b);
    return took;
  }

  /** Decides again on a header position that was waiting for bytes, now that more (or the end) came. */
  private retryPending(): void {
    const next = this.pendingNext;
    this.pendingNext = undefined;
    if (next) this.atHeader(next);
  }

  /** At a header position: let tar-stream read on, or end, or fail, as Go's reader would. */
  private atHeader(next: () => void): void {
    const v = this.marker.verdict();
    if (v === 'wait') {
      this.pendingNext = next;
      this.wantMore?.();
    } else if (v === 'header') next();
    else this.conclude(v);
  }

  private conclude(v: 'end' | 'invalid' | 'truncated'): void {
    if (v === 'end') {
      this.ended = true;
      this.extract.destroy();
      this.settle();
    } else {
      // tar-stream's own words for these, which tarErrorText turns into Go's
      this.extract.destroy(new Error(v === 'invalid' ? 'Invalid tar header' : 'Unexpected end of data'));
    }
  }
}
