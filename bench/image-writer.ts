/**
 * Streaming image writers for the benchmarks: layers and archives of hundreds of MB (or a 1 GiB
 * file of zeros) written without holding a layer in memory, unlike src/oci/build, which builds
 * small images as Buffers. The same input gives the same bytes (fixed mtimes, owners and gzip
 * level), so a cache keyed by the input stays valid.
 *
 *   const layer = await writeLayer(entries, { tar: 'l.tar', gz: 'l.tar.gz' });
 *   const img = imageOf('bench/node-modules:1', [layer], created);
 *   await writeOciArchive(img, 'image.oci.tar');      // gzip layers, OCI layout in a tar
 *   await writeDockerArchive(img, 'image.docker.tar'); // Engine 20.10's docker save, plain layers
 */
import { createHash, type Hash } from 'node:crypto';
import { once } from 'node:events';
import * as fs from 'node:fs';
import { Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import tar from 'tar-stream';
import type { TarHeader } from '../src/util/tarout.js';
import { chainIds, sha256, type Digest } from '../src/digest.js';
import { goJson, v1Layers } from '../src/oci/build/docker-v1.js';
import { configAndManifest, type OciConfig } from '../src/oci/build/image.js';
import { MediaTypes } from '../src/oci/build/layer.js';

/** zlib's default level, as `docker push` and most registries' layers use (not the builder's 9). */
export const BENCH_GZIP_LEVEL = 6;

/** One layer member: a header and, for files, a body given whole or as a stream of `size` bytes. */
export interface LayerMember {
  header: TarHeader;
  body?: Buffer | (() => Readable);
}

export interface WrittenLayer {
  /** The uncompressed tar (when asked for) and the gzip blob. */
  tarFile?: string;
  gzFile: string;
  diffId: Digest;
  tarSize: number;
  digest: Digest;
  gzSize: number;
  createdBy: string;
}

/** Hashes and counts what passes; also copies it to `copy` when given (with backpressure). */
class Tap extends Transform {
  readonly hash: Hash = createHash('sha256');
  bytes = 0;
  constructor(private readonly copy?: Writable) {
    super({ highWaterMark: 1 << 20 });
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null, data?: Buffer) => void): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    if (!this.copy || this.copy.write(chunk)) return cb(null, chunk);
    once(this.copy, 'drain').then(() => cb(null, chunk), cb);
  }
  override _flush(cb: (err?: Error | null) => void): void {
    if (!this.copy) return cb();
    this.copy.end(() => cb());
  }
}

/** Adds one member to a pack, resolving once its bytes are taken (tar-stream's backpressure). */
function addMember(pack: tar.Pack, m: LayerMember): Promise<void> {
  return new Promise((resolve, reject) => {
    const body = m.body;
    if (body === undefined || Buffer.isBuffer(body)) {
      pack.entry(m.header, body ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
      return;
    }
    const entry = pack.entry(m.header, (err) => (err ? reject(err) : resolve()));
    pipeline(body(), entry as unknown as NodeJS.WritableStream).catch(reject);
  });
}

/** Writes a layer tar from `members` in one pass: gzip blob always, the plain tar when `out.tar` is set. */
export async function writeLayer(
  members: Iterable<LayerMember> | AsyncIterable<LayerMember>,
  out: { gz: string; tar?: string },
  createdBy = '',
): Promise<WrittenLayer> {
  const pack = tar.pack();
  const tarTap = new Tap(out.tar ? fs.createWriteStream(out.tar) : undefined);
  const gzTap = new Tap();
  const done = pipeline(
    pack as unknown as NodeJS.ReadableStream,
    tarTap,
    zlib.createGzip({ level: BENCH_GZIP_LEVEL, chunkSize: 1 << 18 }),
    gzTap,
    fs.createWriteStream(out.gz),
  );
  done.catch(() => {});
  for await (const m of members) await addMember(pack, m);
  pack.finalize();
  await done;
  return {
    ...(out.tar ? { tarFile: out.tar } : {}),
    gzFile: out.gz,
    diffId: `sha256:${tarTap.hash.digest('hex')}`,
    tarSize: tarTap.bytes,
    digest: `sha256:${gzTap.hash.digest('hex')}`,
    gzSize: gzTap.bytes,
    createdBy,
  };
}

export interface BenchImage {
  name: string;
  layers: WrittenLayer[];
  configJson: OciConfig;
  config: Buffer;
  configDigest: Digest;
  /** The OCI manifest naming the gzip blobs. */
  manifest: Buffer;
  manifestDigest: Digest;
}

/** Config and OCI manifest for `layers`, as `docker build` would describe a one-instruction-per-layer image. */
export function imageOf(name: string, layers: WrittenLayer[], created: string): BenchImage {
  const diffIds = layers.map((l) => l.diffId);
  const configJson: OciConfig = {
    created,
    architecture: 'amd64',
    os: 'linux',
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], WorkingDir: '/app' },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: layers.map((l) => ({ created, created_by: l.createdBy })),
  };
  const { config, configDigest, manifest } = configAndManifest(
    configJson,
    layers.map((l) => ({ mediaType: MediaTypes.layerGzip, digest: l.digest, size: l.gzSize })),
  );
  return { name, layers, configJson, config, configDigest, manifest, manifestDigest: sha256(manifest) };
}

