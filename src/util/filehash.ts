import { Worker } from 'node:worker_threads';

/**
 * SHA-256 of a file while it is being written, computed on a worker thread that reads back what the
 * writer has put there. The main thread stays free for the tar reading that only it can do: on this
 * project's 2-core machine hashing a 220 MB archive took a seventh of a daemon `docker load`.
 *
 * Nothing crosses between the threads but small messages: the worker reads the bytes from the file
 * (the page cache) itself, so no buffer is copied or transferred. Worth it only for large members;
 * a small one costs a round trip more than its hash.
 */
export const WORKER_HASH_MIN_BYTES = 1 << 20;

// The worker, as source: an eval'd worker runs the same under tsx, vitest and the built dist.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const { createHash } = require('node:crypto');
const jobs = new Map();
const buf = Buffer.allocUnsafe(1 << 20);
function pump(job) {
  if (job.fd === undefined) {
    try { job.fd = fs.openSync(job.file, 'r'); }
    catch (err) { if (err.code === 'ENOENT' && job.size === undefined) return; throw err; }
  }
  for (;;) {
    const n = fs.readSync(job.fd, buf, 0, buf.length, job.offset);
    if (n === 0) break;
    job.hash.update(buf.subarray(0, n));
    job.offset += n;
  }
}
function close(job, id) {
  jobs.delete(id);
  if (job.fd !== undefined) fs.closeSync(job.fd);
  job.fd = undefined;
}
parentPort.on('message', (m) => {
  if (m.op === 'open') { jobs.set(m.id, { file: m.file, offset: 0, hash: createHash('sha256'), fd: undefined, size: undefined }); return; }
  const job = jobs.get(m.id);
  if (!job) return;
  if (m.op === 'abort') return close(job, m.id);
  try {
    if (m.op === 'end') job.size = m.size;
    pump(job);
    if (job.size === undefined) return;
    close(job, m.id);
    if (job.offset !== job.size) throw new Error(job.file + ': read back ' + job.offset + ' bytes of ' + job.size);
    parentPort.postMessage({ id: m.id, hex: job.hash.digest('hex') });
  } catch (err) {
    close(job, m.id);
    parentPort.postMessage({ id: m.id, error: String(err && err.message || err) });
  }
});
`;

let worker: Worker | undefined;
const waiting = new Map<number, (m: { hex?: string; error?: string }) => void>();
let open = 0;
let nextId = 1;

function theWorker(): Worker {
  if (worker) return worker;
  // no inherited flags: a parent's --input-type=module would make the CommonJS source a module
  const w = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
  w.unref();
  w.on('message', (m: { id: number; hex?: string; error?: string }) => {
    const settle = waiting.get(m.id);
    waiting.delete(m.id);
    settle?.(m);
  });
  const fail = (err: Error) => {
    if (worker === w) worker = undefined;
    for (const [id, settle] of waiting) {
      waiting.delete(id);
      settle({ error: err.message });
    }
  };
  w.on('error', fail);
  w.on('exit', (code) => fail(new Error(`the hash worker exited (${code})`)));
  worker = w;
  return w;
}

/** The hash of one file its writer appends to. Call `written()` as bytes land, then `digest(size)` once. */
export class FileHash {
  private readonly id = nextId++;
  private readonly w = theWorker();
  private ended = false;

  constructor(file: string) {
    this.w.postMessage({ op: 'open', id: this.id, file });
    // the worker holds the process open only while a job is open: a finished `boxlab load` exits
    if (open++ === 0) this.w.ref();
  }

  /** More of the file may be there: the worker reads on from where it stopped. */
  written(): void {
    if (!this.ended) this.w.postMessage({ op: 'poke', id: this.id });
  }

  /** The hex SHA-256 of the whole file, which must be `size` bytes and closed by its writer. */
  digest(size: number): Promise<string> {
    if (this.ended) return Promise.reject(new Error('FileHash: the job has ended'));
    return new Promise<string>((resolve, reject) => {
      if (worker !== this.w) return reject(this.end(new Error('the hash worker has gone')));
      waiting.set(this.id, (m) => {
        this.end();
        if (m.hex !== undefined) resolve(m.hex);
        else reject(new Error(m.error ?? 'hashing failed'));
      });
      this.w.postMessage({ op: 'end', id: this.id, size });
    });
  }

  /** Drops the job (the write failed): the worker closes its descriptor. */
  abort(): void {
    if (this.ended) return;
    this.w.postMessage({ op: 'abort', id: this.id });
    this.end();
  }

  private end<T>(value?: T): T | undefined {
    if (!this.ended) {
      this.ended = true;
      if (--open === 0) this.w.unref();
    }
    return value;
  }
}
