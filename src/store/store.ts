import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { chainIds, hexOf, type Digest } from '../digest.js';
import { BoxlabError } from '../errors.js';
import type { LayerEntry } from '../layer/types.js';
import type { ParsedImage } from '../oci/load.js';
import { layerMediaType, type Descriptor, type ImageConfig } from '../oci/types.js';
import { existsSync, fsyncPath, readJson, writeDurable, writeFileAtomic } from '../util/fsx.js';
import { ActiveSnapshot, peekActive, type ActiveInfo, type Recovered } from './active.js';
import { commit, recoverIntents, type CommitOptions, type CommitResult } from './commit.js';
import { collectGarbage, type Collected } from './gc.js';
import { placeLayer } from './layers.js';
import { acquireLock, processAlive } from './lock.js';
import { removeTornWrites } from './torn.js';
import { deepFreeze, FileMemo } from './memo.js';
import { checkKind, checkRecordId, RecordCollection, type RecordRef, type References } from './records.js';
import type { ImageRecord, ImportResult, LayerRecord, TagChange } from './types.js';

export type { ImageRecord, ImportResult, LayerRecord, TagChange } from './types.js';
export type { ActiveInfo, Recovered } from './active.js';
export type { ActiveSnapshot } from './active.js';
export type { CommitOptions, CommitResult, CommittedLayerFacts } from './commit.js';
export type { Collected } from './gc.js';
export type { RecordCollection, RecordRef, References, StoredRecord } from './records.js';

export function defaultRoot(): string {
  if (process.env.BOXLAB_ROOT) return process.env.BOXLAB_ROOT;
  const data = process.env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return path.join(data, 'boxlab');
}

/**
 * A refusal because something uses what was to be removed: the users are named so that the
 * engine can say it as Docker does ("container abc is using its referenced image def").
 */
export class InUseError extends BoxlabError {
  constructor(
    what: string,
    readonly users: RecordRef[],
  ) {
    super('FailedPrecondition', `${what} is in use by ${users.map((u) => `${u.kind} ${u.id}`).join(', ')}`);
  }
}

/**
 * The store on disk, in containerd's nouns:
 *   blobs/sha256/<hex>          content: blobs byte for byte as they came (configs, manifests, layers)
 *   layers/<chainID hex>/       committed snapshots: layer.json, index.json (path -> header and offset), diff.tar
 *   active/<id>/                active snapshots: a container's upper, a checkpoint and a journal (active.ts)
 *   images/<image ID hex>.json  metadata: which blobs and layers make the image
 *   repositories.json           metadata: tags -> image ID
 *   records/<kind>/<id>.json    metadata: containers, volumes, networks, with their references
 *   intents/                    commits in flight (commit.ts)
 * Every write is a temp file, fsync and rename; a lock file serialises writers across processes.
 */
export class Store {
  /** Set while this store's lock is held in the current async context: `locked` is re-entrant. */
  private readonly holding = new AsyncLocalStorage<boolean>();
  /** repositories.json and the image records, parsed once per version of the file (memo.ts). */
  private readonly tagsMemo = new FileMemo<{ tags: Record<string, Digest> }>();
  private readonly imageMemo = new FileMemo<ImageRecord>();
  /** Parsed image configs by digest: a blob's bytes never change, only whether it is there. */
  private readonly configs = new Map<Digest, { bytes: Buffer; parsed: ImageConfig }>();

  private constructor(readonly root: string) {}

  static async open(root = defaultRoot()): Promise<Store> {
    for (const d of ['blobs/sha256', 'layers', 'images', 'tmp', 'records', 'active', 'intents'])
      await fsp.mkdir(path.join(root, d), { recursive: true });
    return new Store(root);
  }

  blobPath(d: Digest): string {
    return path.join(this.root, 'blobs', 'sha256', hexOf(d));
  }
  layerPath(chainId: Digest): string {
    return path.join(this.root, 'layers', hexOf(chainId));
  }
  private imagePath(id: Digest): string {
    return path.join(this.root, 'images', `${hexOf(id)}.json`);
  }
  private activePath(id: string): string {
    return path.join(this.root, 'active', checkRecordId(id));
  }
  private get tagsPath(): string {
    return path.join(this.root, 'repositories.json');
  }

