import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Digest } from '../digest.js';
import { BoxlabError } from '../errors.js';
import { fsyncPath, fsyncPathSync } from '../util/fsx.js';
import { frame, scanJournal, writeAll } from './journal.js';
import { acquireLock } from './lock.js';

/**
 * An active snapshot: a container's upper layer, persisted (containerd's "active" snapshot, moby's
 * RW layer). The store keeps it as a directory
 *
 *   snapshot.json                 id, parent chainID, creation time (written once, atomically)
 *   checkpoint-<seq>.tar          the whole upper as a tar (the overlay's packUpperStream), made
 *                                 when record <seq> was the last appended
 *   journal-<seq>                 records appended after a checkpoint, the first numbered <seq>
 *   lock                          held by the one process that has the snapshot open
 *
 * The records are opaque bytes: the runtime decides what an operation is. Recovery is the newest
 * checkpoint plus the journal's records after it, cut at the first torn or invalid frame, so a
 * process killed at any moment leaves the state before or after a record, never between.
 */

export interface ActiveInfo {
  id: string;
  /** The committed layer (chainID) the upper sits on; null for a snapshot of nothing. */
  parent: Digest | null;
  created: string;
}

export interface Recovered {
  /** The newest checkpoint's tar, when one was made. */
  checkpoint?: string;
  /** The records appended after it, in order. */
  records: Buffer[];
}

const pad = (n: number) => String(n).padStart(16, '0');
const numbered = (prefix: string, name: string): number | undefined => {
  const m = new RegExp(`^${prefix}-(\\d{16})${prefix === 'checkpoint' ? '\\.tar' : ''}$`).exec(name);
  return m ? Number(m[1]) : undefined;
};

interface Layout {
  checkpoints: number[];
  journals: number[];
}

function layout(dir: string): Layout {
  const checkpoints: number[] = [];
  const journals: number[] = [];
  for (const n of fs.readdirSync(dir)) {
    const c = numbered('checkpoint', n);
    if (c !== undefined) checkpoints.push(c);
    const j = numbered('journal', n);
    if (j !== undefined) journals.push(j);
  }
  return { checkpoints: checkpoints.sort((a, b) => a - b), journals: journals.sort((a, b) => a - b) };
}

/** What the files say now: the checkpoint, the records after it, and where the valid journal ends. */
function readState(dir: string): Recovered & { last: number; cut?: { journal: number; validBytes: number; later: number[] } } {
  const { checkpoints, journals } = layout(dir);
  const base = checkpoints.at(-1) ?? 0;
  const records: Buffer[] = [];
  let next = base + 1;
  for (const [i, start] of journals.entries()) {
    if (start > next) return { ...result(), cut: { journal: start, validBytes: 0, later: journals.slice(i) } };
    const scan = scanJournal(fs.readFileSync(path.join(dir, `journal-${pad(start)}`)), start);
    for (const r of scan.records) {
      if (r.seq === next) {
        records.push(r.payload);
        next++;
      }
    }
    if (scan.torn) return { ...result(), cut: { journal: start, validBytes: scan.validBytes, later: journals.slice(i + 1) } };
  }
  return result();

  function result() {
    return { ...(checkpoints.length ? { checkpoint: path.join(dir, `checkpoint-${pad(base)}.tar`) } : {}), records, last: next - 1 };
  }
}

/**
 * The state of the active snapshot in `dir` as its files say now, read without taking its lock (for
 * views such as `boxlab tree` while a daemon holds it): a record being appended reads as torn and
 * is left out, so the state is one the holder has been in.
 */
export function peekActive(dir: string): Recovered {
  const { checkpoint, records } = readState(dir);
  return { ...(checkpoint ? { checkpoint } : {}), records };
}

export class ActiveSnapshot {
  /**
   * The journal's descriptor, opened at the first append: a container that writes nothing (a
   * `sleep`) holds no file open, so a daemon can run more containers than its RLIMIT_NOFILE.
   */
  private fd = -1;
  private closed = false;
  private journalStart: number;
  private last: number;
  private checkpointing: Promise<void> | undefined;

  private constructor(
    readonly info: ActiveInfo,
    private readonly dir: string,
    private readonly releaseLock: () => void,
  ) {
    const state = readState(dir);
    if (state.cut) {
      // a torn tail (or a damaged record) ends the journal: later appends follow the valid prefix
      fs.truncateSync(path.join(dir, `journal-${pad(state.cut.journal)}`), state.cut.validBytes);
      for (const j of state.cut.later) fs.rmSync(path.join(dir, `journal-${pad(j)}`), { force: true });
    }
    this.last = state.last;
    const journals = layout(dir).journals;
    this.journalStart = journals.at(-1) ?? this.last + 1;
    const fd = fs.openSync(this.journalPath(), 'a', 0o644);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    const dfd = fs.openSync(dir, 'r');
    fs.fsyncSync(dfd);
    fs.closeSync(dfd);
  }

