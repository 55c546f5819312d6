/**
 * A mount-namespace differential case: a host tree, an image tree, mounts made under the image
 * (tmpfs, binds of host directories and files, binds inside the image, read-only ones), the caller
 * (root or uid 1000) and the calls it makes; with a fast-check generator and the normalisation both
 * sides' snapshots go through.
 */
import fc from 'fast-check';

export interface Entry {
  path: string;
  type: 'dir' | 'file' | 'symlink';
  mode?: number;
  uid?: number;
  gid?: number;
  content?: string;
  target?: string;
}

export type MountSpec =
  | { type: 'tmpfs'; target: string; size?: number; mode?: number; readOnly?: boolean }
  | { type: 'bind'; from: 'host' | 'image'; source: string; target: string; readOnly?: boolean };

export type Op =
  | { op: 'write' | 'append'; path: string; data: string; mode?: number }
  | { op: 'read' | 'readdir' | 'stat' | 'chdir' | 'rmdir' | 'unlink'; path: string }
  | { op: 'mkdir'; path: string; mode?: number }
  | { op: 'rename' | 'link'; from: string; to: string }
  | { op: 'symlink'; target: string; path: string }
  | { op: 'chmod'; path: string; mode: number }
  | { op: 'chown'; path: string; uid: number; gid: number }
  | { op: 'truncate'; path: string; len: number }
  | { op: 'setxattr'; path: string; name: string; value: string }
  | { op: 'getxattr'; path: string; name: string };

export interface NsCase {
  /** What the image is mounted as: a directory of a tmpfs (the default) or the lower layer of an overlay. */
  root?: 'tmpfs' | 'overlay';
  host: Entry[];
  image: Entry[];
  mounts: MountSpec[];
  user: 'root' | 'user';
  ops: Op[];
}

export interface SnapEntry {
  path: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size?: number;
  content?: string;
  target?: string;
  /** Normalised: the first path on the same device. */
  dev: string;
  ino?: string;
  linkGroup?: string;
}

export interface Outcome {
  results: string[];
  image: SnapEntry[];
  host: SnapEntry[];
  mounts: string[];
}

const owner = fc.constantFrom(0, 1000);
const dirMode = fc.constantFrom(0o755, 0o700, 0o711, 0o1777, 0o777);
const fileMode = fc.constantFrom(0o644, 0o600, 0o666, 0o4755);

const imageArb: fc.Arbitrary<Entry[]> = fc
  .record({ aMode: dirMode, aUid: owner, fMode: fileMode, fUid: owner, bMode: dirMode, bUid: owner })
  .map((r) => [
    { path: 'a', type: 'dir', mode: r.aMode, uid: r.aUid, gid: r.aUid },
    { path: 'a/f', type: 'file', content: 'image a/f', mode: r.fMode, uid: r.fUid, gid: r.fUid },
    { path: 'a/sub', type: 'dir' },
    { path: 'b', type: 'dir', mode: r.bMode, uid: r.bUid, gid: r.bUid },
    { path: 'b/g', type: 'file', content: 'image b/g' },
    { path: 'c', type: 'dir' },
    { path: 'etc', type: 'dir' },
    { path: 'etc/hosts', type: 'file', content: '127.0.0.1 localhost\n' },
    { path: 'tmp', type: 'dir', mode: 0o1777 },
    { path: 'l', type: 'symlink', target: '/etc/hosts' },
  ]);

const hostArb: fc.Arbitrary<Entry[]> = fc.record({ mode: dirMode, uid: owner }).map((r) => [
  { path: 'h1', type: 'dir', mode: r.mode, uid: r.uid, gid: r.uid },
  { path: 'h1/x', type: 'file', content: 'host h1/x', uid: r.uid, gid: r.uid },
  { path: 'h1/abs', type: 'symlink', target: '/a/f' },
  { path: 'h2', type: 'dir', mode: 0o1777 },
  { path: 'hosts', type: 'file', content: '172.17.0.2 box\n', mode: 0o644 },
]);