interface ArchiveMember {
  name: string;
  type?: 'file' | 'directory';
  data?: Buffer;
  /** A file streamed into the archive, `size` bytes. */
  file?: string;
  size?: number;
}

async function writeArchive(members: ArchiveMember[], out: string, mtime: Date): Promise<void> {
  const pack = tar.pack();
  const done = pipeline(pack as unknown as NodeJS.ReadableStream, fs.createWriteStream(out));
  done.catch(() => {});
  for (const m of members) {
    const type = m.type ?? 'file';
    const header: TarHeader = {
      name: m.name,
      type,
      mode: type === 'directory' ? 0o755 : 0o644,
      uid: 0,
      gid: 0,
      uname: 'root',
      gname: 'root',
      mtime,
      ...(m.file ? { size: m.size } : {}),
    };
    const file = m.file;
    await addMember(pack, {
      header,
      ...(file ? { body: () => fs.createReadStream(file, { highWaterMark: 1 << 20 }) } : m.data ? { body: m.data } : {}),
    });
  }
  pack.finalize();
  await done;
}

const blobName = (d: Digest) => `blobs/sha256/${d.slice(7)}`;

/** An OCI image layout in a tar, as `skopeo copy … oci-archive:` writes it: gzip layer blobs. */
export async function writeOciArchive(img: BenchImage, out: string): Promise<void> {
  const index = {
    schemaVersion: 2,
    mediaType: MediaTypes.index,
    manifests: [
      {
        mediaType: MediaTypes.manifest,
        digest: img.manifestDigest,
        size: img.manifest.length,
        annotations: { 'org.opencontainers.image.ref.name': img.name },
      },
    ],
  };
  await writeArchive(
    [
      { name: 'blobs/', type: 'directory' },
      { name: 'blobs/sha256/', type: 'directory' },
      { name: blobName(img.configDigest), data: img.config },
      { name: blobName(img.manifestDigest), data: img.manifest },
      ...img.layers.map((l) => ({ name: blobName(l.digest), file: l.gzFile, size: l.gzSize })),
      { name: 'index.json', data: Buffer.from(JSON.stringify(index)) },
      { name: 'oci-layout', data: Buffer.from('{"imageLayoutVersion": "1.0.0"}') },
    ],
    out,
    new Date(img.configJson.created),
  );
}

/** Engine 20.10's `docker save`: `<v1 id>/{VERSION,json,layer.tar}` (plain tars), config, manifest.json, repositories. */
export async function writeDockerArchive(img: BenchImage, out: string): Promise<void> {
  const v1 = v1Layers(img.configJson, chainIds(img.layers.map((l) => l.diffId)));
  const members: ArchiveMember[] = [];
  v1.forEach(({ id, json }, i) => {
    const l = img.layers[i]!;
    if (!l.tarFile) throw new Error(`layer ${l.diffId} was written without its plain tar`);
    members.push(
      { name: `${id}/`, type: 'directory' },
      { name: `${id}/VERSION`, data: Buffer.from('1.0') },
      { name: `${id}/json`, data: json },
      { name: `${id}/layer.tar`, file: l.tarFile, size: l.tarSize },
    );
  });
  const config = `${img.configDigest.slice(7)}.json`;
  const [repo, tag] = img.name.split(':') as [string, string];
  const json = (v: unknown) => Buffer.from(`${goJson(v)}\n`);
  members.push(
    { name: config, data: img.config },
    { name: 'manifest.json', data: json([{ Config: config, RepoTags: [img.name], Layers: v1.map((l) => `${l.id}/layer.tar`) }]) },
    { name: 'repositories', data: json({ [repo]: { [tag]: v1.at(-1)!.id } }) },
  );
  members.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  await writeArchive(members, out, new Date(img.configJson.created));
}

/** A Readable of `size` zero bytes, produced 1 MiB at a time. */
export function zeros(size: number): Readable {
  const chunk = Buffer.alloc(Math.min(size, 1 << 20));
  let left = size;
  return new Readable({
    read() {
      if (left === 0) return void this.push(null);
      const n = Math.min(left, chunk.length);
      left -= n;
      this.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    },
  });
}
