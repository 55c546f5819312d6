/**
 * Cases where boxlab and the kernel once disagreed, kept as regression tests (each was a fast-check
 * counterexample; the comment says what the kernel does).
 */
import type { Case } from './case.js';

export const SEEDS: { name: string; case: Case }[] = [
  {
    name: 'link() onto an existing name fails with EEXIST even when the source is a directory',
    case: { layers: [[{ path: 'a', type: 'file', content: 'h' }, { path: 'c', type: 'dir' }, { path: 'c/a', type: 'dir', mode: 0o755 }]], ops: [{ op: 'link', from: 'c/a', to: 'a' }] },
  },
  {
    name: 'a whiteout in a one-layer directory is listed by readdir but not found by lookup',
    case: { layers: [[{ path: 'a', type: 'file', content: '', mode: 0o644 }, { path: 'b', type: 'dir' }, { path: 'b/c', type: 'whiteout' }]], ops: [{ op: 'truncate', path: 'a', len: 0 }] },
  },
  {
    name: 'mkdir ignores setgid in its mode',
    case: {
      layers: [[{ path: 'a', type: 'whiteout' }, { path: 'c', type: 'dir' }, { path: 'c/c', type: 'whiteout' }], [{ path: 'a', type: 'file', content: '', mode: 0o644 }]],
      ops: [{ op: 'rmdir', path: 'c/a' }, { op: 'mkdir', path: 'c/a', mode: 0o2775 }, { op: 'truncate', path: 'a', len: 0 }],
    },
  },
  {
    name: 'rename looks up both parents before the source name (ENOTDIR beats ENOENT)',
    case: {
      layers: [[{ path: 'c', type: 'dir' }, { path: 'c/b', type: 'dir', mode: 0o755 }]],
      ops: [{ op: 'append', path: 'a', data: 'new' }, { op: 'rename', from: 'c/a', to: 'a/a' }, { op: 'append', path: 'a/a', data: 'new' }],
    },
  },
  {
    name: 'mv keeps copying after an entry fails, sets the directory mode, and keeps the source',
    case: {
      layers: [[{ path: 'a', type: 'dir' }, { path: 'a/b', type: 'whiteout' }, { path: 'b', type: 'dir' }, { path: 'b/b', type: 'whiteout' }], [{ path: 'c', type: 'dir' }, { path: 'c/c', type: 'file', content: '', mode: 0o644 }]],
      ops: [{ op: 'mv', from: 'a', to: 'b' }, { op: 'append', path: 'a', data: 'new' }],
    },
  },
  {
    name: 'a pure-upper directory renamed into a merge directory becomes opaque',
    case: {
      layers: [[{ path: 'a', type: 'dir' }, { path: 'a/a', type: 'file', content: 'x' }]],
      ops: [{ op: 'mkdir', path: 'b', mode: 0o755 }, { op: 'rename', from: 'b', to: 'a/b' }, { op: 'mkdir', path: 'c', mode: 0o755 }, { op: 'rename', from: 'c', to: 'b' }],
    },
  },
  {
    name: 'mv onto the same file fails, as coreutils 9 says "are the same file"',
    case: {
      layers: [[{ path: 'b', type: 'dir' }, { path: 'b/b', type: 'symlink', target: 'a' }]],
      ops: [{ op: 'rename', from: 'a', to: 'b/a' }, { op: 'append', path: 'b/a', data: 'new' }, { op: 'mv', from: 'b/a', to: 'b/a' }],
    },
  },
  {
    name: 'mv of a directory onto itself through a symlink fails as the same file',
    case: {
      layers: [[{ path: 'c', type: 'symlink', target: 'a' }], [{ path: 'a', type: 'dir' }, { path: 'a/a', type: 'dir', mode: 0o755 }, { path: 'b', type: 'dir' }, { path: 'b/a', type: 'whiteout' }]],
      ops: [{ op: 'mv', from: 'c/a', to: 'a' }, { op: 'truncate', path: 'a', len: 0 }],
    },
  },
  {
    name: 'mv falls back entry by entry: files are renamed (copied up) into the new directory',
    case: {
      layers: [[{ path: 'a', type: 'dir', mode: 0o755 }, { path: 'b', type: 'dir' }, { path: 'b/a', type: 'file', content: '', mode: 0o644 }, { path: 'b/c', type: 'whiteout' }], [{ path: 'c', type: 'dir' }, { path: 'c/a', type: 'whiteout' }]],
      ops: [{ op: 'mv', from: 'b', to: 'a' }],
    },
  },
  {
    name: 'mv keeps the setgid bit a new directory inherits',
    case: {
      layers: [[{ path: 'a', type: 'file', content: '', mode: 0o644 }, { path: 'c', type: 'dir' }, { path: 'c/a', type: 'dir', mode: 0o2775 }], [{ path: 'b', type: 'dir' }, { path: 'b/b', type: 'whiteout' }]],
      ops: [{ op: 'mv', from: 'b', to: 'c/a' }, { op: 'chmod', path: 'a', mode: 0o644 }],
    },
  },
  {
    name: 'mv sets a sticky directory mode exactly, dropping an inherited setgid bit',
    case: {
      layers: [[{ path: 'a', type: 'dir', mode: 0o1777 }], [{ path: 'c', type: 'dir', mode: 0o2775 }]],
      ops: [{ op: 'mv', from: 'a', to: 'c/a' }, { op: 'rename', from: 'a', to: 'a' }],
    },
  },
  {
    name: 'mv onto an existing empty directory replaces it (the new one is opaque)',
    case: {
      layers: [[{ path: 'a', type: 'dir' }, { path: 'a/b', type: 'dir', mode: 0o755 }, { path: 'b', type: 'dir' }, { path: 'b/b', type: 'symlink', target: 'a' }]],
      ops: [{ op: 'mv', from: 'b', to: 'a' }, { op: 'chown', path: 'a', uid: 0, gid: 0 }],
    },
  },
  {
    name: 'the whiteout a rename leaves in a setgid directory takes its group',
    case: {
      layers: [
        [{ path: 'a', type: 'file', content: '', mode: 0o644 }, { path: 'c', type: 'dir' }, { path: 'c/c', type: 'file', content: '', mode: 0o644 }],
        [{ path: 'b', type: 'dir' }, { path: 'b/a', type: 'symlink', target: 'a' }],
        [{ path: 'a', type: 'dir', mode: 0o755 }, { path: 'c', type: 'dir', mode: 0o2775, gid: 1000 }],
      ],
      ops: [{ op: 'rename', from: 'c/c', to: 'b/b' }, { op: 'append', path: 'b/b', data: 'new' }, { op: 'symlink', target: 'a', path: 'a' }],
    },
  },
  {
    name: 'mv to a new name after EXDEV copies entries (and keeps the source when one fails)',
    case: {
      layers: [[{ path: 'b', type: 'dir' }, { path: 'b/a', type: 'whiteout' }, { path: 'b/c', type: 'file', content: '', mode: 0o644 }]],
      ops: [{ op: 'mv', from: 'b', to: 'a' }, { op: 'mkdir', path: 'a', mode: 0o755 }],
    },
  },
  {
    name: 'mv of a symlink onto the file it points at fails as the same file',
    case: {
      layers: [
        [{ path: 'a', type: 'file', content: '', mode: 0o644 }, { path: 'c', type: 'dir' }, { path: 'c/a', type: 'file', content: '', mode: 0o644 }],
        [{ path: 'a', type: 'file', content: '', mode: 0o644 }, { path: 'c', type: 'dir' }, { path: 'c/b', type: 'symlink', target: 'a' }],
      ],
      ops: [{ op: 'mv', from: 'c/b', to: 'c/a' }],
    },
  },
  {
    name: 'mv copying a tree keeps extended attributes',
    case: {
      layers: [
        [{ path: 'a', type: 'symlink', target: 'a' }, { path: 'b', type: 'dir' }, { path: 'b/c', type: 'dir' }, { path: 'b/c/a', type: 'dir', mode: 0o755 }],
        [{ path: 'c', type: 'dir' }, { path: 'c/b', type: 'file', content: 'h' }, { path: 'a', type: 'dir' }, { path: 'a/a', type: 'dir' }, { path: 'a/a/a', type: 'file', content: '', mode: 0o644, xattrs: { 'user.origin': 'lower a/a/a' } }],
      ],
      ops: [{ op: 'mv', from: 'a', to: 'b/a' }],
    },
  },
  {
    name: 'mv into a directory keeps the extended attributes of the directories it makes again',
    case: {
      layers: [
        [{ path: 'a', type: 'symlink', target: 'a' }, { path: 'b', type: 'dir' }, { path: 'b/b', type: 'dir', mode: 0o755 }],
        [{ path: 'a', type: 'file', content: '', mode: 0o644 }, { path: 'c', type: 'dir' }, { path: 'c/a', type: 'whiteout' }],
      ],
      ops: [{ op: 'setxattr', path: 'b/b', name: 'user.origin', value: 'x' }, { op: 'mkdir', path: 'c/b', mode: 0o755 }, { op: 'mv', from: 'b', to: 'c/b' }],
    },
  },
];
