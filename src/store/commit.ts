import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { chainIds, sha256, type Digest } from '../digest.js';
import { BoxlabError } from '../errors.js';
import { LayerIndexer, type IndexedLayer } from '../layer/tarindex.js';
import { MAX_IMAGE_LAYERS } from '../oci/load.js';
import { FileSink } from '../util/filesink.js';
import { existsSync, fsyncPath, readJson, writeFileAtomic } from '../util/fsx.js';
import { placeLayer } from './layers.js';
import type { Store } from './store.js';
import type { TagChange } from './types.js';

/** What the caller needs to build the image config: the new layer and the chain it ends. */
export interface CommittedLayerFacts {
  diffId: Digest;
  chainId: Digest;
  /** The image's diffIDs, base first: the parent chain's and the new layer's (config rootfs.diff_ids). */
  diffIds: Digest[];
}

export interface CommitOptions {
  /** The layer's changes as an uncompressed tar (the overlay's packUpperStream of a container's upper). */
  layer: Readable;
  /** The committed layer (chainID) the new one sits on; null for a first layer. */
  parent: Digest | null;
  /** Builds the image config JSON (bytes as they will be stored and hashed) once the layer's diffID is known. */
  config: (layer: CommittedLayerFacts) => Buffer;
  /** A normalized reference (`name:tag`) to point at the new image. */
  tag?: string;
  /** Refuses a staged layer before anything is placed (an import's tar: Docker's unpack rules). */
  check?: (layer: IndexedLayer) => void;
}

export interface CommitResult extends CommittedLayerFacts {
  /** The image ID: sha256 of the config. */
  id: Digest;
  /** False when a layer with this chainID was already stored (the same changes on the same parent). */
  newLayer: boolean;
  tagChange?: TagChange;
}

/**
 * What a commit is about to add, written (durably) before anything is placed. A commit that dies
 * midway is finished or undone by the next process to take the lock (Store.recoverIntents): done
 * when the image record made it (it is written after the blobs and the layer it needs), undone
 * otherwise. So a reader holding the lock sees the store before the commit or after it.
 */
export interface CommitIntent {
  image: Digest;
  chainId: Digest;
  newLayer: boolean;
  newBlobs: Digest[];
  tag?: string;
}

/** Streams the layer tar into `file`, hashing (diffID) and indexing it in the same pass. */
async function stageLayer(tar: Readable, file: string): Promise<IndexedLayer> {
  const sink = new FileSink(file);
  const indexer = new LayerIndexer('layer', sink);
  try {
    await pipeline(tar, indexer);
  } catch (err) {
    if (err instanceof BoxlabError) throw err;
    throw new BoxlabError('InvalidArchive', `commit: the layer is not a readable tar: ${(err as Error).message}`, { cause: err });
  } finally {
    await sink.close();
  }
  return indexer.result();
}

function checkConfig(bytes: Buffer, diffIds: Digest[]): void {
  let parsed: { rootfs?: { diff_ids?: unknown } };
  try {
    parsed = JSON.parse(bytes.toString('utf8')) as typeof parsed;
  } catch (err) {
    throw new BoxlabError('InvalidArgument', `commit: the image config is not valid JSON`, { cause: err });
  }
  const got = parsed?.rootfs?.diff_ids;
  if (!Array.isArray(got) || got.length !== diffIds.length || got.some((d, i) => d !== diffIds[i]))
    throw new BoxlabError('InvalidArgument', `commit: the config's rootfs.diff_ids ${JSON.stringify(got)} are not the layers' ${JSON.stringify(diffIds)}`);
}

/** The parent chain, base first: each layer's diffID (walking layer.json parents). */
async function parentDiffIds(store: Store, parent: Digest | null): Promise<Digest[]> {
  const out: Digest[] = [];
  for (let c = parent; c; ) {
    if (!store.hasLayer(c)) throw new BoxlabError('NotFound', `commit: no such layer: ${c}`);
    const rec = await store.layer(c);
    out.unshift(rec.diffId);
    c = rec.parent;
  }
  return out;
}