const ro = fc.boolean();
const mountsArb: fc.Arbitrary<MountSpec[]> = fc
  .record({
    tmpfs: fc.option(fc.record({ size: fc.constantFrom(undefined, 1024), mode: fc.constantFrom(undefined, 0o755, 0o700), readOnly: ro })),
    h1: fc.option(ro),
    hosts: fc.option(ro),
    c: fc.option(ro),
    h2: fc.option(ro),
  })
  .map((r) => {
    const out: MountSpec[] = [];
    if (r.tmpfs) {
      const { size, mode, readOnly } = r.tmpfs;
      out.push({ type: 'tmpfs', target: '/a', readOnly, ...(size ? { size } : {}), ...(mode ? { mode } : {}) });
    }
    if (r.h1 !== null) out.push({ type: 'bind', from: 'host', source: 'h1', target: '/b', readOnly: r.h1 });
    if (r.hosts !== null) out.push({ type: 'bind', from: 'host', source: 'hosts', target: '/etc/hosts', readOnly: r.hosts });
    if (r.c !== null) out.push({ type: 'bind', from: 'image', source: '/a', target: '/c', readOnly: r.c });
    if (r.h2 !== null) out.push({ type: 'bind', from: 'host', source: 'h2', target: '/tmp', readOnly: r.h2 });
    return out;
  });

const file = fc.constantFrom('/a/f', '/a/new', '/a/sub/n', '/b/g', '/b/x', '/b/new', '/c/f', '/c/new', '/etc/hosts', '/etc/new', '/tmp/t', '/a/../b/x', '/c/sub/../../etc/hosts', '/l', '/b/abs', 'f', 'new', '../b/x');
const dir = fc.constantFrom('/', '/a', '/a/sub', '/b', '/c', '/c/sub', '/etc', '/tmp', '/a/..', '/c/sub/..', 'sub', '..');
const anyPath = fc.oneof(file, dir);
const data = fc.constantFrom('x', 'hello\n', 'z'.repeat(5000));

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constantFrom('write' as const, 'append' as const), path: file, data, mode: fileMode }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constantFrom('read' as const, 'stat' as const, 'unlink' as const), path: file }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constantFrom('readdir' as const, 'chdir' as const, 'rmdir' as const), path: dir }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant('mkdir' as const), path: anyPath, mode: dirMode }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constantFrom('rename' as const, 'link' as const), from: anyPath, to: anyPath }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('symlink' as const), target: fc.constantFrom('/etc/hosts', '/a/f', '../b/x', '/b', 'f'), path: file }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('chmod' as const), path: anyPath, mode: fc.oneof(fileMode, dirMode) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('chown' as const), path: anyPath, uid: fc.constantFrom(0, 1000, -1), gid: fc.constantFrom(0, 1000, -1) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('truncate' as const), path: file, len: fc.constantFrom(0, 3) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('setxattr' as const), path: anyPath, name: fc.constantFrom('user.a', 'trusted.b'), value: fc.constantFrom('1', 'two') }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('getxattr' as const), path: anyPath, name: fc.constantFrom('user.a', 'trusted.b') }), weight: 1 },
);

export const caseArb: fc.Arbitrary<NsCase> = fc.record({
  root: fc.constantFrom('tmpfs' as const, 'overlay' as const),
  host: hostArb,
  image: imageArb,
  mounts: mountsArb,
  user: fc.constantFrom('root' as const, 'user' as const),
  ops: fc.array(opArb, { minLength: 1, maxLength: 12 }),
});

/** Device numbers and inode numbers differ between the sides: groups of paths are compared instead. */
export function normalise(snap: SnapEntry[]): SnapEntry[] {
  const devs = new Map<string, string>();
  const inos = new Map<string, string[]>();
  for (const e of snap) {
    if (!devs.has(e.dev)) devs.set(e.dev, e.path);
    if (e.ino) inos.set(e.ino, [...(inos.get(e.ino) ?? []), e.path]);
  }
  return snap.map((e) => {
    const { ino, ...rest } = e;
    const group = ino ? inos.get(ino)! : [];
    return { ...rest, dev: devs.get(e.dev)!, ...(group.length > 1 ? { linkGroup: group[0]! } : {}) };
  });
}
