/**
 * `docker save` archives of built images, in the three shapes a loader meets:
 * - `'20.10'` (default): Engine 20.10, the engine boxlab models (image/tarexport/save.go): per layer
 *   `<v1 id>/{VERSION,json,layer.tar}` (plain tars; a diffID already written becomes a symlink to the
 *   first copy), `<image id>.json`, `manifest.json`, `repositories`. Checked member for member
 *   against a real 20.10 `docker save` (test/oci/build.test.ts).
 * - `'25'`: Engine 25 to 28 (moby PR #44598 and its fixes): an OCI layout (`blobs/sha256/`,
 *   `index.json`, `oci-layout`) whose layers are the plain tars named by diffID, plus `manifest.json`
 *   pointing into `blobs/` and `repositories`; the v1 JSONs remain as unreferenced blobs.
 * - `'containerd'`: Engine 29 with the containerd image store: the OCI layout with the layer blobs as
 *   built (gzip), and `manifest.json` whose `Layers` name those compressed blobs.
 */
import { sha256, type Digest } from '../../digest.js';
import { familiarName, finish, fullName, type ArchiveOptions, type Member } from './archive.js';
import { goJson, v1Layers } from './docker-v1.js';
import type { BuiltImage } from './image.js';
import { MediaTypes } from './layer.js';

export type DockerFlavor = '20.10' | '25' | 'containerd';

export interface DockerArchiveOptions extends ArchiveOptions {
  flavor?: DockerFlavor;
}

interface ManifestItem {
  Config: string;
  RepoTags: string[];
  Layers: string[];
}

const EPOCH = new Date(0);

