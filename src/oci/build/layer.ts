/**
 * Layer tars from a declarative list of operations: deterministic bytes, parents before children,
 * OCI whiteouts. Every tar goes through tar-stream, every gzip through node:zlib.
 */
import { gzipSync } from 'node:zlib';
import { pack, type Header } from 'tar-stream';
import { sha256, type Digest } from '../../digest.js';
import { BoxlabError } from '../../errors.js';

export interface Owner {
  /** Permission bits including setuid (0o4000), setgid (0o2000) and sticky (0o1000). */
  mode?: number;
  uid?: number;
  gid?: number;
}

/** A tar header as tar-stream takes it, plus PAX records (`SCHILY.xattr.*` and the like). */
export type RawHeader = Partial<Header> & { name: string; pax?: Record<string, string> };

export type Op =
  | ({ op: 'dir'; path: string } & Owner)
  | ({ op: 'file'; path: string; content: string | Buffer; xattrs?: Record<string, string> } & Owner)
  | { op: 'symlink'; path: string; target: string; uid?: number; gid?: number }
  /** A second name for `target` (a path of this layer or of a lower one); tar type `1`. */
  | { op: 'hardlink'; path: string; target: string }
  /** Deletes `path` of the lower layers: a `.wh.NAME` regular file of size 0. */
  | { op: 'whiteout'; path: string }
  /** Hides everything below directory `path` in the lower layers: `path/.wh..wh..opq`. */
  | { op: 'opaque'; path: string }
  /** Written verbatim: no cleaning, no parents, no checks. For bad-input cases. */
  | { op: 'raw'; header: RawHeader; content?: string | Buffer };

export type LayerCompression = 'gzip' | 'none';

export interface LayerSpec {
  ops: Op[];
  /** The `created_by` of this layer's history entry, as `docker history` shows it. */
  createdBy?: string;
  comment?: string;
  /** How the blob is stored in an OCI archive (docker save archives always hold the plain tar). */
  compression?: LayerCompression;
  /** Add missing parent directory entries before children (default true), as layer writers do. */
  autoParents?: boolean;
  /**
   * Attributes of an added parent that no lower layer has (default 0755 root), e.g. the owner
   * `COPY --chown` gives the directories it creates.
   */
  parentAttrs?: Owner;
}

export const MediaTypes = {
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  layerTar: 'application/vnd.oci.image.layer.v1.tar',
  config: 'application/vnd.oci.image.config.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  index: 'application/vnd.oci.image.index.v1+json',
} as const;

export interface BuiltLayer {
  /** The uncompressed layer tar; its sha256 is the diffID. */
  tar: Buffer;
  /** The blob as an OCI archive stores it (gzip or the tar itself). */
  blob: Buffer;
  diffId: Digest;
  /** sha256 of `blob`: the manifest's layer digest. */
  digest: Digest;
  size: number;
  mediaType: string;
  compression: LayerCompression;
  createdBy: string;
  comment?: string;
}

export interface DirAttrs {
  mode: number;
  uid: number;
  gid: number;
}

/** What the builder knows of the filesystem below a layer: directories and their attributes. */
export type LowerDirs = ReadonlyMap<string, DirAttrs>;

export interface BuildLayerOptions {
  /** mtime of every entry (default 2024-01-01T00:00:00Z). */
  mtime?: Date;
  /** Directories of the lower layers: an added parent keeps their attributes instead of 0755 root. */
  lower?: LowerDirs;
}

export const DEFAULT_MTIME = new Date('2024-01-01T00:00:00Z');
/** gzip level for every layer: fixed, so the bytes never depend on a default. */
export const GZIP_LEVEL = 9;

const S_IFREG = 0o100000;

/** `/a//b/` → `a/b`; rejects what a spec author cannot mean (`..`, the root). Use `raw` for those. */
export function cleanPath(p: string): string {
  const parts = p.split('/').filter((s) => s !== '' && s !== '.');
  if (parts.length === 0 || parts.includes('..'))
    throw new BoxlabError('InvalidArgument', `layer op path must name something below the root: ${JSON.stringify(p)}`);
  return parts.join('/');
}

function parentOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

