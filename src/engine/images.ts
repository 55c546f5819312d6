import * as fsp from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { hexOf, isDigest, shortId, type Digest } from '../digest.js';
import { deleteConflict, referenceConflict, type ImageUsers } from './image-conflicts.js';
import { BoxlabError } from '../errors.js';
import { analyzeLayers, type Efficiency, type LayerChanges } from '../layer/analysis.js';
import { parseArchive } from '../oci/load.js';
import { importImage, type ImportRequest } from './image-import.js';
import { normalizeTag } from '../oci/reference.js';
// the overlay is loaded when first mounted: `boxlab load` and friends start without it
import type { LookupResult, Mount, MountOverlayOptions } from '../overlay/index.js';
import { saveDocker, saveOci, type SaveFormat, type SaveProgress, type SaveSource } from '../oci/save.js';
import { stageArchive, type StageProgress } from '../oci/stage.js';
import type { HistoryEntry, ImageConfig } from '../oci/types.js';
import type { Store, ImageRecord, LayerRecord, TagChange } from '../store/store.js';
import type { EventBus } from './events.js';
import { readFileSync } from 'node:fs';
import { dockerContainerConfig } from './docker-json.js';
import { StoredLayer } from './stored-layer.js';
import { ImageMetadata } from './image-metadata.js';
import { overlay2View, repoTagOrder } from './image-query.js';

export interface LoadResult {
  images: { id: Digest; tags: string[] }[];
  /** Each tag the load set, and the image it took the tag from (`previous`), if any. */
  tagChanges: TagChange[];
}

/** One step of `docker rmi`, in Docker's order: a tag removed, or an image or layer deleted. */
export type RemovedItem = { untagged: string } | { deleted: Digest };

export interface ImageSummary {
  id: Digest;
  tags: string[];
  created: string | undefined;
  /** Bytes of all layers' files, as `docker images` SIZE counts. */
  size: number;
  layers: number;
  /** The config's labels (`Config.Labels`), null when it has none. */
  labels: Record<string, string> | null;
  /** The layers, base first, and each one's size as `SIZE` counts it. */
  chainIds: Digest[];
  layerSizes: number[];
}

export interface HistoryRow {
  /** The image ID for the top entry, `<missing>` below it, as Docker shows. */
  id: string;
  created: string | undefined;
  createdBy: string;
  size: number;
  comment: string;
  emptyLayer: boolean;
}

export interface LayerReport {
  diffId: Digest;
  chainId: Digest;
  blob: Digest;
  compression: string;
  blobSize: number;
  size: number;
  createdBy: string;
  changes: LayerChanges;
}

/**
 * The image service (moby's daemon/images): load, list, inspect, history, tag, save, remove and
 * prune images, and mount or export an image's root filesystem. Methods take image references as
 * Docker does: `name[:tag]`, a full image ID, or a unique prefix of one. Results are data; the
 * edges (cli/, api/) put them into Docker's words.
 */
export class ImageService {
  private readonly meta: ImageMetadata;

  /** Who uses an image (the container service answers, once the engine has one). */
  containerUsers: ImageUsers = () => [];
  /** Makes the filesystems of an image's containers before its record goes (the engine's runtime). */
  pinUsers: (image: Digest) => Promise<void> = async () => {};

  constructor(
    private readonly store: Store,
    private readonly events: EventBus,
  ) {
    this.meta = new ImageMetadata(store.root);
  }

  /**
   * Loads every image of an archive (docker save, OCI layout in a tar, gzip'd or not): all blobs
   * verified, then moved into the store under its lock. On any error the store is untouched.
   */
  async load(input: string | Readable, opts: { onProgress?: (p: StageProgress) => void; batchInput?: boolean } = {}): Promise<LoadResult> {
    const staging = await this.store.stagingDir();
    try {
      const staged = await stageArchive(input, staging, opts.onProgress, { batch: opts.batchInput ?? false });
      const parsed = parseArchive(staged);
      const res = await this.store.locked(() => this.store.importImages(parsed, staging));
      // moby's load event names the image by its ID, whatever tags it brought
      for (const img of res.images) this.events.emit('image', 'load', img.id, { name: img.id });
      return { images: res.images.map((i) => ({ id: i.id, tags: i.tags })), tagChanges: res.tagChanges };
    } finally {
      await fsp.rm(staging, { recursive: true, force: true });
    }
  }

