import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { chainIds, hexOf, type Digest } from '../digest.js';
import { BoxlabError } from '../errors.js';
import type { LayerEntry } from '../layer/types.js';
import type { ParsedImage } from '../oci/load.js';
import type { Compression, Descriptor, ImageConfig } from '../oci/types.js';
import { existsSync, fsyncPath, readJson, writeDurable, writeFileAtomic } from '../util/fsx.js';
import { acquireLock, processAlive } from './lock.js';

/** A layer in the store, keyed by chainID (its identity includes everything below it). */
export interface LayerRecord {
  chainId: Digest;
  diffId: Digest;
  parent: Digest | null;
  /** Bytes of the uncompressed tar. */
  size: number;
  /** The stored blob the layer came in, and whether its bytes are the tar itself. */
  blob: Digest;
  compression: Compression;
  /** `blob` when the blob is the plain tar; else the tar was written beside it as `diff.tar`. */
  content: 'blob' | 'diff.tar';
  entries: number;
  /**
   * What the layer's files take, as Docker's overlay2 driver measures a diff directory: each
   * regular file once (hardlinks share it) plus each symlink's target length (its lstat size).
   */
  fileBytes: number;
}

export interface ImageRecord {
  /** The image ID: the digest of the config JSON (Docker 20.10, OCI config.md). */
  id: Digest;
  /** The OCI manifest the image came with, if any. */
  manifest?: Digest;
  /** The layer blobs as they came, base first. */
  layers: Descriptor[];
  diffIds: Digest[];
  chainIds: Digest[];
  loadedAt: string;
}

export interface TagChange {
  tag: string;
  id: Digest;
  /** The image that held the tag before, when the load moved it. */
  previous?: Digest;
}

export interface ImportResult {
  images: { id: Digest; tags: string[]; newLayers: Digest[] }[];
  tagChanges: TagChange[];
}

export function defaultRoot(): string {
  if (process.env.BOXLAB_ROOT) return process.env.BOXLAB_ROOT;
  const data = process.env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return path.join(data, 'boxlab');
}

/**
 * The content-addressed store on disk:
 *   blobs/sha256/<hex>          blobs byte for byte as they came (configs, manifests, layers)
 *   layers/<chainID hex>/       layer.json, index.json (path -> header and data offset), diff.tar
 *   images/<image ID hex>.json  which blobs and layers make the image
 *   repositories.json           tags -> image ID
 * Every write is a temp file, fsync and rename; a lock file serialises writers across processes.
 */
export class Store {
  private constructor(readonly root: string) {}

  static async open(root = defaultRoot()): Promise<Store> {
    for (const d of ['blobs/sha256', 'layers', 'images', 'tmp']) await fsp.mkdir(path.join(root, d), { recursive: true });
    return new Store(root);
  }

  blobPath(d: Digest): string {
    return path.join(this.root, 'blobs', 'sha256', hexOf(d));
  }
  private layerDir(chainId: Digest): string {
    return path.join(this.root, 'layers', hexOf(chainId));
  }
  private imagePath(id: Digest): string {
    return path.join(this.root, 'images', `${hexOf(id)}.json`);
  }
  private get tagsPath(): string {
    return path.join(this.root, 'repositories.json');
  }

