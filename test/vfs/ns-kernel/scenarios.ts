/** The cases issue 13 names, one each, run before the generated ones. */
import type { Entry, NsCase } from './case.js';

const image: Entry[] = [
  { path: 'a', type: 'dir', mode: 0o700 },
  { path: 'a/f', type: 'file', content: 'image a/f' },
  { path: 'a/sub', type: 'dir' },
  { path: 'b', type: 'dir', mode: 0o755, uid: 1000, gid: 1000 },
  { path: 'b/g', type: 'file', content: 'image b/g' },
  { path: 'c', type: 'dir' },
  { path: 'etc', type: 'dir' },
  { path: 'etc/hosts', type: 'file', content: '127.0.0.1 localhost\n' },
  { path: 'tmp', type: 'dir', mode: 0o1777 },
  { path: 'tmp/roots', type: 'file', content: 'root owns this', mode: 0o666 },
];
const host: Entry[] = [
  { path: 'h1', type: 'dir' },
  { path: 'h1/x', type: 'file', content: 'host h1/x' },
  { path: 'h1/abs', type: 'symlink', target: '/a/f' },
  { path: 'hosts', type: 'file', content: '172.17.0.2 box\n' },
];
const base = { host, image, user: 'root' as const };
const linkAt = (k: number) => (k % 2 ? `/c/l${k}` : `/tmp/l${k}`);

