/**
 * `/var/lib/docker` as the engine here (Docker 20.10, overlay2) lays it out for what boxlab holds:
 * the view a learner holds against a real host (DESIGN.md: the Docker layout is a view, not the
 * store's physical layout). Measured on the engine here with the dk-build image and two containers
 * (one created, one started): moby's layer store (image/overlay2/layerdb/sha256/<chainID>/{cache-id,
 * diff,parent,size,tar-split.json.gz}, layerdb/mounts/<container>/{init-id,mount-id,parent}), its
 * image store (imagedb/content/sha256/<image ID>), the reference store (repositories.json), the
 * overlay2 driver's directories (overlay2/<cache ID>/{diff,link,lower,work,committed}, the
 * container's `<cache ID>-init` layer, and the short `l/` links the mount options use), and each
 * container's directory. Cache IDs and short links are random in Docker; here they are derived
 * from the chainID or container ID (containers/inspect.ts cacheId), so `inspect` and the tree agree.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { hexOf, type Digest } from '../digest.js';
import type { LayerEntry } from '../layer/types.js';
import { upperTarMembers } from '../overlay/index.js';
import { applyRecord } from '../overlay/journal.js';
import { loadUpperTar } from '../overlay/unpack.js';
import { newDir, type DirInode } from '../vfs/inode.js';
import { INIT_LAYER } from './containers/runtime.js';
import { cacheId, DOCKER_ROOT, orderedHostConfig } from './containers/inspect.js';
import type { ContainerRecord } from './containers/record.js';
import type { Engine } from './engine.js';

export interface HostNode {
  name: string;
  type: 'dir' | 'file' | 'symlink' | 'char' | 'block';
  /** Bytes (a file's content); undefined where boxlab has no byte-exact equivalent (bolt databases). */
  size?: number;
  target?: string;
  children?: HostNode[];
  /** What this is, for a learner (shown beside the name). */
  note?: string;
}

const dir = (name: string, children: HostNode[] = [], note?: string): HostNode => ({ name, type: 'dir', children, ...(note ? { note } : {}) });
const file = (name: string, size: number | undefined, note?: string): HostNode => ({ name, type: 'file', ...(size === undefined ? {} : { size }), ...(note ? { note } : {}) });
const text = (name: string, content: string, note?: string): HostNode => file(name, Buffer.byteLength(content), note);

/** overlay2's short link name: 26 characters of base32 (daemon/graphdriver/overlay2 generateID). */
export function shortLink(cache: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const h = createHash('sha256').update(`boxlab-link:${cache}`).digest();
  return Array.from({ length: 26 }, (_, i) => alphabet[h[i]! % 32]).join('');
}

/** A layer's diff directory as overlay2 holds it: whiteouts as 0/0 devices, opaque markers as an xattr. */
function diffTree(entries: readonly LayerEntry[]): HostNode {
  const root = dir('diff');
  const at = new Map<string, HostNode>([['', root]]);
  // a parent the layer has no entry for is made, as applying the layer's tar makes it (moby archive.UnpackLayer)
  const parentOf = (p: string): HostNode => {
    const slash = p.lastIndexOf('/');
    const pp = slash < 0 ? '' : p.slice(0, slash);
    const known = at.get(pp);
    if (known) return known;
    const made = dir(pp.slice(pp.lastIndexOf('/') + 1));
    place(pp, made);
    return made;
  };
  const place = (p: string, n: HostNode): void => {
    const parent = parentOf(p);
    parent.children = [...(parent.children ?? []).filter((c) => c.name !== n.name), n];
    if (n.type === 'dir') at.set(p, n);
  };
  for (const e of entries) {
    if (e.path === '' || e.type === 'opaque') continue;
    const name = e.path.slice(e.path.lastIndexOf('/') + 1);
    if (e.type === 'dir') place(e.path, at.get(e.path) ?? dir(name));
    else if (e.type === 'whiteout') place(e.path, { name, type: 'char', size: 0, note: 'whiteout' });
    else if (e.type === 'symlink') place(e.path, { name, type: 'symlink', target: e.linkname ?? '' });
    else if (e.type === 'char' || e.type === 'block') place(e.path, { name, type: e.type, size: 0 });
    else place(e.path, file(name, e.type === 'file' ? e.size : 0));
  }
  return root;
}

