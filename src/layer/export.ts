import type { Writable } from 'node:stream';
import { TarWriter, type TarHeader } from '../util/tarout.js';
import { walk, type Inode } from './tree.js';

const TAR_TYPE = {
  file: 'file',
  dir: 'directory',
  symlink: 'symlink',
  char: 'character-device',
  block: 'block-device',
  fifo: 'fifo',
} as const;

/**
 * Writes a merged tree as one tar, as `docker export` does: no whiteouts, every path once,
 * parents before children, the second and later names of an inode as hardlinks to the first.
 * File bodies are read from each layer's uncompressed tar (`layerTars[i]`) as they are written.
 */
export async function exportTree(root: Inode, layerTars: readonly string[], out: Writable): Promise<void> {
  const w = new TarWriter(out);
  const firstName = new Map<Inode, string>();
  for (const { path, node } of walk(root)) {
    const header: TarHeader = {
      name: node.type === 'dir' ? `${path}/` : path,
      mode: node.mode,
      uid: node.uid,
      gid: node.gid,
      mtime: new Date(node.mtime * 1000),
      type: TAR_TYPE[node.type],
    };
    if (node.xattrs && Object.keys(node.xattrs).length)
      header.pax = Object.fromEntries(Object.entries(node.xattrs).map(([k, v]) => [`SCHILY.xattr.${k}`, v]));
    const first = node.type !== 'dir' ? firstName.get(node) : undefined;
    if (first !== undefined) {
      await w.add({ ...header, type: 'link', linkname: first, size: 0 });
      continue;
    }
    if (node.type !== 'dir') firstName.set(node, path);
    if (node.type === 'symlink') header.linkname = node.linkname ?? '';
    if (node.type === 'char' || node.type === 'block') {
      header.devmajor = node.devmajor ?? 0;
      header.devminor = node.devminor ?? 0;
    }
    if (node.type === 'file' && node.content && node.content.size > 0) {
      await w.addFromFile(header, layerTars[node.content.layer]!, node.content.offset, node.content.size);
    } else {
      await w.add({ ...header, size: 0 });
    }
  }
  await w.finish();
}
