import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import type { Engine } from '../../src/engine/engine.js';
import tar from 'tar-stream';

/**
 * The corpus's `NAME.expected.txt` format (shared/corpus/README.md), computed from a rootfs tar
 * (what `boxlab export` writes): `TYPE MODE UID:GID PATH [DETAIL]`, lines sorted as byte
 * strings; a file with more than one name carries `link=P`, P the first of its names in
 * os.walk's order.
 */
export async function listingOfTar(data: Buffer | Readable): Promise<string[]> {
  interface Item {
    path: string;
    kind: 'f' | 'd' | 'l' | 'o';
    mode: number;
    uid: number;
    gid: number;
    detail: string;
    inode: number;
    typeBits: number;
  }
  const items = new Map<string, Item>();
  let nextInode = 0;
  const extract = tar.extract();
  const src = Buffer.isBuffer(data) ? Readable.from([data]) : data;
  src.pipe(extract as unknown as NodeJS.WritableStream);
  for await (const entry of extract) {
    const h = entry.header;
    const path = '/' + h.name.replace(/^\.?\/+/, '').replace(/\/+$/, '');
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of entry) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    if (path === '/') continue;
    const base = { path, mode: h.mode! & 0o7777, uid: h.uid ?? 0, gid: h.gid ?? 0 };
    if (h.type === 'link') {
      const target = items.get('/' + h.linkname!.replace(/^\.?\/+/, ''));
      if (!target) throw new Error(`hardlink ${path} to missing ${h.linkname}`);
      items.set(path, { ...target, path });
      continue;
    }
    const inode = nextInode++;
    if (h.type === 'file' || h.type === 'contiguous-file')
      items.set(path, { ...base, kind: 'f', detail: `${hash.digest('hex').slice(0, 16)} ${size}`, inode, typeBits: 0o100000 });
    else if (h.type === 'directory') items.set(path, { ...base, kind: 'd', detail: '', inode, typeBits: 0o40000 });
    else if (h.type === 'symlink') items.set(path, { ...base, mode: 0o777, kind: 'l', detail: h.linkname!, inode, typeBits: 0o120000 });
    else {
      const bits = { 'character-device': 0o20000, 'block-device': 0o60000, fifo: 0o10000 }[h.type as string] ?? 0;
      items.set(path, { ...base, kind: 'o', detail: (bits | (h.mode! & 0o7777)).toString(8), inode, typeBits: bits });
    }
  }
  return listingOf([...items.values()]);
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function listingOf(items: { path: string; kind: string; mode: number; uid: number; gid: number; detail: string; inode: number }[]): string[] {
  const byPath = new Map(items.map((i) => [i.path, i]));
  const children = new Map<string, string[]>();
  for (const i of items) {
    const parent = i.path.slice(0, i.path.lastIndexOf('/')) || '/';
    (children.get(parent) ?? children.set(parent, []).get(parent)!).push(i.path);
  }
  // os.walk order: a directory's names (sorted), then its subdirectories (sorted), depth first
  const order: string[] = [];
  const visit = (dir: string) => {
    const kids = (children.get(dir) ?? []).sort(byteOrder);
    order.push(...kids);
    for (const k of kids) if (byPath.get(k)!.kind === 'd') visit(k);
  };
  visit('/');
  const groups = new Map<number, string[]>();
  for (const p of order) {
    const i = byPath.get(p)!;
    if (i.kind === 'f') (groups.get(i.inode) ?? groups.set(i.inode, []).get(i.inode)!).push(p);
  }
  const lines = order.map((p) => {
    const i = byPath.get(p)!;
    let line = `${i.kind} ${i.mode.toString(8).padStart(4, '0')} ${i.uid}:${i.gid} ${p} ${i.detail}`.trimEnd();
    const g = groups.get(i.inode);
    if (i.kind === 'f' && g && g.length > 1) line += ` link=${g[0]}`;
    return line;
  });
  return lines.sort(byteOrder);
}

/** `boxlab export` of an image, as the corpus's listing text (lines and a final newline). */
export async function exportListing(engine: Engine, ref: string): Promise<string> {
  const pt = new PassThrough();
  const listing = listingOfTar(pt);
  await engine.images.export(ref, pt);
  return (await listing).join('\n') + '\n';
}