  /** `docker import`: a root filesystem tar as a new one-layer image (engine/image-import.ts). */
  async importImage(body: Readable, req: ImportRequest): Promise<Digest> {
    const { id, tag } = await importImage(this.store, body, req);
    if (tag) await this.meta.setLastTagTime(id, new Date());
    this.events.emit('image', 'import', id, { name: id });
    return id;
  }

  /** Resolves a reference to an image ID: a tag, a full ID, or a unique ID prefix. */
  async resolve(ref: string): Promise<Digest> {
    const hex = ref.startsWith('sha256:') ? ref.slice(7) : ref;
    if (/^[a-f0-9]{64}$/.test(hex) && this.store.hasImage(`sha256:${hex}`)) return `sha256:${hex}`;
    const tags = await this.store.tags();
    // a reference that is neither an ID nor a name is refused (moby: ParseAnyReference, InvalidParameter)
    const tag = normalizeTag(ref);
    if (tag && tags[tag]) return tags[tag]!;
    if (/^[a-f0-9]{1,64}$/.test(hex)) {
      const matches = (await this.store.imageIds()).filter((id) => hexOf(id).startsWith(hex));
      if (matches.length === 1) return matches[0]!;
      if (matches.length > 1) throw new BoxlabError('InvalidArgument', `ambiguous image reference ${ref}: ${matches.length} images match`);
    }
    // Docker names a missing name with its tag (`nosuch:latest`), a missing ID as given
    throw new BoxlabError('NotFound', `No such image: ${isDigest(ref) || /^[a-f0-9]{64}$/.test(ref) ? ref : tag}`);
  }

  /**
   * `docker tag SOURCE TARGET`: TARGET (normalised as Docker does: `app` is `app:latest`) now names
   * SOURCE's image; a tag that named another image moves.
   */
  async tag(source: string, target: string): Promise<{ id: Digest; tag: string }> {
    const tag = normalizeTag(target);
    // moby's reference store: a repository named `sha256` would read as an image ID
    if (tag.startsWith('sha256:')) throw new BoxlabError('InvalidArgument', 'refusing to create an ambiguous tag using digest algorithm as name');
    return this.store.locked(async () => {
      const id = await this.resolve(source);
      const tags = await this.store.tags();
      tags[tag] = id;
      await this.store.writeTags(tags);
      await this.meta.setLastTagTime(id, new Date());
      this.events.emit('image', 'tag', id, { name: tag });
      return { id, tag };
    });
  }

  private async tagsOf(id: Digest): Promise<string[]> {
    return repoTagOrder(
      Object.entries(await this.store.tags())
        .filter(([, v]) => v === id)
        .map(([k]) => k),
    );
  }

  async list(): Promise<ImageSummary[]> {
    const tags = await this.store.tags();
    const out: ImageSummary[] = [];
    for (const id of await this.store.imageIds()) {
      const rec = await this.store.image(id);
      const { parsed } = await this.store.config(id);
      const layerSizes: number[] = [];
      for (const c of rec.chainIds) layerSizes.push((await this.store.layer(c)).fileBytes);
      out.push({
        id,
        tags: repoTagOrder(Object.keys(tags).filter((t) => tags[t] === id)),
        created: parsed.created,
        size: layerSizes.reduce((a, b) => a + b, 0),
        layers: rec.chainIds.length,
        labels: (parsed.config?.Labels as Record<string, string> | null | undefined) ?? null,
        chainIds: rec.chainIds,
        layerSizes,
      });
    }
    return out.sort((a, b) => (b.created ?? '').localeCompare(a.created ?? '') || a.id.localeCompare(b.id));
  }

  async imageRecord(ref: string): Promise<{ record: ImageRecord; config: ImageConfig; configBytes: Buffer; tags: string[] }> {
    const id = await this.resolve(ref);
    const record = await this.store.image(id);
    const { bytes, parsed } = await this.store.config(id);
    return { record, config: parsed, configBytes: bytes, tags: await this.tagsOf(id) };
  }

