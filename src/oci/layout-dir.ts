import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { BoxlabError } from '../errors.js';

/** JSON read while following descriptors (indexes, manifests): never more than this. */
const MAX_JSON_BYTES = 16 << 20;

/**
 * The files of an image directory that a load reads: an OCI layout's `oci-layout`, `index.json`
 * and the blobs its descriptors reach (indexes and manifests followed down to configs and layers),
 * or an unpacked `docker save`'s `manifest.json`, `repositories` and the files it names. The layout
 * is looked for first, so a directory that is not an image fails at once instead of after copying
 * all of it; and a directory holding `staging` (the store itself, or a parent of it) is refused,
 * since reading it would read the load's own output until the disk fills.
 */
export async function layoutFiles(root: string, staging: string): Promise<string[]> {
  const rel = path.relative(path.resolve(root), path.resolve(staging));
  if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel)))
    throw new BoxlabError('InvalidArgument', `refusing to load ${root}: the directory holds boxlab's store, which the load writes into`, { member: root });
  const has = (f: string) => fs.existsSync(path.join(root, f));
  if (has('index.json')) return ociFiles(root);
  if (has('manifest.json')) return dockerFiles(root);
  throw new BoxlabError('InvalidArchive', 'invalid archive: no manifest.json (docker save format) or index.json (OCI image layout) found', { member: 'manifest.json' });
}

async function readJson(root: string, rel: string): Promise<unknown> {
  const p = path.join(root, rel);
  const st = await fsp.stat(p).catch(() => undefined);
  if (!st?.isFile() || st.size > MAX_JSON_BYTES) return undefined;
  try {
    return JSON.parse(await fsp.readFile(p, 'utf8'));
  } catch {
    return undefined; // the load itself says what is wrong with it
  }
}

async function ociFiles(root: string): Promise<string[]> {
  const out = new Set(['oci-layout', 'index.json'].filter((f) => fs.existsSync(path.join(root, f))));
  const queue: unknown[] = [await readJson(root, 'index.json')];
  while (queue.length) {
    const doc = queue.shift() as { manifests?: unknown; config?: unknown; layers?: unknown } | undefined;
    if (!doc || typeof doc !== 'object') continue;
    const descs = [doc.config, ...(Array.isArray(doc.manifests) ? doc.manifests : []), ...(Array.isArray(doc.layers) ? doc.layers : [])];
    for (const d of descs as { digest?: unknown; mediaType?: unknown }[]) {
      const m = typeof d?.digest === 'string' ? /^([a-z0-9]+):([a-f0-9]+)$/.exec(d.digest) : null;
      if (!m) continue;
      const blob = `blobs/${m[1]}/${m[2]}`;
      if (out.has(blob) || !fs.existsSync(path.join(root, blob))) continue;
      out.add(blob);
      // an index or a manifest names more blobs; a config or a layer does not
      if (typeof d.mediaType === 'string' && /manifest|index/.test(d.mediaType)) queue.push(await readJson(root, blob));
    }
  }
  return [...out].sort();
}

async function dockerFiles(root: string): Promise<string[]> {
  const out = new Set(['manifest.json', 'repositories'].filter((f) => fs.existsSync(path.join(root, f))));
  const manifest = await readJson(root, 'manifest.json');
  for (const m of Array.isArray(manifest) ? (manifest as { Config?: unknown; Layers?: unknown }[]) : []) {
    for (const f of [m?.Config, ...(Array.isArray(m?.Layers) ? m.Layers : [])]) {
      if (typeof f === 'string' && !path.isAbsolute(f) && !f.split('/').includes('..') && fs.existsSync(path.join(root, f))) out.add(f);
    }
  }
  return [...out].sort();
}

/** The named files of a directory as the tar they would be, streamed through the archive path. */
export function packDirectory(root: string, files: string[]): Readable {
  const pack = tar.pack();
  (async () => {
    for (const r of files) {
      const st = await fsp.stat(path.join(root, r));
      if (!st.isFile()) continue;
      await new Promise<void>((resolve, reject) => {
        const entry = pack.entry({ name: r, size: st.size, mode: 0o644 }, (err) => (err ? reject(err) : resolve()));
        pipeline(fs.createReadStream(path.join(root, r)), entry as unknown as NodeJS.WritableStream).catch(reject);
      });
    }
    pack.finalize();
  })().catch((err: Error) => pack.destroy(err));
  return pack as unknown as Readable;
}
