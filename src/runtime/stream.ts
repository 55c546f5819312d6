/**
 * The objects behind file descriptors, as the kernel holds them (an "open file description"): a
 * pipe's two ends, a file opened for reading or writing, /dev/null, and sinks/sources that connect a
 * container's stdio to the world (logs, attach). They know nothing of processes: the kernel wraps
 * each in a per-process handle (kernel.ts) that counts holders, raises SIGPIPE and turns a killed
 * process's pending call into ProcessKilled. A blocking call takes an AbortSignal so that a waiter
 * that gives up (interrupted, killed) consumes nothing.
 */
import { PIPE_CAPACITY } from './program.js';
import { SysError } from './errno.js';

export type StreamKind = 'pipe' | 'file' | 'tty' | 'null';

export interface Source {
  readonly kind: StreamKind;
  /** Up to `max` bytes, or null at end of file. */
  read(max: number, abort?: AbortSignal): Promise<Uint8Array | null>;
  /** The last holder let go. */
  close(): void;
  /** A terminal's controls (tty.ts), for the process holding it. */
  readonly tty?: import('./tty.js').TtyControl;
}

export interface Sink {
  readonly kind: StreamKind;
  /** All of `data`; rejects with SysError EPIPE when no one can ever read it. */
  write(data: Uint8Array, abort?: AbortSignal): Promise<void>;
  close(): void;
}

/**
 * What /proc/PID/fd shows for an open file description (fs/d_path.c d_path; pipefs names its
 * dentries `pipe:[INO]`): the path it was opened by, or a pipe's inode name. Kept beside the object
 * rather than on it so the many small Source/Sink literals need not carry it.
 */
const linkNames = new WeakMap<object, string>();
/** Pipe inodes: pipefs numbers them from its own counter (any number; real ones are large). */
let nextPipeIno = 40000;

export function nameOpenFile<T extends Source | Sink>(obj: T, name: string): T {
  linkNames.set(obj, name);
  return obj;
}

/** The d_path name of an open file description; a nameless pipe (the engine's stdio) gets one now. */
export function openFileName(obj: Source | Sink): string {
  let n = linkNames.get(obj);
  if (n === undefined) {
    n = obj.kind === 'pipe' ? `pipe:[${nextPipeIno++}]` : obj.kind === 'null' ? '/dev/null' : obj.kind === 'tty' ? '/dev/pts/0' : 'anon_inode:[file]';
    linkNames.set(obj, n);
  }
  return n;
}

function aborted(abort: AbortSignal | undefined): Promise<never> | null {
  return abort?.aborted ? Promise.reject(abort.reason) : null;
}

/** Resolves on the next change, rejects if `abort` fires first. */
export function until(wake: Promise<void>, abort: AbortSignal | undefined): Promise<void> {
  if (!abort) return wake;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(abort.reason);
    abort.addEventListener('abort', onAbort, { once: true });
    void wake.then(() => {
      abort.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

/** Something waiters wait on to change: `next` settles at the next notify(), then a new one begins. */
export class Changes {
  private wake!: () => void;
  next!: Promise<void>;

  constructor() {
    this.renew();
  }
  private renew(): void {
    this.next = new Promise((r) => (this.wake = r));
  }
  notify(): void {
    this.wake();
    this.renew();
  }
}

/**
 * A pipe(2): a bounded byte queue. Readers wait while it is empty and a writer remains; writers wait
 * while it is full; with no reader left a write fails with EPIPE (pipe(7)).
 */
export class Pipe {
  private chunks: Uint8Array[] = [];
  private size = 0;
  private readers = 1;
  private writers = 1;
  private readonly state = new Changes();

  constructor(readonly capacity = PIPE_CAPACITY) {
    // both ends are one pipefs inode: `ls -l /proc/*/fd` shows the same pipe:[N] at each end
    const name = `pipe:[${nextPipeIno++}]`;
    nameOpenFile(this.reader, name);
    nameOpenFile(this.writer, name);
  }

  /** Bytes waiting in the pipe. */
  get buffered(): number {
    return this.size;
  }

  readonly reader: Source = {
    kind: 'pipe',
    read: async (max, abort) => {
      for (;;) {
        const a = aborted(abort);
        if (a) return a;
        if (this.size > 0) return this.take(max);
        if (this.writers === 0) return null;
        await until(this.state.next, abort);
      }
    },
    close: () => {
      this.readers--;
      this.chunks = [];
      this.size = 0;
      this.state.notify();
    },
  };

  readonly writer: Sink = {
    kind: 'pipe',
    write: async (data, abort) => {
      let off = 0;
      while (off < data.length) {
        const a = aborted(abort);
        if (a) return a;
        if (this.readers === 0) throw new SysError('EPIPE');
        const room = this.capacity - this.size;
        if (room <= 0) {
          await until(this.state.next, abort);
          continue;
        }
        const piece = data.subarray(off, off + room);
        this.chunks.push(piece);
        this.size += piece.length;
        off += piece.length;
        this.state.notify();
      }
    },
    close: () => {
      this.writers--;
      this.state.notify();
    },
  };

  private take(max: number): Uint8Array {
    const out: Uint8Array[] = [];
    let n = 0;
    while (n < max && this.chunks.length > 0) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length, max - n);
      out.push(c.subarray(0, k));
      n += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    this.size -= n;
    this.state.notify();
    return out.length === 1 ? out[0]! : Buffer.concat(out);
  }
}

/** /dev/null: reads end at once, writes vanish. */
export const nullSource: Source = { kind: 'null', read: async () => null, close: () => {} };
export const nullSink: Sink = { kind: 'null', write: async () => {}, close: () => {} };

/** A source over bytes known in advance (a here-document, a file's contents, `docker run` input). */
export function bytesSource(data: Uint8Array | string, kind: StreamKind = 'file'): Source {
  let rest: Uint8Array = typeof data === 'string' ? Buffer.from(data) : data;
  return {
    kind,
    read: async (max) => {
      if (rest.length === 0) return null;
      const out = rest.subarray(0, max);
      rest = rest.subarray(out.length);
      return out;
    },
    close: () => {
      rest = new Uint8Array(0);
    },
  };
}

/** A sink handing every write to `fn` (a container's log, a test's capture). */
export function callbackSink(fn: (data: Uint8Array) => void, kind: StreamKind = 'pipe'): Sink {
  return { kind, write: async (d) => fn(d), close: () => {} };
}

/** A sink that keeps what is written, for tests and for `$(...)`. */
export class CollectSink implements Sink {
  readonly kind = 'pipe' as const;
  private parts: Uint8Array[] = [];
  async write(d: Uint8Array): Promise<void> {
    this.parts.push(Buffer.from(d));
  }
  close(): void {}
  get bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
  get text(): string {
    return this.bytes.toString('utf8');
  }
}
