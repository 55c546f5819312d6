/** The model side of the differential test: the same case applied to a boxlab overlay mount. */
import { createHash } from 'node:crypto';
import { FsError } from '../../../src/errors.js';
import { memoryLayer, mountOverlay, mv, isOpaque, isWhiteout, type Strategy, type Mount, LowerStackCache } from '../../../src/overlay/index.js';
import { fileData, type DirInode } from '../../../src/vfs/inode.js';
import type { Case, Op, SnapEntry } from './case.js';

function apply(m: Mount, op: Op): void {
  switch (op.op) {
    case 'write':
      return m.writeFile(op.path, op.data, { mode: op.mode });
    case 'append':
      return m.appendFile(op.path, op.data);
    case 'truncate':
      return m.truncate(op.path, op.len);
    case 'chmod':
      return m.chmod(op.path, op.mode);
    case 'chown':
      return m.chown(op.path, op.uid, op.gid);
    case 'symlink':
      return m.symlink(op.target, op.path);
    case 'link':
      return m.link(op.from, op.to);
    case 'rename':
      return m.rename(op.from, op.to);
    case 'unlink':
      return m.unlink(op.path);
    case 'rmdir':
      return m.rmdir(op.path);
    case 'mkdir':
      return m.mkdir(op.path, op.mode);
    case 'setxattr':
      return m.setxattr(op.path, op.name, op.value);
    case 'mv':
      try {
        mv(m, op.from, op.to);
      } catch (e) {
        if (e instanceof FsError) throw Object.assign(e, { mvFailed: true });
        throw e;
      }
  }
}

function userXattrs(x: ReadonlyMap<string, string> | undefined): Record<string, string> | undefined {
  const out = Object.fromEntries([...(x ?? [])].filter(([k]) => k.startsWith('user.')));
  return Object.keys(out).length > 0 ? out : undefined;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function mergedSnapshot(m: Mount): SnapEntry[] {
  const out: SnapEntry[] = [];
  const walk = (rel: string): void => {
    let st;
    try {
      st = m.lstat(rel === '' ? '/' : rel);
    } catch (e) {
      if (!(e instanceof FsError) || e.errno !== 'ENOENT') throw e;
      out.push({ path: rel, type: 'listed-but-missing', mode: 0, uid: 0, gid: 0 });
      return;
    }
    const r: SnapEntry = { path: rel, mode: st.mode, uid: st.uid, gid: st.gid, type: 'other' };
    const x = userXattrs(m.xattrs(rel === '' ? '/' : rel, { follow: false }));
    if (x) r.xattrs = x;
    if (st.type === 'dir') {
      r.type = 'dir';
      out.push(r);
      for (const name of m.readdir(rel === '' ? '/' : rel).sort()) walk(rel === '' ? name : `${rel}/${name}`);
      return;
    }
    if (st.type === 'file') {
      const data = m.readFile(rel);
      Object.assign(r, { type: 'file', size: st.size, sha: sha(data) });
    } else if (st.type === 'symlink') Object.assign(r, { type: 'symlink', target: m.readlink(rel) });
    r.ino = String(st.ino);
    out.push(r);
  };
  walk('');
  return out;
}

function upperSnapshot(root: DirInode): SnapEntry[] {
  const out: SnapEntry[] = [];
  const walk = (dir: DirInode, rel: string): void => {
    const dx = userXattrs(dir.xattrs);
    out.push({ path: rel, type: 'dir', mode: dir.mode, uid: dir.uid, gid: dir.gid, ...(isOpaque(dir) ? { opaque: true } : {}), ...(dx ? { xattrs: dx } : {}) });
    for (const name of [...dir.entries.keys()].sort()) {
      const i = dir.entries.get(name)!;
      const p = rel === '' ? name : `${rel}/${name}`;
      if (i.kind === 'dir') {
        walk(i, p);
        continue;
      }
      const r: SnapEntry = { path: p, mode: i.mode, uid: i.uid, gid: i.gid, type: 'other' };
      const fx = userXattrs(i.xattrs);
      if (fx) r.xattrs = fx;
      if (isWhiteout(i)) r.type = 'whiteout';
      else if (i.kind === 'file') Object.assign(r, { type: 'file', size: i.size, sha: sha(fileData(i)) });
      else if (i.kind === 'symlink') Object.assign(r, { type: 'symlink', target: i.target });
      if (r.type !== 'whiteout') r.ino = String(i.ino);
      out.push(r);
    }
  };
  walk(root, '');
  return out;
}

export function runModel(c: Case, strategy: Strategy, dentryCache: boolean) {
  const layers = c.layers.map((entries) => memoryLayer(entries));
  // A private cache per run, so one run's index can never leak into another's.
  const m = mountOverlay(layers, { strategy, dentryCache, cache: new LowerStackCache() });
  const results = c.ops.map((op) => {
    try {
      apply(m, op);
      return 'ok';
    } catch (e) {
      if (e instanceof FsError) return op.op === 'mv' || op.op === 'setxattr' ? 'ERR' : e.errno;
      throw e;
    }
  });
  return { results, merged: mergedSnapshot(m), upper: upperSnapshot(m.upper.root) };
}
