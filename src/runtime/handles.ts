/**
 * File descriptors as a process holds them. An OpenFile is the kernel's open file description (a
 * pipe end, an open file): it counts the descriptors pointing at it and closes the object when the
 * last one goes, which is what makes a pipe reader see end of file only when every writer, in every
 * process, has closed. A Handle is one process's descriptor: reads and writes run as that process's
 * blocking calls (a caught signal interrupts a read with EINTR, death ends it with ProcessKilled), a
 * write to a pipe with no reader raises SIGPIPE in the writer (pipe(7)), and the process's exit
 * closes every handle it still holds.
 */
import { SysError, isSysErrno } from './errno.js';
import type { Proc } from './process.js';
import type { ReadStream, WriteStream } from './program.js';
import { Pipe, openFileName, type Sink, type Source, type StreamKind } from './stream.js';
import { SIGPIPE } from './signals.js';

const DEFAULT_READ = 65536;

class OpenFile<T extends Source | Sink> {
  private refs = 0;
  constructor(readonly obj: T) {}
  retain(): void {
    this.refs++;
  }
  release(): void {
    if (--this.refs === 0) this.obj.close();
  }
}

const fileOf = new WeakMap<object, OpenFile<Source> | OpenFile<Sink>>();

/** One descriptor as /proc/PID/fd shows it: the link's target and its mode (proc_fd_link, fs/proc/fd.c). */
export interface FdLink {
  target: string;
  mode: number;
}

/**
 * What /proc/PID/fd/N shows for descriptor `s`, or null once it is closed. The link's mode is the
 * open file's f_mode (fs/proc/fd.c tid_fd_update_inode): r-x for O_RDONLY, -wx for O_WRONLY, rwx for
 * O_RDWR, which is how runc opens a terminal's slave (and dups it to 0, 1 and 2).
 */
export function fdLink(s: ReadStream | WriteStream): FdLink | null {
  if (!(s instanceof Handle) || s.isClosed) return null;
  const obj = s.openFile;
  const mode = obj.kind === 'tty' ? 0o700 : s instanceof ReadHandle ? 0o500 : 0o300;
  return { target: openFileName(obj), mode };
}

abstract class Handle {
  private closed = false;
  private readonly release: () => void;
  constructor(
    protected readonly file: OpenFile<Source> | OpenFile<Sink>,
    protected readonly owner: Proc,
  ) {
    file.retain();
    this.release = () => {
      if (this.closed) return;
      this.closed = true;
      file.release();
    };
    owner.onDeath.add(this.release);
    fileOf.set(this, file);
  }
  get kind(): StreamKind {
    return this.file.obj.kind;
  }
  get isClosed(): boolean {
    return this.closed;
  }
  get openFile(): Source | Sink {
    return this.file.obj;
  }
  protected ensureOpen(): void {
    if (this.closed) throw new SysError('EBADF');
  }
  close(): void {
    this.release();
    this.owner.onDeath.delete(this.release);
  }
}

class ReadHandle extends Handle implements ReadStream {
  get tty() {
    return (this.file.obj as Source).tty;
  }
  read(max = DEFAULT_READ): Promise<Uint8Array | null> {
    this.ensureOpen();
    const src = this.file.obj as Source;
    return this.owner.block(this.owner.image, true, (abort) => src.read(max, abort));
  }
}

class WriteHandle extends Handle implements WriteStream {
  async write(data: Uint8Array | string): Promise<void> {
    this.ensureOpen();
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    if (bytes.length === 0) return;
    const sink = this.file.obj as Sink;
    try {
      await this.owner.block(this.owner.image, false, (abort) => sink.write(bytes, abort));
    } catch (e) {
      if (isSysErrno(e, 'EPIPE')) {
        this.owner.deliver(SIGPIPE, null);
        if (!this.owner.alive) throw this.owner.killedError();
      }
      throw e;
    }
  }
}

/** The descriptors of one process. */
export class Handles {
  constructor(private readonly proc: Proc) {}

  holdSource(s: Source, _image?: number): ReadStream {
    return new ReadHandle(new OpenFile(s), this.proc);
  }
  holdSink(s: Sink, _image?: number): WriteStream {
    return new WriteHandle(new OpenFile(s), this.proc);
  }
  /** dup of a descriptor another process (or this one) holds: the same open file, one more holder. */
  dupRead(s: ReadStream): ReadStream {
    const f = fileOf.get(s);
    if (!f) throw new SysError('EBADF', 'dup');
    return new ReadHandle(f, this.proc);
  }
  dupWrite(s: WriteStream): WriteStream {
    const f = fileOf.get(s);
    if (!f) throw new SysError('EBADF', 'dup');
    return new WriteHandle(f, this.proc);
  }
  pipe(_image?: number): [ReadStream, WriteStream] {
    const p = new Pipe();
    return [this.holdSource(p.reader), this.holdSink(p.writer)];
  }
}
