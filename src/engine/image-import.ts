/**
 * `docker import`: a tar of a root filesystem (gzip'd or not) becomes a one-layer image, as moby's
 * daemon/images/image_import.go (20.10) makes it: `--change` instructions applied to an empty config
 * (builder/dockerfile BuildFromConfig, the instructions a commit accepts), the message `Imported from
 * SRC` unless one is given, one history entry carrying it, and the layer refused where Docker's
 * unpack refuses it. The store adds the layer, the image and the tag all or nothing (store/commit.ts).
 */
import type { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import type { Digest } from '../digest.js';
import { BoxlabError } from '../errors.js';
import { unpackLayer } from '../layer/diff-dir.js';
import { hostPlatform } from '../oci/load.js';
import { normalizeTag } from '../oci/reference.js';
import { decompressed, peek } from '../oci/stage.js';
import type { Store } from '../store/store.js';
import { applyChanges } from './containers/commit.js';
import type { ContainerConfig } from './containers/config.js';
import { goTime } from './containers/record.js';

export interface ImportRequest {
  /** `fromSrc`: `-` for the request's body (the CLI sends a file that way too); URLs are not fetched. */
  src: string;
  repo?: string;
  tag?: string;
  message?: string;
  changes?: string[];
}

/** An empty container.Config, as a Go zero value marshals (moby api/types/container Config). */
function emptyConfig(): ContainerConfig {
  return { Hostname: '', Domainname: '', User: '', AttachStdin: false, AttachStdout: false, AttachStderr: false, Tty: false, OpenStdin: false, StdinOnce: false, Env: [], Cmd: null, Image: '', Volumes: null, WorkingDir: '', Entrypoint: null, OnBuild: null, Labels: {} };
}

/** The config as encoding/json writes container.Config: its fields in order, empty slices and maps null. */
export function goContainerConfig(c: ContainerConfig): Record<string, unknown> {
  return {
    Hostname: c.Hostname,
    Domainname: c.Domainname,
    User: c.User,
    AttachStdin: c.AttachStdin,
    AttachStdout: c.AttachStdout,
    AttachStderr: c.AttachStderr,
    ...(c.ExposedPorts && Object.keys(c.ExposedPorts).length ? { ExposedPorts: c.ExposedPorts } : {}),
    Tty: c.Tty,
    OpenStdin: c.OpenStdin,
    StdinOnce: c.StdinOnce,
    Env: c.Env.length ? c.Env : null,
    Cmd: c.Cmd,
    ...(c.Healthcheck ? { Healthcheck: c.Healthcheck } : {}),
    Image: c.Image,
    Volumes: c.Volumes,
    WorkingDir: c.WorkingDir,
    Entrypoint: c.Entrypoint,
    OnBuild: c.OnBuild,
    Labels: Object.keys(c.Labels).length ? c.Labels : null,
    ...(c.StopSignal ? { StopSignal: c.StopSignal } : {}),
  };
}

/** What the tar is compressed with, by its magic (pkg/archive DetectCompression). */
function compressionOf(head: Buffer): 'gzip' | 'bzip2' | 'xz' | 'zstd' | 'none' {
  if (head[0] === 0x1f && head[1] === 0x8b && head[2] === 0x08) return 'gzip';
  if (head.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2';
  if (head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

/** The body, decompressed as pkg/archive DecompressStream does for the formats Node reads. */
async function decompressedBody(body: Readable): Promise<Readable> {
  const { head, whole } = await peek(body, 6);
  const kind = compressionOf(head);
  if (kind === 'bzip2' || kind === 'xz' || kind === 'zstd') {
    body.destroy();
    throw new BoxlabError('Unsupported', `boxlab imports plain and gzip tars; decompress the ${kind} archive first`);
  }
  return kind === 'gzip' ? decompressed(whole, zlib.createGunzip()) : whole;
}

/**
 * The words moby's chrooted untar ends with, for a tar its unpack could not read or apply; other
 * errors (the store's) pass as they are.
 */
function untarFailed(err: unknown): unknown {
  if (!(err instanceof BoxlabError) || err.code !== 'InvalidArchive') return err;
  const msg = err.message.replace(/^commit: the layer is not a readable tar: /, '').replace(/^layer: /, '');
  return new BoxlabError('InvalidArchive', `Error processing tar file(exit status 1): ${msg}`, { cause: err });
}

/** Makes the image; returns its ID and the tag it got, if any. */
export async function importImage(store: Store, body: Readable, req: ImportRequest, now = Date.now()): Promise<{ id: Digest; tag?: string }> {
  if (req.src !== '-') throw new BoxlabError('Unsupported', `boxlab fetches nothing from outside the machine: import ${req.src} from a file (docker import FILE) or stdin (-)`);
  const tag = req.repo ? normalizeTag(req.tag ? `${req.repo}:${req.tag}` : req.repo) : undefined;
  // the instructions are checked before a byte is read, as BuildFromConfig runs first
  const config = applyChanges(emptyConfig(), req.changes ?? []);
  const message = req.message || `Imported from ${req.src}`;
  const created = goTime(now);
  let layer: Readable;
  try {
    layer = await decompressedBody(body);
  } catch (err) {
    if (err instanceof BoxlabError) throw err;
    throw untarFailed(new BoxlabError('InvalidArchive', (err as Error).message, { cause: err }));
  }
  try {
    const res = await store.commit({
      layer,
      parent: null,
      ...(tag ? { tag } : {}),
      check: (index) => void unpackLayer({ diffId: index.diffId, entries: index.entries, readContent: () => Buffer.alloc(0) }, index.diffId, 'layer'),
      // image.Image marshals through a map: its keys come out sorted (moby image/image.go MarshalJSON)
      config: ({ diffIds }) =>
        Buffer.from(
          JSON.stringify({
            architecture: hostPlatform().architecture,
            comment: message,
            config: goContainerConfig(config),
            container_config: goContainerConfig(emptyConfig()),
            created,
            docker_version: '20.10.24+dfsg1',
            history: [{ created, comment: message }],
            os: hostPlatform().os,
            rootfs: { type: 'layers', diff_ids: diffIds },
          }),
        ),
    });
    return { id: res.id, ...(tag ? { tag } : {}) };
  } catch (err) {
    throw untarFailed(err);
  }
}