  /**
   * Runs `fn` holding the store's lock; a call inside `fn` (same async context) does not wait for
   * itself. Taking the lock first finishes or undoes what a dead holder left in flight.
   */
  async locked<T>(fn: () => Promise<T>): Promise<T> {
    if (this.holding.getStore()) return fn();
    const release = await acquireLock(path.join(this.root, 'lock'));
    try {
      return await this.holding.run(true, async () => {
        await recoverIntents(this);
        await removeTornWrites(this.root);
        return fn();
      });
    } finally {
      release();
    }
  }

  /**
   * A fresh staging directory inside the store (same filesystem, so renames are atomic), named for
   * this pid. The staging of loads that died (killed, Ctrl-C'd before their cleanup ran) goes first.
   */
  async stagingDir(purpose = 'load'): Promise<string> {
    await this.removeStaleStaging();
    return fsp.mkdtemp(path.join(this.root, 'tmp', `${purpose}-${process.pid}-`));
  }

  /** Staging left behind by a load whose process is gone (its directory names the pid), with its bytes. */
  async staleStaging(): Promise<{ dir: string; bytes: number }[]> {
    const out: { dir: string; bytes: number }[] = [];
    for (const t of await fsp.readdir(path.join(this.root, 'tmp'))) {
      const pid = Number(/^load-(\d+)-/.exec(t)?.[1]);
      if (Number.isInteger(pid) && pid !== process.pid && !processAlive(pid)) {
        const dir = path.join(this.root, 'tmp', t);
        out.push({ dir, bytes: await treeBytes(dir) });
      }
    }
    return out;
  }

  /** Removes staleStaging(); returns the bytes freed. */
  async removeStaleStaging(): Promise<number> {
    let bytes = 0;
    for (const s of await this.staleStaging()) {
      await fsp.rm(s.dir, { recursive: true, force: true });
      bytes += s.bytes;
    }
    return bytes;
  }

  /**
   * Removes this process's own staging, synchronously: for a SIGINT/SIGTERM handler, which must
   * not wait for the event loop (an interrupted load's `finally` never runs).
   */
  removeOwnStagingSync(): void {
    const tmp = path.join(this.root, 'tmp');
    for (const t of fs.readdirSync(tmp)) if (t.startsWith(`load-${process.pid}-`)) fs.rmSync(path.join(tmp, t), { recursive: true, force: true });
  }

  // ---- reading -------------------------------------------------------------------------------

  /** Tag -> image ID; a copy the caller may change (the memo's value is shared). */
  async tags(): Promise<Record<string, Digest>> {
    return { ...this.tagsMemo.read(this.tagsPath, JSON.parse)?.tags };
  }

  async imageIds(): Promise<Digest[]> {
    const names = await fsp.readdir(path.join(this.root, 'images'));
    return names.filter((n) => /^[a-f0-9]{64}\.json$/.test(n)).map((n) => `sha256:${n.slice(0, 64)}` as Digest);
  }

  /** The image's record (frozen: shared by every caller until the file changes). */
  async image(id: Digest): Promise<ImageRecord> {
    let rec: ImageRecord | undefined;
    try {
      rec = this.imageMemo.read(this.imagePath(id), JSON.parse);
    } catch {
      rec = undefined;
    }
    if (!rec) throw new BoxlabError('NotFound', `No such image: ${id}`);
    return rec;
  }

  hasImage(id: Digest): boolean {
    return existsSync(this.imagePath(id));
  }

  hasLayer(chainId: Digest): boolean {
    return existsSync(this.layerPath(chainId));
  }

