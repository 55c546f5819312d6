import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Digest } from '../digest.js';
import type { FileSink } from '../util/filesink.js';
import { BoxlabError } from '../errors.js';
import { UnpackCheck } from './diff-dir.js';
import { cleanPath, OPAQUE_WHITEOUT, splitPath, WHITEOUT_PREFIX } from './paths.js';
import { TarReader, type HeaderWithOffset } from './tarreader.js';
import type { EntryType, LayerEntry } from './types.js';

const TAR_TYPES: Record<string, EntryType | undefined> = {
  file: 'file',
  'contiguous-file': 'file',
  link: 'hardlink',
  symlink: 'symlink',
  directory: 'dir',
  'character-device': 'char',
  'block-device': 'block',
  fifo: 'fifo',
};

/**
 * tar-stream's error messages in the words Docker prints for the same fault (Go's archive/tar and
 * io: "invalid tar header", "unexpected EOF"), so that boxlab and `docker load` read alike
 * (test/oracle/MESSAGES.md). Other messages pass through.
 */
export function tarErrorText(err: Error): string {
  if (/^Invalid tar header/.test(err.message)) return 'invalid tar header';
  if (/^Unexpected end of data/.test(err.message)) return 'unexpected EOF';
  return err.message;
}


/**
 * Turns one tar header into the index's entry: names cleaned and confined to the root, whiteouts
 * recognised. Returns null for members that carry nothing (AUFS `.wh..wh.*` metadata, which
 * Docker skips too). `member` names the archive member for error messages.
 */
export function entryFromHeader(h: HeaderWithOffset, member: string): LayerEntry | null {
  const path = cleanPath(h.name);
  const { dir, base } = splitPath(path);
  const mode = (h.mode ?? 0) & 0o7777;
  const uid = h.uid ?? 0;
  const gid = h.gid ?? 0;
  const mtime = h.mtime ? Math.floor(h.mtime.getTime() / 1000) : 0;
  const offset = h.byteOffset ?? 0;
  if (base.startsWith(WHITEOUT_PREFIX)) {
    const common = { mode, uid, gid, mtime, offset };
    if (base === OPAQUE_WHITEOUT) return { ...common, path: dir, type: 'opaque', size: 0 };
    if (base.startsWith(WHITEOUT_PREFIX + WHITEOUT_PREFIX)) return null;
    const name = base.slice(WHITEOUT_PREFIX.length);
    // OCI layer.md: a `.wh.` without a basename is invalid; `.wh..` and `.wh...` would delete
    // the parent or the directory itself (containerd's validateWhiteout refuses them too).
    if (name === '' || name === '.' || name === '..')
      throw new BoxlabError('InvalidArchive', `invalid whiteout entry ${JSON.stringify(h.name)}`, { member });
    return { ...common, path: dir ? `${dir}/${name}` : name, type: 'whiteout', size: 0 };
  }
  const type = TAR_TYPES[h.type ?? 'file'];
  if (!type)
    throw new BoxlabError('Unsupported', `unsupported tar entry type ${h.type} for ${JSON.stringify(h.name)}`, {
      member,
    });
  // one object literal of a fixed shape: this runs once per member of every layer
  const entry: LayerEntry = { path, type, mode, uid, gid, size: type === 'file' ? (h.size ?? 0) : 0, mtime, offset };
  if (type === 'symlink') entry.linkname = h.linkname ?? '';
  if (type === 'hardlink') entry.linkname = cleanPath(h.linkname ?? '');
  if (type === 'char' || type === 'block') {
    entry.devmajor = h.devmajor ?? 0;
    entry.devminor = h.devminor ?? 0;
  }
  if (h.uname) entry.uname = h.uname;
  if (h.gname) entry.gname = h.gname;
  const xattrs = xattrsOf(h.pax as Record<string, string> | undefined);
  if (xattrs) entry.xattrs = xattrs;
  return entry;
}