export const SCENARIOS: { name: string; case: NsCase }[] = [
  {
    name: 'a bind of a directory writes through to the host tree',
    case: { ...base, mounts: [{ type: 'bind', from: 'host', source: 'h1', target: '/b' }], ops: [
      { op: 'readdir', path: '/b' }, { op: 'write', path: '/b/new', data: 'via bind' }, { op: 'read', path: '/b/x' }, { op: 'mkdir', path: '/b/d' },
    ] },
  },
  {
    name: 'a bind of a single file, which cannot be removed or renamed',
    case: { ...base, mounts: [{ type: 'bind', from: 'host', source: 'hosts', target: '/etc/hosts' }], ops: [
      { op: 'read', path: '/etc/hosts' }, { op: 'append', path: '/etc/hosts', data: '10.0.0.1 other\n' }, { op: 'unlink', path: '/etc/hosts' },
      { op: 'rename', from: '/etc/hosts', to: '/etc/h2' }, { op: 'rename', from: '/a/f', to: '/etc/hosts' }, { op: 'rmdir', path: '/etc/hosts' },
    ] },
  },
  {
    name: 'a tmpfs over an image directory hides it',
    case: { ...base, mounts: [{ type: 'tmpfs', target: '/a', mode: 0o755 }], ops: [
      { op: 'readdir', path: '/a' }, { op: 'read', path: '/a/f' }, { op: 'write', path: '/a/f', data: 'on tmpfs' }, { op: 'stat', path: '/a' }, { op: 'rmdir', path: '/a' },
    ] },
  },
  {
    name: 'read-only mounts fail every write with EROFS',
    case: { ...base, mounts: [{ type: 'bind', from: 'host', source: 'h1', target: '/b', readOnly: true }, { type: 'tmpfs', target: '/c', readOnly: true }], ops: [
      { op: 'write', path: '/b/x', data: 'no' }, { op: 'append', path: '/b/x', data: 'no' }, { op: 'write', path: '/b/new', data: 'no' }, { op: 'mkdir', path: '/b/x' },
      { op: 'mkdir', path: '/b/d' }, { op: 'unlink', path: '/b/x' }, { op: 'unlink', path: '/b/nope' }, { op: 'chmod', path: '/b/x', mode: 0o600 },
      { op: 'truncate', path: '/b/x', len: 0 }, { op: 'symlink', target: 'x', path: '/b/l' }, { op: 'rename', from: '/b/x', to: '/b/y' }, { op: 'mkdir', path: '/c/d' },
      { op: 'read', path: '/b/x' }, { op: 'chown', path: '/b/nope', uid: 1, gid: 1 },
    ] },
  },
  {
    name: '`..` climbs across a mount point',
    case: { ...base, mounts: [{ type: 'tmpfs', target: '/c' }], ops: [
      { op: 'mkdir', path: '/c/sub' }, { op: 'read', path: '/c/sub/../../etc/hosts' }, { op: 'chdir', path: '/c/sub' }, { op: 'read', path: '../../etc/hosts' },
      { op: 'readdir', path: '..' }, { op: 'read', path: '../../../../etc/hosts' }, { op: 'write', path: '../new', data: 'n' },
    ] },
  },
  {
    name: 'an absolute symlink inside a mount resolves against the namespace root',
    case: { ...base, mounts: [{ type: 'bind', from: 'host', source: 'h1', target: '/b' }, { type: 'tmpfs', target: '/c' }], ops: [
      { op: 'read', path: '/b/abs' }, { op: 'symlink', target: '/etc/hosts', path: '/c/h' }, { op: 'read', path: '/c/h' }, { op: 'write', path: '/b/abs', data: 'through' },
    ] },
  },
  {
    name: 'rename and link across mounts fail with EXDEV, even between two mounts of one filesystem',
    case: { ...base, mounts: [{ type: 'bind', from: 'host', source: 'h1', target: '/b' }, { type: 'bind', from: 'image', source: '/a', target: '/c' }], ops: [
      { op: 'rename', from: '/b/x', to: '/etc/x' }, { op: 'link', from: '/b/x', to: '/etc/x' }, { op: 'rename', from: '/a/f', to: '/c/g' },
      { op: 'link', from: '/a/f', to: '/c/g' }, { op: 'rename', from: '/c/f', to: '/c/g' }, { op: 'link', from: '/c/g', to: '/c/h' }, { op: 'rename', from: '/c', to: '/d' },
    ] },
  },
  {
    name: 'a non-root process meets mode bits (EACCES) and the sticky bit (EPERM)',
    case: { ...base, user: 'user', mounts: [{ type: 'tmpfs', target: '/c', mode: 0o755 }], ops: [
      { op: 'read', path: '/a/f' }, { op: 'readdir', path: '/a' }, { op: 'chdir', path: '/a' }, { op: 'write', path: '/etc/new', data: 'x' },
      { op: 'write', path: '/etc/hosts', data: 'x' }, { op: 'write', path: '/b/mine', data: 'x' }, { op: 'unlink', path: '/b/g' }, { op: 'write', path: '/c/x', data: 'x' },
      { op: 'unlink', path: '/tmp/roots' }, { op: 'append', path: '/tmp/roots', data: '+' }, { op: 'chmod', path: '/etc/hosts', mode: 0o777 },
      { op: 'chown', path: '/b/mine', uid: 0, gid: -1 }, { op: 'chown', path: '/b/mine', uid: -1, gid: 0 }, { op: 'rename', from: '/b/mine', to: '/tmp/mine' },
      { op: 'link', from: '/tmp/roots', to: '/tmp/l' }, { op: 'mkdir', path: '/b/d', mode: 0o700 }, { op: 'chmod', path: '/b/d', mode: 0o2755 },
    ] },
  },
  {
    name: '40 symlinks across mounts resolve, the 41st is ELOOP',
    case: { ...base, mounts: [{ type: 'tmpfs', target: '/c' }], ops: [
      { op: 'write', path: '/c/t', data: 't' },
      { op: 'symlink', target: '/c/t', path: '/tmp/l0' },
      // Link k lives in the image's /tmp when k is even, on the tmpfs when odd, and points at link k-1.
      ...Array.from({ length: 40 }, (_, i) => ({ op: 'symlink' as const, target: linkAt(i), path: linkAt(i + 1) })),
      { op: 'read', path: linkAt(39) }, { op: 'read', path: linkAt(40) }, { op: 'stat', path: linkAt(40) }, { op: 'read', path: '/tmp/../c/l1' },
    ] },
  },
  {
    name: 'a tmpfs of size=1k holds one page, then ENOSPC',
    case: { ...base, mounts: [{ type: 'tmpfs', target: '/c', size: 1024 }], ops: [
      { op: 'write', path: '/c/a', data: 'z'.repeat(5000) }, { op: 'write', path: '/c/b', data: 'x' }, { op: 'write', path: '/c/a', data: 'small' },
      { op: 'append', path: '/c/b', data: 'y'.repeat(4000) }, { op: 'append', path: '/c/b', data: 'y'.repeat(200) },
    ] },
  },
];