  /**
   * An image's config blob and its parse. Content-addressed, so the parse is kept per digest and
   * shared (frozen) by every container of the image; the blob's presence is checked each time, as
   * a collected blob must still read as gone.
   */
  async config(id: Digest): Promise<{ bytes: Buffer; parsed: ImageConfig }> {
    const hit = this.configs.get(id);
    if (hit && existsSync(this.blobPath(id))) return hit;
    const bytes = await fsp.readFile(this.blobPath(id));
    const got = { bytes, parsed: deepFreeze(JSON.parse(bytes.toString('utf8')) as ImageConfig) };
    this.configs.set(id, got);
    return got;
  }

  async layer(chainId: Digest): Promise<LayerRecord> {
    return readJson<LayerRecord>(path.join(this.layerPath(chainId), 'layer.json'));
  }

  async layerEntries(chainId: Digest): Promise<LayerEntry[]> {
    return readJson<LayerEntry[]>(path.join(this.layerPath(chainId), 'index.json'));
  }

  /** The uncompressed tar of a layer: the blob itself, or the `diff.tar` written beside it. */
  layerTarPath(rec: LayerRecord): string {
    return rec.content === 'blob' ? this.blobPath(rec.blob) : path.join(this.layerPath(rec.chainId), 'diff.tar');
  }

  blobSize(d: Digest): number {
    try {
      return fs.statSync(this.blobPath(d)).size;
    } catch {
      return 0;
    }
  }

  // ---- images --------------------------------------------------------------------------------

  /**
   * Moves verified images from a staging directory into the store. Blobs and layers already
   * present are kept (they are the same bytes by construction); tags move last, in one atomic
   * write, so a reader sees the old state or the new. Call holding the lock.
   */
  async importImages(images: ParsedImage[], staging: string): Promise<ImportResult> {
    const result: ImportResult = { images: [], tagChanges: [] };
    for (const img of images) {
      const chains = chainIds(img.layers.map((l) => l.diffId));
      const newLayers: Digest[] = [];
      await this.writeBlob(img.config.digest, img.config.bytes, staging);
      if (img.manifest) await this.writeBlob(img.manifest.digest, img.manifest.bytes, staging);
      for (const [i, l] of img.layers.entries()) {
        const chainId = chains[i]!;
        const dest = this.blobPath(l.staged.digest);
        if (!existsSync(dest) && existsSync(l.staged.file)) {
          await fsyncPath(l.staged.file);
          await fsp.rename(l.staged.file, dest);
        }
        if (this.hasLayer(chainId)) continue;
        const ix = l.staged.layer!;
        await placeLayer(staging, this.layerPath(chainId), {
          chainId,
          parent: i === 0 ? null : chains[i - 1]!,
          blob: l.staged.digest,
          compression: l.staged.compression ?? 'none',
          index: ix,
          ...(ix.uncompressedFile ? { uncompressedFile: ix.uncompressedFile } : {}),
        });
        newLayers.push(chainId);
      }
      const record: ImageRecord = {
        id: img.config.digest,
        ...(img.manifest ? { manifest: img.manifest.digest } : {}),
        layers: img.layers.map((l) => l.descriptor),
        diffIds: img.layers.map((l) => l.diffId),
        chainIds: chains,
        loadedAt: new Date().toISOString(),
      };
      if (!this.hasImage(record.id)) await this.writeImageRecord(record);
      result.images.push({ id: record.id, tags: img.repoTags, newLayers });
    }
    await fsyncPath(path.join(this.root, 'blobs', 'sha256'));
    await fsyncPath(path.join(this.root, 'layers'));
    const tags = await this.tags();
    for (const img of result.images) {
      for (const tag of img.tags) {
        const previous = tags[tag];
        tags[tag] = img.id;
        result.tagChanges.push({ tag, id: img.id, ...(previous && previous !== img.id ? { previous } : {}) });
      }
    }
    if (result.tagChanges.length) await this.writeTags(tags);
    return result;
  }

  /** Writes a blob (through a temp file in `staging`) unless it is already stored. */
  async writeBlob(d: Digest, bytes: Buffer, staging: string): Promise<void> {
    const dest = this.blobPath(d);
    if (existsSync(dest)) return;
    const tmp = path.join(staging, `blob-${randomBytes(6).toString('hex')}`);
    await writeDurable(tmp, bytes);
    await fsp.rename(tmp, dest);
  }

