/** The model side of the mount-namespace differential test: the same case on a boxlab MountNamespace. */
import { FsError } from '../../../src/errors.js';
import { LowerStackCache, memoryLayer, mountOverlay, type MemoryEntry } from '../../../src/overlay/index.js';
import { FsContext, MountNamespace, tmpfs, type Vfs } from '../../../src/vfs/index.js';
import type { Entry, NsCase, Op, Outcome, SnapEntry } from './case.js';

function layOut(fs: Vfs, top: string, entries: Entry[]): void {
  fs.mkdir(top, 0o755);
  for (const e of entries) {
    const p = `${top}/${e.path}`;
    if (e.type === 'dir') fs.mkdir(p);
    else if (e.type === 'file') fs.writeFile(p, e.content ?? '');
    else fs.symlink(e.target!, p);
    fs.chown(p, e.uid ?? 0, e.gid ?? 0, { follow: false });
    if (e.type !== 'symlink') fs.chmod(p, e.mode ?? (e.type === 'dir' ? 0o755 : 0o644));
  }
}

function apply(p: FsContext, op: Op): string {
  switch (op.op) {
    case 'write':
      p.writeFile(op.path, op.data, { mode: op.mode });
      return 'ok';
    case 'append':
      p.writeFile(op.path, op.data, { mode: op.mode, append: true });
      return 'ok';
    case 'read':
      return `ok:${p.readFile(op.path).toString()}`;
    case 'readdir':
      return `ok:${p.readdir(op.path).sort().join(',')}`;
    case 'stat': {
      const st = p.stat(op.path);
      return `ok:${st.stMode.toString(8)}:${st.uid}:${st.gid}`;
    }
    case 'chdir':
      p.chdir(op.path);
      break;
    case 'mkdir':
      p.mkdir(op.path, op.mode);
      break;
    case 'rmdir':
      p.rmdir(op.path);
      break;
    case 'unlink':
      p.unlink(op.path);
      break;
    case 'rename':
      p.rename(op.from, op.to);
      break;
    case 'link':
      p.link(op.from, op.to);
      break;
    case 'symlink':
      p.symlink(op.target, op.path);
      break;
    case 'chmod':
      p.chmod(op.path, op.mode);
      break;
    case 'chown':
      p.chown(op.path, op.uid, op.gid);
      break;
    case 'truncate':
      p.truncate(op.path, op.len);
      break;
    case 'setxattr':
      p.setxattr(op.path, op.name, op.value);
      break;
    case 'getxattr': {
      const v = p.getxattr(op.path, op.name);
      if (v === undefined) throw new FsError('ENODATA', op.path, 'getxattr');
      return `ok:${v}`;
    }
  }
  return 'ok';
}

/** lstat-walks a tree in name order, as the kernel side does. */
function snapshot(fs: { lstat(p: string): ReturnType<Vfs['lstat']>; readdir(p: string): string[]; readFile(p: string): Buffer; readlink(p: string): string }, top: string): SnapEntry[] {
  const out: SnapEntry[] = [];
  const walk = (rel: string): void => {
    const p = rel === '' ? top : top === '/' ? `/${rel}` : `${top}/${rel}`;
    const st = fs.lstat(p);
    const e: SnapEntry = { path: rel, type: st.type, mode: st.mode, uid: st.uid, gid: st.gid, dev: String(st.dev) };
    if (st.type === 'dir') {
      out.push(e);
      for (const n of fs.readdir(p).sort()) walk(rel === '' ? n : `${rel}/${n}`);
      return;
    }
    if (st.type === 'file') Object.assign(e, { size: st.size, content: fs.readFile(p).toString() });
    else if (st.type === 'symlink') e.target = fs.readlink(p);
    else e.type = 'other';
    e.ino = `${st.dev}:${st.ino}`;
    out.push(e);
  };
  walk('');
  return out;
}

function overlayOf(image: Entry[]) {
  const entries: MemoryEntry[] = image.map((e) => ({ ...e, ...(e.type === 'file' ? { content: e.content ?? '' } : {}) }) as MemoryEntry);
  const paths = { lowerdir: ['/BASE/lower'], upperdir: '/BASE/upper', workdir: '/BASE/work' };
  return mountOverlay([memoryLayer(entries)], { cache: new LowerStackCache(), paths });
}

export function runModel(c: NsCase): Outcome {
  // One tmpfs holds both trees, as on the kernel side: the image root and the host share a device.
  const base = tmpfs();
  layOut(base, 'host', c.host);
  layOut(base, 'root', c.image);
  const ns = c.root === 'overlay' ? new MountNamespace(overlayOf(c.image), { source: 'overlay' }) : new MountNamespace(base.subtree('root'), { source: 'tmpfs' });
  for (const m of c.mounts) {
    const opts = { source: 'tmpfs', readOnly: m.readOnly };
    if (m.type === 'tmpfs') ns.mount(tmpfs({ size: m.size, mode: m.mode }), m.target, opts);
    else if (m.from === 'host') ns.bindFrom(base, `host/${m.source}`, m.target, opts);
    else ns.bind(m.source, m.target, { readOnly: m.readOnly });
  }
  const admin = new FsContext(ns);
  const p = c.user === 'user' ? new FsContext(ns, { uid: 1000, gid: 1000, groups: [] }) : admin.fork();
  const results = c.ops.map((op) => {
    try {
      return apply(p, op);
    } catch (e) {
      if (e instanceof FsError) return e.errno;
      throw e;
    }
  });
  const mounts = ns.mounts().split('\n').slice(1, -1).map((l) => `${l}\n`);
  return { results, image: snapshot(admin, '/'), host: snapshot(base, 'host'), mounts };
}