function xattrsOf(pax: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!pax) return undefined;
  let out: Record<string, string> | undefined;
  for (const [k, v] of Object.entries(pax)) {
    if (k.startsWith('SCHILY.xattr.')) (out ??= {})[k.slice('SCHILY.xattr.'.length)] = v;
  }
  return out;
}

export interface IndexedLayer {
  diffId: Digest;
  /** Bytes of the uncompressed tar. */
  size: number;
  entries: LayerEntry[];
  /**
   * Set when Docker's unpack of the layer was tried while it was indexed (`check`): Go's words for
   * the entry it fails on, or null when it applies.
   */
  unpackFailure?: string | null;
}

/**
 * A sink for a layer's uncompressed tar: hashes it (the diffID), optionally writes it to a file,
 * and indexes its members in the same pass. Nothing of the data is kept in memory. Pass
 * `hash: false` when the caller already hashes these very bytes (a plain-tar blob: its digest is
 * its diffID) and give the diffID to `result()`.
 */
export class LayerIndexer extends Writable {
  private readonly hash: ReturnType<typeof createHash> | undefined;
  /** Set when a decompressor feeds this indexer: see _write. */
  private readonly defer: boolean;
  private readonly reader: TarReader;
  private readonly entries: LayerEntry[] = [];
  private readonly check: UnpackCheck | undefined;
  private bytes = 0;
  private failure: Error | undefined;
  private readonly finished: Promise<void>;

  constructor(
    private readonly member: string,
    private readonly out?: FileSink,
    opts: { hash?: boolean; defer?: boolean; check?: boolean } = {},
  ) {
    super({ highWaterMark: 1 << 20 });
    if (opts.hash !== false) this.hash = createHash('sha256');
    this.check = opts.check ? new UnpackCheck() : undefined;
    this.defer = opts.defer ?? false;
    this.reader = new TarReader((header, stream, next) => {
      try {
        const e = entryFromHeader(header, member);
        if (e) {
          this.entries.push(e);
          this.check?.add(e);
        }
      } catch (err) {
        this.failure ??= err as Error;
      }
      stream.on('end', () => next());
      stream.resume();
    });
    this.finished = finished(this.reader).catch((err: Error) => {
      this.failure ??= new BoxlabError('InvalidArchive', tarErrorText(err), {
        member,
        cause: err,
      });
      throw this.failure;
    });
    this.finished.catch(() => {});
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    // Hash and parse on a later turn: a decompressor feeding us returns at once and starts
    // inflating the next chunk on the threadpool while this one is hashed (measured: a third
    // of a gzip layer's load was the main thread waiting for zlib and zlib waiting for it).
    if (this.defer) setImmediate(() => this.consume(chunk, cb));
    else this.consume(chunk, cb);
  }

  private consume(chunk: Buffer, cb: (err?: Error | null) => void): void {
    // every byte is hashed and kept, also those after the tar's end marker: the diffID covers them
    this.hash?.update(chunk);
    this.bytes += chunk.length;
    const writes: Promise<unknown>[] = [];
    if (this.out) writes.push(this.out.write(chunk));
    if (!this.failure && !this.reader.write(chunk)) writes.push(Promise.race([once(this.reader, 'drain'), this.finished]));
    if (writes.length === 0) return cb();
    Promise.all(writes).then(
      () => cb(),
      (err: Error) => cb(err),
    );
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.reader.end();
    this.finished.then(
      () => cb(this.failure),
      (err: Error) => cb(err),
    );
  }

  /** Bytes of the uncompressed tar seen so far. */
  get size(): number {
    return this.bytes;
  }

  /** Valid after the stream has finished; `diffId` is required when the indexer did not hash. */
  result(diffId?: Digest): IndexedLayer {
    if (this.failure) throw this.failure;
    const id = this.hash ? (`sha256:${this.hash.digest('hex')}` as Digest) : diffId;
    if (!id) throw new Error(`${this.member}: LayerIndexer made without a hash needs the diffID`);
    // end() is idempotent: a second result() gets the same verdict
    return { diffId: id, size: this.bytes, entries: this.entries, ...(this.check ? { unpackFailure: this.check.end() ?? null } : {}) };
  }
}