  /** `docker image inspect`'s shape for an image (the fields a store without containers can fill). */
  async inspect(ref: string): Promise<Record<string, unknown>> {
    const { record, config, tags } = await this.imageRecord(ref);
    let size = 0;
    for (const c of record.chainIds) size += (await this.store.layer(c)).fileBytes;
    const c = config as ImageConfig & { parent?: string; comment?: string };
    return {
      Id: record.id,
      RepoTags: tags,
      RepoDigests: [],
      Parent: c.parent ?? '',
      Comment: c.comment ?? '',
      Created: config.created ?? '',
      Container: (config as { container?: string }).container ?? '',
      ContainerConfig: dockerContainerConfig(config.container_config),
      DockerVersion: config.docker_version ?? '',
      Author: config.author ?? '',
      Config: dockerContainerConfig(config.config),
      Architecture: config.architecture ?? '',
      ...(config.variant ? { Variant: config.variant } : {}),
      Os: config.os ?? '',
      Size: size,
      VirtualSize: size,
      GraphDriver: { Name: 'overlay2', Data: overlay2View(this.store.root, record.chainIds) },
      RootFS: { Type: 'layers', Layers: record.diffIds },
      // Go's zero time until `docker tag` names the image (a load sets none)
      Metadata: { LastTagTime: await this.meta.lastTagTime(record.id) },
    };
  }

  async history(ref: string): Promise<HistoryRow[]> {
    const { record, config } = await this.imageRecord(ref);
    const hist: HistoryEntry[] = config.history?.length
      ? config.history
      : record.diffIds.map(() => ({ created_by: '' }));
    const rows: HistoryRow[] = [];
    let layer = 0;
    for (const h of hist) {
      let size = 0;
      if (!h.empty_layer) {
        const chain = record.chainIds[layer++];
        if (chain) size = (await this.store.layer(chain)).fileBytes;
      }
      rows.push({ id: '<missing>', created: h.created, createdBy: h.created_by ?? '', size, comment: h.comment ?? '', emptyLayer: !!h.empty_layer });
    }
    rows.reverse();
    if (rows[0]) rows[0].id = record.id;
    return rows;
  }

  /** The image's layers as LayerSources for the overlay: index in memory, bytes read on demand. */
  async layerSources(ref: string): Promise<StoredLayer[]> {
    const { record } = await this.imageRecord(ref);
    const out: StoredLayer[] = [];
    for (const chain of record.chainIds) {
      const rec = await this.store.layer(chain);
      const entries = await this.store.layerEntries(chain);
      out.push(new StoredLayer(rec, entries, this.store.layerTarPath(rec)));
    }
    return out;
  }

  /**
   * A fresh overlay mount over the image's layers, as a container's rootfs starts (until boxlab
   * has containers, this is what `lookup` and the labs use). Docker's overlay2 caps the stack at
   * 128 lower layers; the benchmark, going deeper on purpose, mounts through src/overlay itself.
   */
  async mount(ref: string, opts: MountOverlayOptions = {}): Promise<Mount> {
    const { mountOverlay } = await import('../overlay/index.js');
    return mountOverlay(await this.layerSources(ref), opts);
  }

  /** Where PATH resolves in a fresh mount of the image, which layers were probed, and the cost. */
  async lookup(ref: string, path: string, opts: MountOverlayOptions = {}): Promise<LookupResult & { diffIds: Digest[] }> {
    const layers = await this.layerSources(ref);
    const { mountOverlay } = await import('../overlay/index.js');
    const m = mountOverlay(layers, opts);
    return { ...m.lookup(path), diffIds: layers.map((l) => l.diffId) };
  }

  /**
   * `docker export`-like: the image's view, a read-only mount of it (what a container of it starts
   * with), as one tar. File bytes are read from the layer tars in pieces as they are written.
   */
  async export(ref: string, out: Writable): Promise<void> {
    const { exportFs } = await import('../vfs/export.js');
    await exportFs(await this.mount(ref, { readOnly: true }), out);
  }