  async writeImageRecord(record: ImageRecord): Promise<void> {
    await writeFileAtomic(this.imagePath(record.id), JSON.stringify(record, null, 2));
  }

  /**
   * The record of a new image made of the stored chain ending at `top`. Each layer keeps the
   * descriptor (media type, blob) an image already using it came with; a layer no image describes
   * is described from its layer record.
   */
  async imageRecordFor(id: Digest, top: Digest, diffIds: Digest[]): Promise<ImageRecord> {
    const chains = chainIds(diffIds);
    if (chains.at(-1) !== top) throw new BoxlabError('InvalidArgument', `the diffIDs do not make the chain ${top}`);
    const known = new Map<Digest, Descriptor>();
    for (const other of await this.imageIds()) {
      const r = await this.image(other);
      r.chainIds.forEach((c, i) => known.set(c, r.layers[i]!));
    }
    const layers: Descriptor[] = [];
    for (const c of chains) {
      const rec = await this.layer(c);
      layers.push(known.get(c) ?? { mediaType: layerMediaType(rec.compression), digest: rec.blob, size: this.blobSize(rec.blob) });
    }
    return { id, layers, diffIds, chainIds: chains, loadedAt: new Date().toISOString() };
  }

  async writeTags(tags: Record<string, Digest>): Promise<void> {
    const sorted = Object.fromEntries(Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    await writeFileAtomic(this.tagsPath, JSON.stringify({ tags: sorted }, null, 2));
  }

  /** Points `tag` at `id` (one atomic write of the tags), saying which image held it before. */
  async moveTag(tag: string, id: Digest): Promise<TagChange> {
    const tags = await this.tags();
    const previous = tags[tag];
    if (previous !== id) {
      tags[tag] = id;
      await this.writeTags(tags);
    }
    return { tag, id, ...(previous && previous !== id ? { previous } : {}) };
  }

  /**
   * Removes an image's record. An image a metadata record uses is refused (InUseError naming the
   * users) unless `force`: then the record goes and the user keeps, through its own references
   * (its active snapshot's parent chain), the layers it runs on, as Docker's RW layer does.
   */
  async removeImageRecord(id: Digest, opts: { force?: boolean } = {}): Promise<void> {
    await this.locked(async () => {
      if (!opts.force) {
        const users = await this.imageUsers(id);
        if (users.length) throw new InUseError(`image ${id}`, users);
      }
      await fsp.rm(this.imagePath(id), { force: true });
    });
  }

  /** Adds one layer and one image (and a tag), all or nothing: see commit.ts. */
  async commit(opts: CommitOptions): Promise<CommitResult> {
    return commit(this, opts);
  }

  /** Removes every layer and blob nothing keeps (gc.ts). Takes the lock. */
  async collectGarbage(): Promise<Collected> {
    return this.locked(async () => {
      const c = await collectGarbage(this);
      // staging of loads that died is reclaimed too, and counted (docker system prune counts it)
      return { ...c, bytes: c.bytes + (await this.removeStaleStaging()) };
    });
  }

  // ---- metadata records ----------------------------------------------------------------------

  /** The collection of records of one kind (`containers`, `volumes`, `networks`). */
  records<T>(kind: string): RecordCollection<T> {
    return new RecordCollection<T>(checkKind(kind), path.join(this.root, 'records', kind), (fn) => this.locked(fn));
  }

  async recordKinds(): Promise<string[]> {
    return (await fsp.readdir(path.join(this.root, 'records'))).filter((k) => !k.includes('.')).sort();
  }

  /** The records whose references name `target`, by collection then id. */
  async referrers(target: { image: Digest } | { active: string } | { layer: Digest }): Promise<RecordRef[]> {
    const out: RecordRef[] = [];
    for (const kind of await this.recordKinds()) {
      for (const r of await this.records(kind).list()) {
        const refs: References = r.refs;
        const hit =
          'image' in target ? refs.images?.includes(target.image) : 'active' in target ? refs.actives?.includes(target.active) : refs.layers?.includes(target.layer);
        if (hit) out.push({ kind, id: r.id });
      }
    }
    return out;
  }

  /** Who uses an image: what `docker rmi` checks before it removes one. */
  async imageUsers(id: Digest): Promise<RecordRef[]> {
    return this.referrers({ image: id });
  }

  // ---- active snapshots ----------------------------------------------------------------------

  /** Whether an active snapshot `id` exists (one stat, where activeIds lists them all). */
  hasActive(id: string): boolean {
    return existsSync(this.activePath(id));
  }

  async activeIds(): Promise<string[]> {
    return (await fsp.readdir(path.join(this.root, 'active'))).sort();
  }

  async activeInfo(id: string): Promise<ActiveInfo> {
    try {
      return await readJson<ActiveInfo>(path.join(this.activePath(id), 'snapshot.json'));
    } catch {
      throw new BoxlabError('NotFound', `no such active snapshot: ${id}`);
    }
  }

  /** An active snapshot's persisted state, read without its lock (active.ts peekActive). */
  peekActive(id: string): Recovered {
    return peekActive(this.activePath(id));
  }

  /** Makes an empty active snapshot on the committed layer `parent` (null: on nothing). */
  async createActive(id: string, opts: { parent: Digest | null }): Promise<void> {
    const dest = this.activePath(id);
    await this.locked(async () => {
      if (existsSync(dest)) throw new BoxlabError('AlreadyExists', `active snapshot ${id} already exists`);
      if (opts.parent && !this.hasLayer(opts.parent)) throw new BoxlabError('NotFound', `no such layer: ${opts.parent}`);
      // made here, not by stagingDir(): that one also sweeps dead loads' staging (a read of tmp/ and
      // a stat per entry), which a load and a prune do; a container create need not
      const staging = fs.mkdtempSync(path.join(this.root, 'tmp', `active-${process.pid}-`));
      try {
        await ActiveSnapshot.create(staging, dest, { id, parent: opts.parent, created: new Date().toISOString() });
      } finally {
        fs.rmSync(staging, { recursive: true, force: true });
      }
    });
  }

  /** Opens an active snapshot for this process alone (Locked when a live process has it open, after `waitMs`). */
  async openActive(id: string, opts: { waitMs?: number } = {}): Promise<ActiveSnapshot> {
    const dir = this.activePath(id);
    if (!existsSync(dir)) throw new BoxlabError('NotFound', `no such active snapshot: ${id}`);
    return ActiveSnapshot.open(dir, opts.waitMs ?? 0);
  }

  /**
   * Removes an active snapshot: refused while a record references it (unless `force`) or a live
   * process has it open. Renamed out of `active/` first, so that it is gone whole or not at all.
   */
  async removeActive(id: string, opts: { force?: boolean } = {}): Promise<void> {
    const dir = this.activePath(id);
    await this.locked(async () => {
      if (!existsSync(dir)) throw new BoxlabError('NotFound', `no such active snapshot: ${id}`);
      if (!opts.force) {
        const users = await this.referrers({ active: id });
        if (users.length) throw new InUseError(`active snapshot ${id}`, users);
      }
      const snap = await ActiveSnapshot.open(dir); // Locked if a live process has it open
      const gone = path.join(this.root, 'tmp', `removing-${process.pid}-${randomBytes(6).toString('hex')}`);
      try {
        await fsp.rename(dir, gone);
      } finally {
        snap.close();
      }
      await fsyncPath(path.join(this.root, 'active'));
      await fsp.rm(gone, { recursive: true, force: true });
    });
  }
}

/** Bytes of the regular files under `dir` (staging holds nothing else). */
async function treeBytes(dir: string): Promise<number> {
  let n = 0;
  for (const e of await fsp.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) n += (await fsp.stat(path.join(e.parentPath, e.name)).catch(() => ({ size: 0 }))).size;
  }
  return n;
}
