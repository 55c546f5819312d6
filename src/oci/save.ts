import type { Writable } from 'node:stream';
import { hexOf, sha256, type Digest } from '../digest.js';
import type { ImageRecord, LayerRecord } from '../store/store.js';
import { TarWriter } from '../util/tarout.js';
import { fullString, parseReference } from './reference.js';
import { MediaType, type Descriptor } from './types.js';

/** What `save` needs of an image: its record, tags, config bytes, and where its bytes live. */
export interface SaveSource {
  record: ImageRecord;
  tags: string[];
  config: Buffer;
  /** The OCI manifest bytes the image came with, if any. */
  manifest?: Buffer;
  layers: LayerRecord[];
  blobPath(d: Digest): string;
  layerTarPath(l: LayerRecord): string;
  blobSize(d: Digest): number;
}

export type SaveFormat = 'docker' | 'oci';

/** Bytes of one layer written so far, for progress bars. */
export type SaveProgress = (p: { id: string; current: number; total: number }) => void;

const EPOCH = new Date(0);

/**
 * `docker save` as Engine 20.10 writes it: `<image ID>.json`, one `<id>/layer.tar` (uncompressed)
 * with `VERSION` and a v1 `json` per layer, `manifest.json` and `repositories`. Layer directories
 * are named by chainID, which is unique per position in a stack (Docker's v1 IDs are too).
 */
export async function saveDocker(images: SaveSource[], out: Writable, onProgress?: SaveProgress): Promise<void> {
  const w = new TarWriter(out);
  const written = new Set<string>();
  const manifest: { Config: string; RepoTags: string[] | null; Layers: string[] }[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  for (const img of images) {
    const layerPaths: string[] = [];
    for (const [i, l] of img.layers.entries()) {
      const dir = hexOf(l.chainId);
      layerPaths.push(`${dir}/layer.tar`);
      if (written.has(dir)) continue;
      written.add(dir);
      await w.add({ name: `${dir}/`, type: 'directory', mode: 0o755, mtime: EPOCH });
      await w.add({ name: `${dir}/VERSION`, mode: 0o644, mtime: EPOCH }, '1.0');
      const v1: Record<string, unknown> = { id: dir, created: '1970-01-01T00:00:00Z', container_config: { Cmd: null } };
      if (i > 0) v1.parent = hexOf(img.layers[i - 1]!.chainId);
      await w.add({ name: `${dir}/json`, mode: 0o644, mtime: EPOCH }, JSON.stringify(v1));
      await w.addFromFile({ name: `${dir}/layer.tar`, mode: 0o644, mtime: EPOCH }, img.layerTarPath(l), 0, l.size, (n) =>
        onProgress?.({ id: dir.slice(0, 12), current: n, total: l.size }),
      );
    }
    const configName = `${hexOf(img.record.id)}.json`;
    if (!written.has(configName)) {
      written.add(configName);
      await w.add({ name: configName, mode: 0o644, mtime: EPOCH }, img.config);
    }
    const tags = img.tags.map((t) => parseReference(t));
    manifest.push({ Config: configName, RepoTags: tags.length ? img.tags : null, Layers: layerPaths });
    const top = img.layers.at(-1);
    for (const [i, r] of tags.entries()) {
      const name = img.tags[i]!.slice(0, img.tags[i]!.lastIndexOf(':'));
      if (top) (repositories[name] ??= {})[r.tag] = hexOf(top.chainId);
    }
  }
  await w.add({ name: 'manifest.json', mode: 0o644, mtime: EPOCH }, JSON.stringify(manifest));
  if (Object.keys(repositories).length)
    await w.add({ name: 'repositories', mode: 0o644, mtime: EPOCH }, JSON.stringify(repositories) + '\n');
  await w.finish();
}

/** The image's OCI manifest: the one it came with, or one built over its stored blobs. */
export function ociManifest(img: SaveSource): Buffer {
  if (img.manifest) return img.manifest;
  const m = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: { mediaType: MediaType.ociConfig, digest: img.record.id, size: img.config.length },
    layers: img.record.layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
  };
  return Buffer.from(JSON.stringify(m));
}

/**
 * An OCI image layout in a tar (image-layout.md): `oci-layout`, `index.json` naming each tag
 * (containerd's full name and the OCI ref name, as Docker 25+ writes them), `blobs/sha256/…`
 * holding every blob byte for byte as stored.
 */
export async function saveOci(images: SaveSource[], out: Writable, onProgress?: SaveProgress): Promise<void> {
  const w = new TarWriter(out);
  const written = new Set<string>();
  const index: { schemaVersion: 2; mediaType: string; manifests: Descriptor[] } = {
    schemaVersion: 2,
    mediaType: MediaType.ociIndex,
    manifests: [],
  };
  await w.add({ name: 'blobs/', type: 'directory', mode: 0o755, mtime: EPOCH });
  await w.add({ name: 'blobs/sha256/', type: 'directory', mode: 0o755, mtime: EPOCH });
  const blob = async (d: Digest, data: Buffer | { file: string; size: number }) => {
    if (written.has(d)) return;
    written.add(d);
    const name = `blobs/sha256/${hexOf(d)}`;
    if (Buffer.isBuffer(data)) await w.add({ name, mode: 0o644, mtime: EPOCH }, data);
    else
      await w.addFromFile({ name, mode: 0o644, mtime: EPOCH }, data.file, 0, data.size, (n) =>
        onProgress?.({ id: hexOf(d).slice(0, 12), current: n, total: data.size }),
      );
  };
  for (const img of images) {
    for (const l of img.record.layers) {
      await blob(l.digest, { file: img.blobPath(l.digest), size: l.size });
    }
    await blob(img.record.id, img.config);
    const man = ociManifest(img);
    const manDigest = sha256(man);
    await blob(manDigest, man);
    const desc: Descriptor = { mediaType: MediaType.ociManifest, digest: manDigest, size: man.length };
    if (img.tags.length === 0) index.manifests.push(desc);
    for (const t of img.tags) {
      const r = parseReference(t);
      index.manifests.push({
        ...desc,
        annotations: { 'io.containerd.image.name': fullString(r), 'org.opencontainers.image.ref.name': r.tag },
      });
    }
  }
  await w.add({ name: 'oci-layout', mode: 0o644, mtime: EPOCH }, JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await w.add({ name: 'index.json', mode: 0o644, mtime: EPOCH }, JSON.stringify(index));
  await w.finish();
}