  /** Runs `fn` holding the store's lock. */
  async locked<T>(fn: () => Promise<T>): Promise<T> {
    const release = await acquireLock(path.join(this.root, 'lock'));
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /**
   * A fresh staging directory inside the store (same filesystem, so renames are atomic). The
   * staging of loads that died (killed, Ctrl-C'd before their cleanup ran) goes first.
   */
  async stagingDir(): Promise<string> {
    await this.removeStaleStaging();
    return fsp.mkdtemp(path.join(this.root, 'tmp', `load-${process.pid}-`));
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

  async tags(): Promise<Record<string, Digest>> {
    if (!existsSync(this.tagsPath)) return {};
    return (await readJson<{ tags: Record<string, Digest> }>(this.tagsPath)).tags;
  }

  async imageIds(): Promise<Digest[]> {
    const names = await fsp.readdir(path.join(this.root, 'images'));
    return names.filter((n) => /^[a-f0-9]{64}\.json$/.test(n)).map((n) => `sha256:${n.slice(0, 64)}` as Digest);
  }

  async image(id: Digest): Promise<ImageRecord> {
    try {
      return await readJson<ImageRecord>(this.imagePath(id));
    } catch {
      throw new BoxlabError('NotFound', `No such image: ${id}`);
    }
  }

  hasImage(id: Digest): boolean {
    return existsSync(this.imagePath(id));
  }

  async config(id: Digest): Promise<{ bytes: Buffer; parsed: ImageConfig }> {
    const bytes = await fsp.readFile(this.blobPath(id));
    return { bytes, parsed: JSON.parse(bytes.toString('utf8')) as ImageConfig };
  }

  async layer(chainId: Digest): Promise<LayerRecord> {
    return readJson<LayerRecord>(path.join(this.layerDir(chainId), 'layer.json'));
  }

  async layerEntries(chainId: Digest): Promise<LayerEntry[]> {
    return readJson<LayerEntry[]>(path.join(this.layerDir(chainId), 'index.json'));
  }

  /** The uncompressed tar of a layer: the blob itself, or the `diff.tar` written beside it. */
  layerTarPath(rec: LayerRecord): string {
    return rec.content === 'blob' ? this.blobPath(rec.blob) : path.join(this.layerDir(rec.chainId), 'diff.tar');
  }

  // ---- writing -------------------------------------------------------------------------------

  /**
   * Moves verified images from a staging directory into the store. Blobs and layers already
   * present are kept (they are the same bytes by construction); tags move last, in one atomic
   * write, so a reader sees the old state or the new. Call holding the lock.
   */
  async importImages(images: ParsedImage[], staging: string): Promise<ImportResult> {
    const result: ImportResult = { images: [], tagChanges: [] };
    const moved = new Set<string>();
    const placeBlob = async (d: Digest, file: string) => {
      const dest = this.blobPath(d);
      if (moved.has(d) || existsSync(dest)) return;
      await fsyncPath(file);
      await fsp.rename(file, dest);
      moved.add(d);
    };
    for (const img of images) {
      const chains = chainIds(img.layers.map((l) => l.diffId));
      const newLayers: Digest[] = [];
      await this.writeBlob(img.config.digest, img.config.bytes, staging);
      if (img.manifest) await this.writeBlob(img.manifest.digest, img.manifest.bytes, staging);
      for (const [i, l] of img.layers.entries()) {
        const chainId = chains[i]!;
        if (!moved.has(l.staged.digest) && !existsSync(this.blobPath(l.staged.digest)) && existsSync(l.staged.file))
          await placeBlob(l.staged.digest, l.staged.file);
        if (existsSync(this.layerDir(chainId))) continue;
        const dir = path.join(staging, `layer-${hexOf(chainId)}`);
        await fsp.mkdir(dir);
        const ix = l.staged.layer!;
        const rec: LayerRecord = {
          chainId,
          diffId: l.diffId,
          parent: i === 0 ? null : chains[i - 1]!,
          size: ix.size,
          blob: l.staged.digest,
          compression: l.staged.compression ?? 'none',
          content: ix.uncompressedFile ? 'diff.tar' : 'blob',
          entries: ix.entries.length,
          fileBytes: ix.entries.reduce(
            (n, e) => n + (e.type === 'file' ? e.size : e.type === 'symlink' ? Buffer.byteLength(e.linkname ?? '') : 0),
            0,
          ),
        };
        if (ix.uncompressedFile) {
          await fsyncPath(ix.uncompressedFile);
          await fsp.rename(ix.uncompressedFile, path.join(dir, 'diff.tar'));
        }
        // plain writes are enough inside the staging directory: it appears whole, by one rename
        await writeDurable(path.join(dir, 'index.json'), JSON.stringify(ix.entries));
        await writeDurable(path.join(dir, 'layer.json'), JSON.stringify(rec, null, 2));
        await fsyncPath(dir);
        await fsp.rename(dir, this.layerDir(chainId));
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
      if (!this.hasImage(record.id)) await writeFileAtomic(this.imagePath(record.id), JSON.stringify(record, null, 2));
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

  private async writeBlob(d: Digest, bytes: Buffer, staging: string): Promise<void> {
    const dest = this.blobPath(d);
    if (existsSync(dest)) return;
    const tmp = path.join(staging, `blob-${randomBytes(6).toString('hex')}`);
    await writeDurable(tmp, bytes);
    await fsp.rename(tmp, dest);
  }

  async writeTags(tags: Record<string, Digest>): Promise<void> {
    const sorted = Object.fromEntries(Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    await writeFileAtomic(this.tagsPath, JSON.stringify({ tags: sorted }, null, 2));
  }

  async removeImageRecord(id: Digest): Promise<void> {
    await fsp.rm(this.imagePath(id), { force: true });
  }

  /**
   * Removes every layer no image uses and every blob nothing references. Call holding the lock.
   * Returns the chainIDs and blob digests removed.
   */
  async collectGarbage(): Promise<{ layers: Digest[]; blobs: Digest[]; bytes: number }> {
    const liveLayers = new Set<string>();
    const liveBlobs = new Set<string>();
    for (const id of await this.imageIds()) {
      const img = await this.image(id);
      liveBlobs.add(img.id);
      if (img.manifest) liveBlobs.add(img.manifest);
      img.layers.forEach((l) => liveBlobs.add(l.digest));
      img.chainIds.forEach((c) => liveLayers.add(hexOf(c)));
    }
    const removedLayers: Digest[] = [];
    for (const hex of await fsp.readdir(path.join(this.root, 'layers'))) {
      const chainId = `sha256:${hex}` as Digest;
      if (liveLayers.has(hex)) {
        liveBlobs.add((await this.layer(chainId)).blob);
        continue;
      }
      await fsp.rm(path.join(this.root, 'layers', hex), { recursive: true, force: true });
      removedLayers.push(chainId);
    }
    const removedBlobs: Digest[] = [];
    let bytes = 0;
    for (const hex of await fsp.readdir(path.join(this.root, 'blobs', 'sha256'))) {
      const d = `sha256:${hex}` as Digest;
      if (liveBlobs.has(d)) continue;
      const p = this.blobPath(d);
      bytes += fs.statSync(p).size;
      await fsp.rm(p, { force: true });
      removedBlobs.push(d);
    }
    bytes += await this.removeStaleStaging();
    return { layers: removedLayers, blobs: removedBlobs, bytes };
  }

  blobSize(d: Digest): number {
    try {
      return fs.statSync(this.blobPath(d)).size;
    } catch {
      return 0;
    }
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
