/**
 * The upper layer as a changeset: packed into an OCI layer tar (what `docker commit` stores) and
 * listed as `docker diff` lists it. OCI image-spec layer.md: a deleted path becomes `.wh.NAME`, an
 * opaque directory gets `.wh..wh..opq`, and whiteouts "SHOULD appear before sibling directory
 * entries". The kernel's own trusted.overlay.* attributes never leave the machine.
 */
import { pack as tarPack, type Header as TarHeader, type Pack } from 'tar-stream';
import { fileData, type DirInode, type Inode } from '../vfs/inode.js';
import { joinPath } from '../vfs/resolve.js';
import { isOpaque, isOverlayXattr, isWhiteout } from '../layer/diff-dir.js';

const WH = '.wh.';
const OPQ = '.wh..wh..opq';

type Header = Partial<TarHeader> & { name: string; pax?: Record<string, string> };

function* upperEntries(dir: DirInode, path: string): Generator<[string, Inode]> {
  const names = [...dir.entries.keys()].sort();
  // Whiteouts first, then everything else, each in name order.
  for (const n of names) if (isWhiteout(dir.entries.get(n))) yield [joinPath(path, n), dir.entries.get(n)!];
  for (const n of names) {
    const e = dir.entries.get(n)!;
    if (isWhiteout(e)) continue;
    yield [joinPath(path, n), e];
    if (e.kind === 'dir') yield* upperEntries(e, joinPath(path, n));
  }
}

function baseHeader(path: string, i: Inode): Header {
  const h: Header = { name: path, mode: i.mode, uid: i.uid, gid: i.gid, mtime: new Date(i.mtime * 1000) };
  const pax: Record<string, string> = {};
  for (const [k, v] of i.xattrs ?? []) if (!isOverlayXattr(k)) pax[`SCHILY.xattr.${k}`] = v;
  if (Object.keys(pax).length > 0) h.pax = pax;
  return h;
}

/** The members of the upper layer's tar, in order, with file bytes. */
export function upperTarMembers(upper: DirInode): { header: Header; data?: Buffer }[] {
  const out: { header: Header; data?: Buffer }[] = [];
  const firstName = new Map<Inode, string>();
  for (const [path, i] of upperEntries(upper, '')) {
    const slash = path.lastIndexOf('/');
    const parent = slash < 0 ? '' : path.slice(0, slash);
    const name = path.slice(slash + 1);
    if (isWhiteout(i)) {
      // moby archive_linux.go (overlayWhiteoutConverter): the 0/0 device becomes an empty regular
      // file `.wh.NAME` with mode 0 and the device's owner.
      out.push({ header: { name: joinPath(parent, WH + name), mode: 0, uid: i.uid, gid: i.gid, size: 0, type: 'file', mtime: new Date(i.mtime * 1000) } });
      continue;
    }
    const h = baseHeader(path, i);
    if (i.kind !== 'dir' && firstName.has(i)) {
      out.push({ header: { ...h, type: 'link', linkname: firstName.get(i)!, size: 0 } });
      continue;
    }
    if (i.kind !== 'dir') firstName.set(i, path);
    switch (i.kind) {
      case 'dir':
        out.push({ header: { ...h, name: path + '/', type: 'directory' } });
        // ... and an opaque directory is followed by `.wh..wh..opq` with the directory's permission bits and owner.
        if (isOpaque(i)) out.push({ header: { name: joinPath(path, OPQ), mode: i.mode & 0o777, uid: i.uid, gid: i.gid, size: 0, type: 'file', mtime: h.mtime } });
        break;
      case 'file': {
        const data = fileData(i);
        out.push({ header: { ...h, type: 'file', size: data.length }, data });
        break;
      }
      case 'symlink':
        out.push({ header: { ...h, type: 'symlink', linkname: i.target } });
        break;
      case 'char':
      case 'block':
        out.push({ header: { ...h, type: i.kind === 'char' ? 'character-device' : 'block-device', devmajor: i.major, devminor: i.minor } });
        break;
      case 'fifo':
        out.push({ header: { ...h, type: 'fifo' } });
        break;
    }
  }
  return out;
}

/** The upper layer as a tar stream (uncompressed, as a diffID is computed over). */
export function packUpperStream(upper: DirInode): Pack {
  const pack = tarPack();
  const members = upperTarMembers(upper);
  let i = 0;
  const next = (err?: Error | null): void => {
    if (err) {
      pack.destroy(err);
      return;
    }
    const m = members[i++];
    if (!m) {
      pack.finalize();
      return;
    }
    pack.entry(m.header, m.data ?? Buffer.alloc(0), next);
  };
  next();
  return pack;
}

export async function packUpper(upper: DirInode): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of packUpperStream(upper)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export { diffUpper, type Change } from './changes.js';
