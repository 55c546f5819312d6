import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { isDigest, type Digest } from '../digest.js';
import { BoxlabError } from '../errors.js';
import { fsyncPath, readJson, writeFileAtomic } from '../util/fsx.js';

/**
 * What a record uses, so that nothing it uses is collected (containerd's GC references: a
 * container's `containerd.io/gc.ref.snapshot.*` and `gc.ref.content` labels; moby's layer store
 * reference count held by a container's RW layer). Each is kept with everything below it.
 */
export interface References {
  /** Images by ID: `removeImageRecord` refuses them unless forced; GC keeps their blobs and layers. */
  images?: Digest[];
  /** Active snapshots by id (a container's upper layer): `removeActive` refuses them; GC keeps their parent chains. */
  actives?: string[];
  /** Committed layers by chainID: GC keeps them and their parents. */
  layers?: Digest[];
}

export interface StoredRecord<T> {
  id: string;
  value: T;
  refs: References;
}

/** Who uses something: a record of a collection. */
export interface RecordRef {
  kind: string;
  id: string;
}

/** Names of collections and of records: a file name, nothing that could climb out of the directory. */
const KIND_RE = /^[a-z][a-z0-9-]{0,63}$/;
// Docker's container IDs (64 hex) and names, and volume names: [a-zA-Z0-9][a-zA-Z0-9_.-]
const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;

export function checkKind(kind: string): string {
  if (!KIND_RE.test(kind)) throw new BoxlabError('InvalidArgument', `invalid record collection name ${JSON.stringify(kind)}`);
  return kind;
}

export function checkRecordId(id: string): string {
  if (!ID_RE.test(id)) throw new BoxlabError('InvalidArgument', `invalid record id ${JSON.stringify(id)}`);
  return id;
}

function checkRefs(refs: References): References {
  for (const d of [...(refs.images ?? []), ...(refs.layers ?? [])])
    if (!isDigest(d)) throw new BoxlabError('InvalidArgument', `invalid reference ${JSON.stringify(d)}`);
  for (const a of refs.actives ?? []) checkRecordId(a);
  return refs;
}

/**
 * One collection of metadata records (containers, volumes, networks), a JSON file per record under
 * `records/<kind>/`. Each write is atomic and durable (temp file, fsync, rename, directory fsync):
 * after a crash a record is the old one or the new one. Writes take the store's lock (`locked`,
 * re-entrant), so that a record's references and a concurrent GC or image removal never cross.
 */
export class RecordCollection<T> {
  constructor(
    readonly kind: string,
    private readonly dir: string,
    private readonly locked: <R>(fn: () => Promise<R>) => Promise<R>,
  ) {}

  private file(id: string): string {
    return path.join(this.dir, `${checkRecordId(id)}.json`);
  }

  /** The record, or undefined when there is none. */
  async find(id: string): Promise<StoredRecord<T> | undefined> {
    try {
      return await readJson<StoredRecord<T>>(this.file(id));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async get(id: string): Promise<T> {
    const r = await this.find(id);
    if (!r) throw new BoxlabError('NotFound', `no such ${this.kind} record: ${id}`);
    return r.value;
  }

  /** Writes the record whole, with what it uses. */
  async put(id: string, value: T, refs: References = {}): Promise<void> {
    const rec: StoredRecord<T> = { id: checkRecordId(id), value, refs: checkRefs(refs) };
    await this.locked(async () => {
      await fsp.mkdir(this.dir, { recursive: true });
      await writeFileAtomic(this.file(id), JSON.stringify(rec, null, 2));
    });
  }

  /** Removes the record; false when there was none. */
  async delete(id: string): Promise<boolean> {
    const file = this.file(id);
    return this.locked(async () => {
      try {
        await fsp.unlink(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw err;
      }
      await fsyncPath(this.dir);
      return true;
    });
  }

  /** Every record, sorted by id. Temp files of a write in flight (or of a crashed one) are not records. */
  async list(): Promise<StoredRecord<T>[]> {
    let names: string[];
    try {
      names = await fsp.readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: StoredRecord<T>[] = [];
    for (const n of names.sort()) {
      const id = n.endsWith('.json') ? n.slice(0, -5) : '';
      if (!ID_RE.test(id)) continue;
      const r = await this.find(id);
      if (r) out.push(r);
    }
    return out;
  }
}
