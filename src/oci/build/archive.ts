/**
 * Archives of built images: an OCI image layout in a tar (as `skopeo copy … oci-archive:` writes it)
 * and the `docker save` format of Engine 20.10. Both go through a list of members that a test may
 * edit before packing (`mutateMembers`), to make deliberately broken archives.
 */
import { writeFile } from 'node:fs/promises';
import { familiarName as familiarRepo, fullString, parseReference } from '../reference.js';
import type { Digest } from '../../digest.js';
import { BoxlabError } from '../../errors.js';
import type { BuiltImage } from './image.js';
import { MediaTypes, packTar } from './layer.js';

/** One archive member: a file (with `data`), a directory, or a symlink. */
export interface Member {
  name: string;
  type?: 'file' | 'directory' | 'symlink';
  data?: Buffer;
  linkname?: string;
  mode?: number;
  mtime?: Date;
}

export interface ArchiveOptions {
  /** Also write the archive to this path. */
  out?: string;
  /** mtime of every member that has none (default: the newest image's `created`). */
  mtime?: Date;
  /** Edit the members before packing: return a new list or change the given one in place. */
  mutateMembers?: (members: Member[]) => Member[] | void;
}

const OCI_LAYOUT = Buffer.from('{"imageLayoutVersion": "1.0.0"}');

/** `boxlab/alpine:3.20` → `docker.io/boxlab/alpine:3.20`; `alpine` → `docker.io/library/alpine:latest`. */
export function fullName(name: string): string {
  return fullString(parseReference(name));
}

/** The familiar repository and tag, as `docker images` and `docker save`'s RepoTags spell them. */
export function familiarName(name: string): { repo: string; tag: string } {
  const r = parseReference(name);
  return { repo: familiarRepo(r), tag: r.tag };
}

function tagged(name: string): string {
  const { repo, tag } = familiarName(name);
  return `${repo}:${tag}`;
}

export function ociMembers(images: readonly BuiltImage[]): Member[] {
  const blobs = new Map<Digest, Buffer>();
  for (const img of images) {
    for (const l of img.layers) blobs.set(l.digest, l.blob);
    blobs.set(img.configDigest, img.config);
    blobs.set(img.manifestDigest, img.manifest);
  }
  const index = {
    schemaVersion: 2,
    mediaType: MediaTypes.index,
    manifests: images.map((img) => ({
      mediaType: MediaTypes.manifest,
      digest: img.manifestDigest,
      size: img.manifest.length,
      // Sorted keys, as Go writes a map. skopeo writes the full `name:tag` as ref.name;
      // containerd and Docker 25+ add the normalised name.
      annotations: {
        'io.containerd.image.name': fullName(img.name),
        'org.opencontainers.image.ref.name': tagged(img.name),
      },
    })),
  };
  return [
    { name: 'blobs/', type: 'directory' },
    { name: 'blobs/sha256/', type: 'directory' },
    ...[...blobs.keys()].sort().map((d): Member => ({ name: `blobs/sha256/${d.slice(7)}`, data: blobs.get(d)! })),
    { name: 'index.json', data: Buffer.from(JSON.stringify(index)) },
    { name: 'oci-layout', data: OCI_LAYOUT },
  ];
}

/** Packs members with tar-stream (root:root, 0644 files and 0755 directories unless given). */
export async function packMembers(members: readonly Member[], mtime: Date): Promise<Buffer> {
  return packTar(
    members.map((m) => {
      const type = m.type ?? 'file';
      return {
        header: {
          name: m.name,
          type,
          mode: m.mode ?? (type === 'directory' ? 0o755 : type === 'symlink' ? 0o777 : 0o644),
          uid: 0,
          gid: 0,
          uname: 'root',
          gname: 'root',
          mtime: m.mtime ?? mtime,
          ...(m.linkname === undefined ? {} : { linkname: m.linkname }),
        },
        content: type === 'file' ? (m.data ?? Buffer.alloc(0)) : undefined,
      };
    }),
  );
}

export async function finish(members: Member[], images: readonly BuiltImage[], opts: ArchiveOptions): Promise<Buffer> {
  if (images.length === 0) throw new BoxlabError('InvalidArgument', 'an archive needs at least one image');
  const newest = images.map((i) => i.created).sort().at(-1)!;
  const edited = opts.mutateMembers?.(members) ?? members;
  const tar = await packMembers(edited, opts.mtime ?? new Date(newest));
  if (opts.out) await writeFile(opts.out, tar);
  return tar;
}

export async function writeOciArchive(images: readonly BuiltImage[], opts: ArchiveOptions = {}): Promise<Buffer> {
  return finish(ociMembers(images), images, opts);
}

/** Small edits for broken archives; each returns a `mutateMembers` hook. */
export const mutate = {
  /** Drop the member (a missing blob, a missing manifest.json). */
  remove: (name: string) => (ms: Member[]) => ms.filter((m) => m.name !== name),
  /** Replace a member's bytes (a wrong digest, a truncated blob, invalid JSON). */
  replace: (name: string, data: Buffer | string) => (ms: Member[]) =>
    ms.map((m) => (m.name === name ? { ...m, data: Buffer.from(data) } : m)),
  /** Flip one byte of a member: same size, wrong digest. */
  flipByte: (name: string, at = 0) => (ms: Member[]) =>
    ms.map((m) => {
      if (m.name !== name || !m.data) return m;
      const data = Buffer.from(m.data);
      const i = at < 0 ? data.length + at : at;
      data[i] = data[i]! ^ 0xff;
      return { ...m, data };
    }),
  /** Parse a JSON member, edit it, write it back. */
  editJson: (name: string, edit: (json: any) => unknown) => (ms: Member[]) => // eslint-disable-line @typescript-eslint/no-explicit-any
    ms.map((m) => {
      if (m.name !== name || !m.data) return m;
      const j = JSON.parse(m.data.toString('utf8'));
      const r = edit(j);
      return { ...m, data: Buffer.from(JSON.stringify(r === undefined ? j : r)) };
    }),
  /** Apply several hooks in order. */
  all: (...hooks: Array<(ms: Member[]) => Member[]>) => (ms: Member[]) => hooks.reduce((acc, h) => h(acc), ms),
};

/** The member name of a blob in an OCI archive. */
export function blobName(d: Digest): string {
  return `blobs/sha256/${d.slice(7)}`;
}