function baseOf(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** One tar member to write: a tar-stream header and, for a regular file, its bytes. */
export interface TarEntry {
  header: RawHeader;
  content?: Buffer;
}

/**
 * Turns ops into tar entries in the order given, inserting the parents a child needs first. A parent
 * the spec lists later as a `dir` op is emitted early with that op's attributes (and not again).
 */
export function layerEntries(spec: LayerSpec, opts: BuildLayerOptions = {}): TarEntry[] {
  const mtime = opts.mtime ?? DEFAULT_MTIME;
  const auto = spec.autoParents ?? true;
  const declared = new Map<string, DirAttrs>();
  for (const op of spec.ops) if (op.op === 'dir') declared.set(cleanPath(op.path), attrs(op, 0o755));
  const emitted = new Set<string>();
  const files = new Map<string, DirAttrs>();
  const newDir = attrs(spec.parentAttrs ?? {}, 0o755);
  const out: TarEntry[] = [];

  const dirEntry = (path: string, a: DirAttrs) => {
    emitted.add(path);
    out.push({ header: { name: `${path}/`, type: 'directory', ...headerOwner(a), mtime } });
  };
  const parents = (path: string) => {
    if (!auto) return;
    const chain: string[] = [];
    for (let p = parentOf(path); p !== '' && !emitted.has(p); p = parentOf(p)) chain.unshift(p);
    for (const p of chain) dirEntry(p, declared.get(p) ?? opts.lower?.get(p) ?? newDir);
  };

  for (const op of spec.ops) {
    if (op.op === 'raw') {
      out.push({ header: { mtime, ...op.header }, content: toBuffer(op.content) });
      continue;
    }
    const path = cleanPath(op.path);
    parents(path);
    if (op.op === 'dir') {
      if (!emitted.has(path)) dirEntry(path, attrs(op, 0o755));
    } else if (op.op === 'opaque') {
      // The directory itself first, then its marker, then (from later ops) its new contents.
      if (!emitted.has(path)) dirEntry(path, declared.get(path) ?? opts.lower?.get(path) ?? newDir);
      out.push(marker(`${path}/.wh..wh..opq`, mtime));
    } else {
      out.push(leafEntry(op, path, files, mtime));
    }
  }
  return out;
}

type Leaf = Extract<Op, { op: 'file' | 'symlink' | 'hardlink' | 'whiteout' }>;

/** The entry of a non-directory op; `files` remembers modes and owners for later hardlinks. */
function leafEntry(op: Leaf, path: string, files: Map<string, DirAttrs>, mtime: Date): TarEntry {
  switch (op.op) {
    case 'file': {
      const a = attrs(op, 0o644);
      files.set(path, a);
      const header: RawHeader = { name: path, type: 'file', ...headerOwner(a), mtime };
      if (op.xattrs) header.pax = Object.fromEntries(Object.entries(op.xattrs).map(([k, v]) => [`SCHILY.xattr.${k}`, v]));
      return { header, content: toBuffer(op.content) };
    }
    case 'symlink':
      return { header: { name: path, type: 'symlink', linkname: op.target, ...headerOwner(attrs(op, 0o777)), mtime } };
    case 'hardlink': {
      // A hardlink's header carries its inode's mode and owner, as Go's archive/tar writes it.
      const target = cleanPath(op.target);
      const a = files.get(target) ?? { mode: 0o644, uid: 0, gid: 0 };
      files.set(path, a);
      return { header: { name: path, type: 'link', linkname: target, ...headerOwner(a), mtime } };
    }
    case 'whiteout':
      return marker(joinPath(parentOf(path), `.wh.${baseOf(path)}`), mtime);
  }
}

/**
 * A whiteout or opaque marker: an empty regular file of mode 0, as Docker writes it (moby
 * archive/changes.go). OCI layer.md: "regardless of the path being deleted, the whiteout file is a
 * regular file in the archive".
 */
function marker(name: string, mtime: Date): TarEntry {
  return { header: { name, type: 'file', mode: S_IFREG, mtime }, content: Buffer.alloc(0) };
}

function joinPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

function attrs(o: Owner, defMode: number): DirAttrs {
  return { mode: o.mode ?? defMode, uid: o.uid ?? 0, gid: o.gid ?? 0 };
}

/**
 * tar-stream replaces a falsy mode with its default; the S_IFREG bit keeps a 0 mode 0 (only the
 * permission bits reach the header).
 */
function headerOwner(a: DirAttrs): Pick<Header, 'mode' | 'uid' | 'gid'> {
  return { mode: a.mode === 0 ? S_IFREG : a.mode, uid: a.uid, gid: a.gid };
}

function toBuffer(c: string | Buffer | undefined): Buffer | undefined {
  return c === undefined ? undefined : typeof c === 'string' ? Buffer.from(c, 'utf8') : c;
}

/** Packs entries with tar-stream into one buffer (ustar; PAX where a name or link needs it). */
export async function packTar(entries: readonly TarEntry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of p) chunks.push(c as Buffer);
  })();
  for (const e of entries) {
    await new Promise<void>((resolve, reject) => {
      p.entry({ ...e.header }, e.content ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
    });
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

export function gzip(tar: Buffer): Buffer {
  // Node's gzip header has mtime 0 and no file name, so equal input gives equal bytes.
  return gzipSync(tar, { level: GZIP_LEVEL });
}

export async function buildLayer(spec: LayerSpec, opts: BuildLayerOptions = {}): Promise<BuiltLayer> {
  const tar = await packTar(layerEntries(spec, opts));
  const compression = spec.compression ?? 'gzip';
  const blob = compression === 'gzip' ? gzip(tar) : tar;
  return {
    tar,
    blob,
    diffId: sha256(tar),
    digest: sha256(blob),
    size: blob.length,
    mediaType: compression === 'gzip' ? MediaTypes.layerGzip : MediaTypes.layerTar,
    compression,
    createdBy: spec.createdBy ?? '',
    ...(spec.comment === undefined ? {} : { comment: spec.comment }),
  };
}

/**
 * The directories below the next layer after applying `spec` over `lower`: explicit and added
 * directories are recorded; whiteouts and opaque markers remove what they hide.
 */
export function applyDirs(lower: LowerDirs, spec: LayerSpec, opts: BuildLayerOptions = {}): Map<string, DirAttrs> {
  const dirs = new Map(lower);
  const ours = new Set<string>();
  // OCI layer.md: whiteouts "MUST only apply to resources in lower/parent layers".
  const drop = (prefix: string, self: boolean) => {
    for (const k of [...dirs.keys()])
      if (!ours.has(k) && ((self && k === prefix) || k.startsWith(`${prefix}/`))) dirs.delete(k);
  };
  for (const e of layerEntries(spec, { ...opts, lower })) {
    const name = e.header.name.replace(/\/+$/, '');
    const base = baseOf(name);
    if (base === '.wh..wh..opq') drop(parentOf(name), false);
    else if (base.startsWith('.wh.')) drop(joinPath(parentOf(name), base.slice(4)), true);
    else if (e.header.type === 'directory') {
      ours.add(name);
      dirs.set(name, { mode: (e.header.mode ?? 0o755) & 0o7777, uid: e.header.uid ?? 0, gid: e.header.gid ?? 0 });
    } else {
      dirs.delete(name); // a non-directory replaces a directory, and with it its subtree
      drop(name, true);
    }
  }
  return dirs;
}