/**
 * Adds one layer and one image (and moves a tag to it), all or nothing: Docker's `commit`, and a
 * build step. The layer is hashed and indexed in staging without the lock; under the lock the
 * intent is recorded, then the blobs, the layer, the image record and the tag are placed in that
 * order, each by fsync and rename, and the intent is dropped.
 */
export async function commit(store: Store, opts: CommitOptions): Promise<CommitResult> {
  const staging = await store.stagingDir('commit');
  try {
    const tarFile = path.join(staging, 'layer.tar');
    const index = await stageLayer(opts.layer, tarFile);
    opts.check?.(index);
    return await store.locked(async () => {
      const diffIds = [...(await parentDiffIds(store, opts.parent)), index.diffId];
      // moby layer/layer_store.go: a chain deeper than its maximum is refused ("max depth exceeded")
      if (diffIds.length > MAX_IMAGE_LAYERS) throw new BoxlabError('FailedPrecondition', 'max depth exceeded');
      const chainId = chainIds(diffIds).at(-1)!;
      const config = opts.config({ diffId: index.diffId, chainId, diffIds });
      checkConfig(config, diffIds);
      const id = sha256(config);
      const intent: CommitIntent = {
        image: id,
        chainId,
        newLayer: !store.hasLayer(chainId),
        newBlobs: [id, index.diffId].filter((d, i, all) => all.indexOf(d) === i && !existsSync(store.blobPath(d))),
        ...(opts.tag ? { tag: opts.tag } : {}),
      };
      const intentFile = await writeIntent(store, intent);
      await store.writeBlob(id, config, staging);
      if (intent.newBlobs.includes(index.diffId)) {
        await fsyncPath(tarFile);
        await fsp.rename(tarFile, store.blobPath(index.diffId));
      }
      await fsyncPath(path.join(store.root, 'blobs', 'sha256'));
      if (intent.newLayer) {
        await placeLayer(staging, store.layerPath(chainId), { chainId, parent: opts.parent, blob: index.diffId, compression: 'none', index });
        await fsyncPath(path.join(store.root, 'layers'));
      }
      if (!store.hasImage(id)) await store.writeImageRecord(await store.imageRecordFor(id, chainId, diffIds));
      const tagChange = opts.tag ? await store.moveTag(opts.tag, id) : undefined;
      await dropIntent(intentFile);
      return { id, diffId: index.diffId, chainId, diffIds, newLayer: intent.newLayer, ...(tagChange ? { tagChange } : {}) };
    });
  } finally {
    await fsp.rm(staging, { recursive: true, force: true });
  }
}

async function writeIntent(store: Store, intent: CommitIntent): Promise<string> {
  const file = path.join(store.root, 'intents', `commit-${randomBytes(8).toString('hex')}.json`);
  await writeFileAtomic(file, JSON.stringify(intent, null, 2));
  return file;
}

async function dropIntent(file: string): Promise<void> {
  await fsp.rm(file, { force: true });
  await fsyncPath(path.dirname(file));
}

/**
 * Finishes or undoes the commits a dead process left in flight. Called holding the lock, before
 * anything else the lock's holder does.
 */
export async function recoverIntents(store: Store): Promise<void> {
  const dir = path.join(store.root, 'intents');
  // synchronous: an empty directory read at every taking of the store's lock (see torn.ts)
  for (const n of fs.readdirSync(dir)) {
    const file = path.join(dir, n);
    if (!/^commit-[0-9a-f]{16}\.json$/.test(n)) {
      await fsp.rm(file, { force: true }); // the temp file of an intent never written whole
      continue;
    }
    const intent = await readJson<CommitIntent>(file);
    if (store.hasImage(intent.image)) {
      if (intent.tag) await store.moveTag(intent.tag, intent.image);
    } else {
      if (intent.newLayer) await fsp.rm(store.layerPath(intent.chainId), { recursive: true, force: true });
      for (const b of intent.newBlobs) await fsp.rm(store.blobPath(b), { force: true });
    }
    await dropIntent(file);
  }
}