  /**
   * Per layer: identities, sizes, and what it added, changed and removed in the image's view (a
   * mount of the layers up to it against the mount below it); dive's efficiency.
   */
  async layers(ref: string): Promise<{ id: Digest; layers: LayerReport[]; efficiency: Efficiency }> {
    const { record, config } = await this.imageRecord(ref);
    const sources = await this.layerSources(ref);
    const { mountOverlay, LowerStackCache } = await import('../overlay/index.js');
    // a cache of this call's own: the trees are shared between the prefixes, and not kept after
    const cache = new LowerStackCache();
    const views = sources.map((l, i) => ({ diffId: l.diffId, fs: () => mountOverlay(sources.slice(0, i + 1), { readOnly: true, cache }) }));
    const analysis = analyzeLayers(views);
    const createdBy = (config.history ?? []).filter((h) => !h.empty_layer).map((h) => h.created_by ?? '');
    return {
      id: record.id,
      efficiency: analysis.efficiency,
      layers: sources.map((src, i) => {
        const rec = src.record;
        return {
          diffId: rec.diffId,
          chainId: rec.chainId,
          blob: record.layers[i]!.digest,
          compression: rec.compression,
          blobSize: record.layers[i]!.size,
          size: rec.fileBytes,
          createdBy: createdBy[i] ?? '',
          changes: analysis.layers[i]!,
        };
      }),
    };
  }

  async save(refs: string[], format: SaveFormat, out: Writable, onProgress?: SaveProgress): Promise<void> {
    const sources: SaveSource[] = [];
    for (const ref of refs) {
      const { record, configBytes, tags } = await this.imageRecord(ref);
      // saved by a tag, the archive names that tag; by an ID (or a prefix), none: Docker's
      // tarexport then writes RepoTags null, and a load says "Loaded image ID: ..."
      let wanted: string[] = [];
      try {
        const t = normalizeTag(ref);
        if (!isDigest(ref) && tags.includes(t)) wanted = [t];
      } catch {
        /* an ID */
      }
      const layers: LayerRecord[] = [];
      for (const c of record.chainIds) layers.push(await this.store.layer(c));
      sources.push({
        record,
        tags: wanted,
        config: configBytes,
        ...(record.manifest ? { manifest: readFileSync(this.store.blobPath(record.manifest)) } : {}),
        layers,
        blobPath: (d) => this.store.blobPath(d),
        layerTarPath: (l) => this.store.layerTarPath(l),
        blobSize: (d) => this.store.blobSize(d),
      });
    }
    await (format === 'oci' ? saveOci : saveDocker)(sources, out, onProgress);
  }

  /**
   * `docker rmi`: untags; an image left without tags is deleted, and the layers and blobs no
   * image uses any more are collected. Returns what was untagged and deleted, in Docker's order.
   */
  async remove(ref: string, opts: { force?: boolean } = {}): Promise<RemovedItem[]> {
    return this.store.locked(async () => {
      const id = await this.resolve(ref);
      const tags = await this.store.tags();
      const own = repoTagOrder(Object.keys(tags).filter((t) => tags[t] === id));
      let byTag: string | undefined;
      try {
        byTag = normalizeTag(ref);
      } catch {
        /* by ID */
      }
      const items: RemovedItem[] = [];
      const users = this.containerUsers(id);
      const byReference = !!byTag && tags[byTag] === id;
      if (byReference && !opts.force && own.length === 1) {
        const c = referenceConflict(ref, id, users);
        if (c) throw c;
      }
      // by ID: a running user first, then (unforced) other tags, then a stopped user (the mask order)
      if (!byReference) {
        const c = deleteConflict(id, users, !!opts.force || own.length > 1);
        if (c) throw c.error;
      }
      let untag: string[];
      if (byReference) untag = [byTag!];
      else if (own.length > 1 && !opts.force)
        throw new BoxlabError(
          'FailedPrecondition',
          `conflict: unable to delete ${shortId(id)} (must be forced) - image is referenced in multiple repositories`,
        );
      else untag = own;
      if (!byReference && own.length > 1) {
        const c = deleteConflict(id, users, !!opts.force);
        if (c) throw c.error;
      }
      for (const t of untag) {
        delete tags[t];
        items.push({ untagged: t });
      }
      await this.store.writeTags(tags);
      // moby's untag and delete events name the image by its ID
      for (let i = 0; i < untag.length; i++) this.events.emit('image', 'untag', id, { name: id });
      if (Object.values(tags).includes(id)) return items;
      // the last tag went: a container's image stays (quietly) unless it may go (imageDeleteHelper)
      if (byReference && deleteConflict(id, users, !!opts.force)) return items;
      // a stopped container of a force-deleted image keeps its filesystem: mounted now, layers kept
      if (users.length) await this.pinUsers(id);
      const { chainIds } = await this.store.image(id);
      await this.store.removeImageRecord(id);
      await this.meta.forget([id]);
      // the shared lower stack (and its merged index) of a deleted image must not outlive it
      if (chainIds.length) (await import('../overlay/index.js')).sharedLowerStacks.evict(chainIds[chainIds.length - 1]!);
      items.push({ deleted: id });
      this.events.emit('image', 'delete', id, { name: id });
      // Docker lists the chainIDs it freed top layer first; layers other images use stay
      const freed = new Set(users.length ? [] : (await this.store.collectGarbage()).layers);
      for (const c of [...chainIds].reverse()) if (freed.has(c)) items.push({ deleted: c });
      return items;
    });
  }