interface LayerDir {
  cache: string;
  node: HostNode;
}

/** overlay2/<cache>/: diff, link, lower (the short links below it, top first), work, and committed for a read-only layer. */
function overlayDir(cache: string, diff: HostNode, below: string[], opts: { committed: boolean; mounted: boolean }): HostNode {
  const kids: HostNode[] = [diff, text('link', shortLink(cache))];
  if (below.length) {
    kids.push(text('lower', below.map((c) => `l/${shortLink(c)}`).join(':')));
    kids.push(dir('work', opts.mounted ? [dir('work')] : []));
  }
  if (opts.committed) kids.push(file('committed', 0));
  return dir(cache, kids);
}

async function imageLayers(engine: Engine, chains: Digest[]): Promise<{ layerdb: HostNode[]; overlay: LayerDir[] }> {
  const store = engine.store;
  const layerdb: HostNode[] = [];
  const overlay: LayerDir[] = [];
  for (const [i, c] of chains.entries()) {
    const rec = await store.layer(c);
    const entries = await store.layerEntries(c);
    const cache = cacheId(hexOf(c));
    const kids = [text('cache-id', cache), text('diff', rec.diffId)];
    if (rec.parent) kids.push(text('parent', rec.parent));
    // tar-split keeps each tar header (as JSON, gzipped) so that the exact tar can be rebuilt: the index's entries stand for it
    kids.push(text('size', String(rec.fileBytes)), file('tar-split.json.gz', gzipSync(JSON.stringify(entries)).length));
    layerdb.push(dir(hexOf(c), kids));
    const below = chains.slice(0, i).reverse().map((b) => cacheId(hexOf(b)));
    overlay.push({ cache, node: overlayDir(cache, diffTree(entries), below, { committed: true, mounted: false }) });
  }
  return { layerdb, overlay };
}

function containerDir(engine: Engine, c: ContainerRecord): HostNode {
  const own = path.join(engine.store.root, 'containers', c.id);
  const sizeOf = (f: string) => {
    try {
      return fs.statSync(path.join(own, f)).size;
    } catch {
      return 0;
    }
  };
  const kids: HostNode[] = [file('config.v2.json', sizeOf('config.v2.json')), text('hostconfig.json', JSON.stringify(orderedHostConfig(c.hostConfig))), dir('checkpoints')];
  if (c.hasBeenStarted) {
    const etc = engine.runtime.etcFiles(c);
    kids.push(text('hostname', etc.hostname), text('hosts', etc.hosts), text('resolv.conf', etc.resolvConf), text('resolv.conf.hash', createHash('sha256').update(etc.resolvConf).digest('hex')));
    kids.push(file(`${c.id}-json.log`, sizeOf(`${c.id}-json.log`)), dir('mounts'));
  }
  return dir(c.id, kids);
}

/** A container's upper as the store holds it (checkpoint and journal), read without its lock. */
async function persistedUpper(engine: Engine, id: string): Promise<DirInode> {
  const root = newDir({ mode: 0o755 });
  if (!(await engine.store.activeIds()).includes(id)) return root;
  const { checkpoint, records } = engine.store.peekActive(id);
  if (checkpoint) await loadUpperTar(root, fs.createReadStream(checkpoint));
  for (const r of records) applyRecord(root, r);
  return root;
}

/** The container's records as persisted (containers/<id>/config.v2.json), read only. */
export function persistedContainers(root: string): ContainerRecord[] {
  const dirPath = path.join(root, 'containers');
  const out: ContainerRecord[] = [];
  for (const id of fs.existsSync(dirPath) ? fs.readdirSync(dirPath) : []) {
    try {
      out.push(JSON.parse(fs.readFileSync(path.join(dirPath, id, 'config.v2.json'), 'utf8')) as ContainerRecord);
    } catch {
      /* a create that did not finish */
    }
  }
  return out.sort((a, b) => a.created.localeCompare(b.created));
}