  /**
   * Makes a new active snapshot directory in `staging` and moves it to `dest` whole. Synchronous
   * calls (each fsync'd as before): every container create makes one, and eight thread-pool round
   * trips cost more than the few small writes (see fsx.ts writeFileAtomicSync).
   */
  static async create(staging: string, dest: string, info: ActiveInfo): Promise<void> {
    const dir = path.join(staging, `active-${randomBytes(6).toString('hex')}`);
    fs.mkdirSync(dir);
    const fd = fs.openSync(path.join(dir, 'snapshot.json'), 'w', 0o644);
    try {
      fs.writeFileSync(fd, JSON.stringify(info, null, 2));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fsyncPathSync(dir);
    fs.renameSync(dir, dest);
    fsyncPathSync(path.dirname(dest));
  }

  /** Opens the snapshot for this process alone: a live holder elsewhere makes it fail (Locked) after `waitMs`. */
  static async open(dir: string, waitMs = 0): Promise<ActiveSnapshot> {
    const info = JSON.parse(fs.readFileSync(path.join(dir, 'snapshot.json'), 'utf8')) as ActiveInfo;
    const release = await acquireLock(path.join(dir, 'lock'), waitMs);
    try {
      for (const n of fs.readdirSync(dir)) if (n.includes('.tmp-')) fs.rmSync(path.join(dir, n), { force: true });
      return new ActiveSnapshot(info, dir, release);
    } catch (err) {
      release();
      throw err;
    }
  }

  get id(): string {
    return this.info.id;
  }

  /** The state as persisted now: the newest checkpoint and the records after it. */
  recover(): Recovered {
    const { checkpoint, records } = readState(this.dir);
    return { ...(checkpoint ? { checkpoint } : {}), records };
  }

  /**
   * Appends one record and makes it durable (fdatasync) before returning: once append returns, a
   * crash cannot lose it. Synchronous, so that a runtime can log an operation before the model
   * syscall it stands for returns. With `sync: false` the record is in the kernel's page cache when
   * append returns: it survives the death of this process (kill -9), not a power cut; a kernel's
   * upperdir gives a container's writes the same guarantee unless the program calls fsync.
   */
  append(record: Uint8Array, opts: { sync?: boolean } = {}): void {
    if (this.closed) throw new BoxlabError('FailedPrecondition', `active snapshot ${this.id} is closed`);
    if (this.fd < 0) this.fd = fs.openSync(this.journalPath(), 'a', 0o644); // made and fsync'd at open or rotate
    writeAll(this.fd, frame(this.last + 1, record));
    if (opts.sync ?? true) fs.fdatasyncSync(this.fd);
    this.last++;
  }

  /**
   * Replaces the journal so far with `tar`, the whole upper as it is after the last appended record
   * (the caller packs it before appending more). The tar is written beside, fsync'd and renamed in,
   * then the journal records it covers are dropped. Records appended while the tar is written go to
   * a new journal file and are kept.
   */
  async checkpoint(tar: Readable): Promise<void> {
    if (this.checkpointing) throw new BoxlabError('FailedPrecondition', `active snapshot ${this.id}: a checkpoint is already being written`);
    const run = this.writeCheckpoint(tar);
    this.checkpointing = run;
    try {
      await run;
    } finally {
      this.checkpointing = undefined;
    }
  }

  private async writeCheckpoint(tar: Readable): Promise<void> {
    const upto = this.last;
    if (this.journalStart <= upto) this.rotate(upto + 1);
    const dest = path.join(this.dir, `checkpoint-${pad(upto)}.tar`);
    const tmp = `${dest}.tmp-${randomBytes(6).toString('hex')}`;
    try {
      await pipeline(tar, fs.createWriteStream(tmp, { mode: 0o644 }));
      await fsyncPath(tmp);
      await fsp.rename(tmp, dest);
    } catch (err) {
      await fsp.rm(tmp, { force: true });
      throw err;
    }
    await fsyncPath(this.dir);
    // what the new checkpoint covers: older checkpoints, and journals whose records all precede it
    const { checkpoints, journals } = layout(this.dir);
    for (const c of checkpoints) if (c < upto) await fsp.rm(path.join(this.dir, `checkpoint-${pad(c)}.tar`), { force: true });
    for (const j of journals) if (j <= upto) await fsp.rm(path.join(this.dir, `journal-${pad(j)}`), { force: true });
    await fsyncPath(this.dir);
  }

  /** Starts a new journal file whose first record will be `start`. */
  private rotate(start: number): void {
    const fd = fs.openSync(path.join(this.dir, `journal-${pad(start)}`), 'a', 0o644);
    fs.fsyncSync(fd);
    const dfd = fs.openSync(this.dir, 'r');
    fs.fsyncSync(dfd);
    fs.closeSync(dfd);
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = fd;
    this.journalStart = start;
  }

  private journalPath(): string {
    return path.join(this.dir, `journal-${pad(this.journalStart)}`);
  }

  /** Closes the journal and lets another process open the snapshot. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
    this.releaseLock();
  }
}