/** Archive members in the lexical walk order of `archive.Tar` over the temp directory. */
export function dockerMembers(images: readonly BuiltImage[], flavor: DockerFlavor = '20.10'): Member[] {
  const files = new Map<string, Member>();
  const manifest: ManifestItem[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  const write = flavor === '20.10' ? legacyImage : flavor === '25' ? oci25Image : containerdImage;
  const index: unknown[] = [];
  const firstTar = new Map<Digest, string>();
  for (const img of images) {
    const { item, topV1, indexEntry } = write(img, files, firstTar);
    manifest.push(item);
    if (indexEntry) index.push(indexEntry);
    const { repo, tag } = familiarName(img.name);
    if (flavor !== 'containerd' && topV1) (repositories[repo] ??= {})[tag] = topV1;
  }
  const json = (v: unknown) => Buffer.from(`${goJson(v)}\n`); // json.Encoder.Encode: a trailing newline
  files.set('manifest.json', { name: 'manifest.json', data: json(manifest), mtime: EPOCH });
  if (Object.keys(repositories).length > 0)
    files.set('repositories', { name: 'repositories', data: json(sortKeys(Object.fromEntries(Object.entries(repositories).map(([k, v]) => [k, sortKeys(v)])))), mtime: EPOCH });
  if (flavor !== '20.10') {
    const newest = new Date(images.map((i) => i.created).sort().at(-1)!);
    files.set('blobs/', { name: 'blobs/', type: 'directory', mtime: newest });
    files.set('blobs/sha256/', { name: 'blobs/sha256/', type: 'directory', mtime: newest });
    files.set('oci-layout', { name: 'oci-layout', data: Buffer.from('{"imageLayoutVersion": "1.0.0"}'), mtime: EPOCH });
    files.set('index.json', {
      name: 'index.json',
      data: Buffer.from(goJson({ schemaVersion: 2, mediaType: MediaTypes.index, manifests: index })),
      mtime: newest,
    });
  }
  return [...files.values()].sort((a, b) => walkCompare(a.name, b.name));
}

export async function writeDockerArchive(images: readonly BuiltImage[], opts: DockerArchiveOptions = {}): Promise<Buffer> {
  return finish(dockerMembers(images, opts.flavor), images, opts);
}

interface Written {
  item: ManifestItem;
  topV1?: string;
  indexEntry?: unknown;
}

function repoTag(img: BuiltImage): string {
  const { repo, tag } = familiarName(img.name);
  return `${repo}:${tag}`;
}

function legacyImage(img: BuiltImage, files: Map<string, Member>, firstTar: Map<Digest, string>): Written {
  const mtime = new Date(img.created);
  const v1 = v1Layers(img.configJson, img.chainIds);
  const layers: string[] = [];
  v1.forEach(({ id, json }, i) => {
    const layer = img.layers[i]!;
    const path = `${id}/layer.tar`;
    layers.push(path);
    if (files.has(`${id}/`)) return; // the same v1 layer, already saved
    files.set(`${id}/`, { name: `${id}/`, type: 'directory', mtime });
    files.set(`${id}/VERSION`, { name: `${id}/VERSION`, data: Buffer.from('1.0'), mtime });
    files.set(`${id}/json`, { name: `${id}/json`, data: json, mtime });
    const first = firstTar.get(layer.diffId);
    if (first) files.set(path, { name: path, type: 'symlink', linkname: `../${first}`, mtime });
    else {
      firstTar.set(layer.diffId, path);
      files.set(path, { name: path, data: layer.tar, mtime });
    }
  });
  const config = `${img.configDigest.slice(7)}.json`;
  files.set(config, { name: config, data: img.config, mtime });
  return { item: { Config: config, RepoTags: [repoTag(img)], Layers: layers }, topV1: v1.at(-1)?.id };
}

const blob = (d: Digest) => `blobs/sha256/${d.slice(7)}`;

function platform(img: BuiltImage): Record<string, string> {
  const c = img.configJson;
  return { architecture: c.architecture, os: c.os, ...(c.variant ? { variant: c.variant } : {}) };
}

/** OCI manifest and index entry as Go's ocispec types marshal them (field order of the structs). */
function ociManifest(img: BuiltImage, layers: Array<{ mediaType: string; digest: Digest; size: number }>, files: Map<string, Member>, annotations: Record<string, string>) {
  const m = Buffer.from(
    goJson({
      schemaVersion: 2,
      mediaType: MediaTypes.manifest,
      config: { mediaType: MediaTypes.config, digest: img.configDigest, size: img.config.length, platform: platform(img) },
      layers,
    }),
  );
  const d = sha256(m);
  files.set(blob(d), { name: blob(d), data: m, mtime: EPOCH });
  return { mediaType: MediaTypes.manifest, digest: d, size: m.length, annotations: sortKeys(annotations), platform: platform(img) };
}

function oci25Image(img: BuiltImage, files: Map<string, Member>): Written {
  const mtime = new Date(img.created);
  const v1 = v1Layers(img.configJson, img.chainIds);
  for (const { json } of v1) {
    const d = sha256(json);
    if (!files.has(blob(d))) files.set(blob(d), { name: blob(d), data: json, mtime });
  }
  for (const l of img.layers) files.set(blob(l.diffId), { name: blob(l.diffId), data: l.tar, mtime });
  files.set(blob(img.configDigest), { name: blob(img.configDigest), data: img.config, mtime });
  const layers = img.layers.map((l) => ({ mediaType: MediaTypes.layerTar, digest: l.diffId, size: l.tar.length }));
  const r = familiarName(img.name);
  // Engine 25 annotates with the full name and, as ref.name, the tag alone.
  const indexEntry = ociManifest(img, layers, files, { 'io.containerd.image.name': fullName(img.name), 'org.opencontainers.image.ref.name': r.tag });
  return {
    item: { Config: blob(img.configDigest), RepoTags: [repoTag(img)], Layers: img.layers.map((l) => blob(l.diffId)) },
    topV1: v1.at(-1)?.id,
    indexEntry,
  };
}

function containerdImage(img: BuiltImage, files: Map<string, Member>): Written {
  const mtime = new Date(img.created);
  for (const l of img.layers) files.set(blob(l.digest), { name: blob(l.digest), data: l.blob, mtime });
  files.set(blob(img.configDigest), { name: blob(img.configDigest), data: img.config, mtime });
  const layers = img.layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size }));
  const r = familiarName(img.name);
  const indexEntry = ociManifest(img, layers, files, { 'io.containerd.image.name': fullName(img.name), 'org.opencontainers.image.ref.name': r.tag });
  return {
    item: { Config: blob(img.configDigest), RepoTags: [repoTag(img)], Layers: img.layers.map((l) => blob(l.digest)) },
    indexEntry,
  };
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]!]));
}

/** filepath.Walk order: names compared component by component. */
function walkCompare(a: string, b: string): number {
  const pa = a.replace(/\/$/, '').split('/');
  const pb = b.replace(/\/$/, '').split('/');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] !== pb[i]) return pa[i]! < pb[i]! ? -1 : 1;
  }
  return pa.length - pb.length;
}