/** The container's two overlay2 directories: its init layer and its own (upper) layer. */
async function containerLayers(engine: Engine, c: ContainerRecord, imageChains: Digest[]): Promise<LayerDir[]> {
  const cache = cacheId(c.id);
  const below = [...imageChains].reverse().map((b) => cacheId(hexOf(b)));
  const init = overlayDir(`${cache}-init`, diffTree(INIT_LAYER.entries), below, { committed: true, mounted: true });
  const upper = await persistedUpper(engine, c.id);
  const entries: LayerEntry[] = upperTarMembers(upper).map(({ header: h }) => ({
    path: h.name.replace(/\/$/, ''),
    type: h.name.split('/').at(-1)?.startsWith('.wh.') ? 'whiteout' : h.type === 'directory' ? 'dir' : h.type === 'symlink' ? 'symlink' : 'file',
    mode: h.mode ?? 0,
    uid: h.uid ?? 0,
    gid: h.gid ?? 0,
    size: h.size ?? 0,
    mtime: 0,
    offset: 0,
    ...(h.linkname ? { linkname: h.linkname } : {}),
  }));
  for (const e of entries) if (e.type === 'whiteout') e.path = e.path.replace(/(^|\/)\.wh\.([^/]*)$/, '$1$2');
  const diff = diffTree(entries.filter((e) => !e.path.endsWith('.wh..wh..opq')));
  return [
    { cache: `${cache}-init`, node: init },
    { cache, node: overlayDir(cache, diff, [`${cache}-init`, ...below], { committed: false, mounted: true }) },
  ];
}

/** The whole view, rooted at /var/lib/docker. */
export async function dockerHostTree(engine: Engine): Promise<HostNode> {
  const store = engine.store;
  const layerdb = new Map<string, HostNode>();
  const overlay = new Map<string, HostNode>();
  const content: HostNode[] = [];
  const chainsOf = new Map<Digest, Digest[]>();
  for (const id of await store.imageIds()) {
    const rec = await store.image(id);
    chainsOf.set(id, rec.chainIds);
    content.push(file(hexOf(id), store.blobSize(id), 'the image config'));
    const l = await imageLayers(engine, rec.chainIds);
    for (const n of l.layerdb) layerdb.set(n.name, n);
    for (const o of l.overlay) overlay.set(o.cache, o.node);
  }
  const repos: Record<string, Record<string, string>> = {};
  for (const [tag, id] of Object.entries(await store.tags())) (repos[tag.slice(0, tag.lastIndexOf(':'))] ??= {})[tag] = id;
  const mounts: HostNode[] = [];
  const containers: HostNode[] = [];
  for (const c of persistedContainers(store.root)) {
    const chains = chainsOf.get(c.image) ?? (await store.image(c.image).then((r) => r.chainIds).catch(() => []));
    mounts.push(dir(c.id, [text('init-id', `${cacheId(c.id)}-init`), text('mount-id', cacheId(c.id)), ...(chains.length ? [text('parent', chains.at(-1)!)] : [])]));
    for (const o of await containerLayers(engine, c, chains)) overlay.set(o.cache, o.node);
    containers.push(containerDir(engine, c));
  }
  const links = [...overlay.keys()].map((cache): HostNode => ({ name: shortLink(cache), type: 'symlink', target: `../${cache}/diff` }));
  return dir(DOCKER_ROOT, [
    dir('containers', containers),
    dir('image', [
      dir('overlay2', [
        dir('distribution'),
        dir('imagedb', [dir('content', [dir('sha256', content)]), dir('metadata', [dir('sha256')])]),
        dir('layerdb', [dir('mounts', mounts), dir('sha256', [...layerdb.values()]), dir('tmp')]),
        text('repositories.json', JSON.stringify({ Repositories: repos })),
      ]),
    ]),
    dir('network', [dir('files', [file('local-kv.db', undefined, "libnetwork's bolt database")])]),
    dir('overlay2', [...overlay.values(), dir('l', links)]),
    dir('volumes', [{ name: 'backingFsBlockDev', type: 'block', size: 0 }, file('metadata.db', undefined, "the volume service's bolt database")]),
  ]);
}