  /**
   * `docker image prune`: untagged images, or every image with `all` (minus those `keep` spares: the
   * API's until/label filters). As moby's ImagesPrune, each image goes through `remove` tag by tag,
   * so the answer lists Untagged and Deleted items in rmi's order; `reclaimed` counts the freed
   * layers' sizes (their DiffSize). Staging left by a crashed load is collected too.
   */
  async prune(opts: { all?: boolean; keep?: (img: ImageSummary) => boolean } = {}): Promise<{ deleted: Digest[]; layers: Digest[]; reclaimed: number; items: RemovedItem[] }> {
    const items: RemovedItem[] = [];
    const layerSize = new Map<Digest, number>();
    for (const img of await this.list()) {
      if ((img.tags.length && !opts.all) || opts.keep?.(img)) continue;
      // moby's ImagesPrune leaves the images containers use
      if (this.containerUsers(img.id).length) continue;
      img.chainIds.forEach((c, i) => layerSize.set(c, img.layerSizes[i] ?? 0));
      for (const ref of img.tags.length ? img.tags : [img.id]) {
        try {
          items.push(...(await this.remove(ref)));
        } catch (e) {
          // moby skips what another client removed meanwhile
          if (!(e instanceof BoxlabError && e.code === 'NotFound')) throw e;
        }
      }
    }
    // the staging of loads that died is reclaimed too, and counted
    const stale = await this.store.removeStaleStaging();
    await this.store.locked(() => this.store.collectGarbage());
    const deleted = items.flatMap((i) => ('deleted' in i ? [i.deleted] : []));
    const layers = deleted.filter((d) => layerSize.has(d));
    const reclaimed = layers.reduce((n, d) => n + layerSize.get(d)!, stale);
    this.events.emit('image', 'prune', '', { reclaimed: String(reclaimed) });
    return { deleted: deleted.filter((d) => !layerSize.has(d)), layers, reclaimed, items };
  }

  /** `docker system df` for images: total, shared between images, and unique bytes. */
  async df(): Promise<{ images: number; blobs: number; totalBytes: number; sharedBytes: number; uniqueBytes: number; perImage: { id: Digest; tags: string[]; shared: number; unique: number }[] }> {
    const ids = await this.store.imageIds();
    const users = new Map<Digest, Set<Digest>>();
    const recs: ImageRecord[] = [];
    for (const id of ids) {
      const r = await this.store.image(id);
      recs.push(r);
      for (const l of r.layers) (users.get(l.digest) ?? users.set(l.digest, new Set()).get(l.digest)!).add(id);
      (users.get(id) ?? users.set(id, new Set()).get(id)!).add(id);
    }
    let total = 0;
    let shared = 0;
    for (const [d, u] of users) {
      const s = this.store.blobSize(d);
      total += s;
      if (u.size > 1) shared += s;
    }
    const tags = await this.store.tags();
    const perImage = recs.map((r) => {
      let sh = 0;
      let un = 0;
      for (const d of new Set([r.id, ...r.layers.map((l) => l.digest)])) {
        const s = this.store.blobSize(d);
        if (users.get(d)!.size > 1) sh += s;
        else un += s;
      }
      return { id: r.id, tags: Object.keys(tags).filter((t) => tags[t] === r.id), shared: sh, unique: un };
    });
    return { images: ids.length, blobs: users.size, totalBytes: total, sharedBytes: shared, uniqueBytes: total - shared, perImage };
  }
}

