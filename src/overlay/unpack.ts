/**
 * The inverse of pack.ts for an upper layer: a tar made by packUpperStream read back into an upper
 * directory tree laid out as the kernel's upperdir (whiteouts as 0/0 character devices, opaque
 * directories marked with trusted.overlay.opaque=y), as moby's overlay whiteout converter does when
 * it applies a layer into an overlay2 diff directory (pkg/archive/archive_linux.go ConvertWrite).
 * What an active snapshot's checkpoint is read back with after a restart.
 */
import type { Readable } from 'node:stream';
import { extract, type Header as Headers } from 'tar-stream';
import { linkInto, newDevice, newDir, newFifo, newFile, newSymlink, unlinkFrom, type DirInode, type Inode } from '../vfs/inode.js';
import { splitPath } from '../vfs/resolve.js';
import { setOpaque } from '../layer/diff-dir.js';
import { upperAt } from './journal.js';

const WH = '.wh.';
const OPQ = '.wh..wh..opq';

function metaOf(h: Headers) {
  return { mode: (h.mode ?? 0) & 0o7777, uid: h.uid ?? 0, gid: h.gid ?? 0, mtime: Math.floor((h.mtime?.getTime() ?? 0) / 1000) };
}

function withXattrs(i: Inode, h: Headers): Inode {
  for (const [k, v] of Object.entries(h.pax ?? {})) if (k.startsWith('SCHILY.xattr.')) (i.xattrs ??= new Map()).set(k.slice(13), v);
  return i;
}

function place(root: DirInode, path: string, i: Inode): void {
  const parts = splitPath(path);
  const name = parts.pop()!;
  const dir = upperAt(root, parts.join('/'));
  if (!dir || dir.kind !== 'dir') throw new Error(`upper tar: no directory above ${JSON.stringify(path)}`);
  const old = dir.entries.get(name);
  if (old?.kind === 'dir' && i.kind === 'dir') {
    // a directory met again (the root's own entry, or a repeat): its metadata, not a new inode
    Object.assign(old, { mode: i.mode, uid: i.uid, gid: i.gid, mtime: i.mtime, xattrs: i.xattrs });
    return;
  }
  if (old) unlinkFrom(dir, name);
  linkInto(dir, name, i);
}

function member(root: DirInode, h: Headers, data: Buffer): void {
  const path = splitPath(h.name).join('/');
  const parts = splitPath(path);
  const base = parts.at(-1) ?? '';
  const parent = parts.slice(0, -1).join('/');
  const m = metaOf(h);
  if (base === OPQ) {
    const d = upperAt(root, parent);
    if (d?.kind === 'dir') setOpaque(d);
    return;
  }
  if (base.startsWith(WH)) {
    place(root, parent ? `${parent}/${base.slice(WH.length)}` : base.slice(WH.length), newDevice('char', 0, 0, { ...m, mode: 0 }));
    return;
  }
  if (path === '') {
    Object.assign(root, { mode: m.mode, uid: m.uid, gid: m.gid, mtime: m.mtime });
    return;
  }
  switch (h.type) {
    case 'directory':
      return place(root, path, withXattrs(newDir(m), h));
    case 'link': {
      const target = upperAt(root, splitPath(h.linkname ?? '').join('/'));
      if (!target || target.kind === 'dir') throw new Error(`upper tar: hardlink ${path} to a missing ${h.linkname}`);
      return place(root, path, target);
    }
    case 'symlink':
      return place(root, path, withXattrs(newSymlink(h.linkname ?? '', m), h));
    case 'character-device':
    case 'block-device':
      return place(root, path, withXattrs(newDevice(h.type === 'character-device' ? 'char' : 'block', h.devmajor ?? 0, h.devminor ?? 0, m), h));
    case 'fifo':
      return place(root, path, withXattrs(newFifo(m), h));
    default:
      return place(root, path, withXattrs(newFile(m, data), h));
  }
}

/** Reads `tar` (packUpperStream's output) into the empty upper directory `root`. */
export async function loadUpperTar(root: DirInode, tar: Readable): Promise<void> {
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (h, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => void chunks.push(c as Buffer));
      stream.on('end', () => {
        try {
          member(root, h, Buffer.concat(chunks));
          next();
        } catch (err) {
          next(err as Error);
        }
      });
      stream.on('error', reject);
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  tar.on('error', (e) => ex.destroy(e));
  tar.pipe(ex);
  await done;
}
