/**
 * Containers' upper layers, persisted in the store as active snapshots (moby's RW layer,
 * containerd's active snapshot): every syscall that changes an upper appends one record to the
 * snapshot's journal (overlay/watch.ts, fdatasync'd before the call returns), and a checkpoint (the
 * whole upper as a tar) replaces the journal when the container stops, before a commit, and when a
 * daemon finds a long journal at start. A daemon started on the same root rebuilds each upper from
 * its checkpoint and the records after it: killed at any moment (kill -9), the upper it finds is
 * the one before or after each call.
 */
import type { Digest } from '../../digest.js';
import type { Mount } from '../../overlay/index.js';
import { applyRecord } from '../../overlay/journal.js';
import { loadUpperTar } from '../../overlay/unpack.js';
import { watchUpper } from '../../overlay/watch.js';
import type { ActiveSnapshot, Store } from '../../store/store.js';
import * as fs from 'node:fs';
import type { Readable } from 'node:stream';

/** Records after which a daemon that opens an upper checkpoints it first (replay stays short). */
const COMPACT_AFTER = 1000;

interface Attached {
  snap: ActiveSnapshot;
  mount: Mount;
  unwatch: () => void;
  /** Records appended since the last checkpoint. */
  pending: number;
  /** The checkpoint being written, if one is. */
  writing?: Promise<void>;
}

export class PersistedUppers {
  private readonly attached = new Map<string, Attached>();

  /**
   * `fsync`: each record is fdatasync'd before the call returns (survives a power cut); without it
   * (the default) a record is in the page cache when the call returns, which a kill -9 of the daemon
   * cannot undo, as a container's writes to a kernel upperdir are (see ActiveSnapshot.append).
   */
  constructor(
    private readonly store: Store,
    private readonly opts: { fsync?: boolean } = {},
  ) {}

  /**
   * Gives `mount` (a fresh mount of the container's image) the container's persisted upper, making
   * an empty active snapshot on `parent` (the image's top chainID) the first time, and from then on
   * journals every change to it.
   */
  async attach(id: string, parent: Digest | null, mount: Mount): Promise<void> {
    if (this.attached.has(id)) throw new Error(`upper ${id} is already attached`);
    if (!(await this.store.activeIds()).includes(id)) await this.store.createActive(id, { parent });
    const snap = await this.store.openActive(id);
    try {
      const { checkpoint, records } = snap.recover();
      if (checkpoint) await loadUpperTar(mount.upper.root, fs.createReadStream(checkpoint) as Readable);
      for (const r of records) applyRecord(mount.upper.root, r);
      const a: Attached = { snap, mount, unwatch: () => {}, pending: records.length };
      a.unwatch = watchUpper(mount, (rec) => {
        snap.append(rec, { sync: !!this.opts.fsync });
        a.pending++;
      });
      this.attached.set(id, a);
      if (a.pending >= COMPACT_AFTER) await this.checkpoint(id);
    } catch (err) {
      snap.close();
      throw err;
    }
  }

  /** Replaces the journal with the upper as it is now (no-op when nothing was appended since the last). */
  async checkpoint(id: string): Promise<void> {
    const a = this.attached.get(id);
    if (!a) return;
    await a.writing; // one checkpoint at a time per snapshot
    if (a.pending === 0) return;
    // packed and counted in one synchronous step: the tar is the upper after the last record appended
    const tar = a.mount.packUpperStream() as unknown as Readable;
    a.pending = 0;
    a.writing = a.snap.checkpoint(tar).finally(() => (a.writing = undefined));
    await a.writing;
  }

  async checkpointAll(): Promise<void> {
    for (const id of this.attached.keys()) await this.checkpoint(id);
  }

  /** The container is removed: its upper goes with it. */
  async remove(id: string): Promise<void> {
    const a = this.attached.get(id);
    if (a) {
      await a.writing?.catch(() => {});
      a.unwatch();
      a.snap.close();
      this.attached.delete(id);
    }
    if (this.store.hasActive(id)) await this.store.removeActive(id, { force: true });
  }

  /** Lets another process open the snapshots (the daemon is shutting down), once checkpoints in flight are written. */
  async close(): Promise<void> {
    for (const a of this.attached.values()) {
      await a.writing?.catch(() => {});
      a.unwatch();
      a.snap.close();
    }
    this.attached.clear();
  }
}
