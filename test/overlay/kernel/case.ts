/**
 * A differential case: lower layers (bottom first) and an operation sequence, with a fast-check
 * generator, plus the normalisation both sides' snapshots go through before they are compared.
 */
import fc from 'fast-check';
import type { MemoryEntry } from '../../../src/overlay/index.js';

export type Op =
  | { op: 'write'; path: string; data: string; mode?: number }
  | { op: 'append'; path: string; data: string }
  | { op: 'truncate'; path: string; len: number }
  | { op: 'chmod'; path: string; mode: number }
  | { op: 'chown'; path: string; uid: number; gid: number }
  | { op: 'symlink'; target: string; path: string }
  | { op: 'link'; from: string; to: string }
  | { op: 'rename'; from: string; to: string }
  | { op: 'mv'; from: string; to: string }
  | { op: 'unlink'; path: string }
  | { op: 'rmdir'; path: string }
  | { op: 'mkdir'; path: string; mode?: number }
  | { op: 'setxattr'; path: string; name: string; value: string };

export interface Case {
  layers: MemoryEntry[][];
  ops: Op[];
}

export interface SnapEntry {
  path: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size?: number;
  sha?: string;
  target?: string;
  opaque?: boolean;
  /** user.* extended attributes (the trusted.overlay.* ones are the kernel's bookkeeping). */
  xattrs?: Record<string, string>;
  ino?: string;
  /** Filled by normalise: the first path of this entry's hardlink group, when it has one. */
  linkGroup?: string;
}

const NAMES = ['a', 'b', 'c'];
// Two levels of every name, and a few three deep, so copy-up has to bring up a chain of parents.
const PATHS = [...NAMES, ...NAMES.flatMap((p) => NAMES.map((n) => `${p}/${n}`)), 'a/a/a', 'a/a/b', 'b/c/a'];
const path = fc.constantFrom(...PATHS);
const content = fc.constantFrom('', 'x', 'hello', 'lower data\n', 'y'.repeat(300));
const fileMode = fc.constantFrom(0o644, 0o755, 0o600, 0o4755, 0o2755);
const dirMode = fc.constantFrom(0o755, 0o700, 0o2775, 0o1777);
const owner = fc.constantFrom(0, 1000);
/**
 * boxlab confines resolution to the root (`..` at the root stays there, like RESOLVE_IN_ROOT, and
 * absolute targets start at the root); the kernel-side process is not chrooted, so such a symlink
 * could leave the mount there. Targets are therefore relative and never climb: a symlink may be
 * renamed to the top directory, where a `..` would be evaluated at the root. (Confinement itself is
 * tested in test/vfs.)
 */
const linkTarget = fc.constantFrom('a', 'b', 'c/a', 'a/b', 'zz', '.');

type Slot =
  | { kind: 'file'; content: string; mode: number; uid: number; xattr: boolean }
  | { kind: 'dir'; mode: number; gid: number; opaque: boolean }
  | { kind: 'symlink'; target: string }
  | { kind: 'hardlink' }
  | { kind: 'whiteout' };

const slot: fc.Arbitrary<Slot> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('file' as const), content, mode: fileMode, uid: owner, xattr: fc.boolean() }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('dir' as const), mode: dirMode, gid: owner, opaque: fc.boolean() }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('symlink' as const), target: linkTarget }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'hardlink' as const }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'whiteout' as const }), weight: 2 },
);

/** One layer: at most one entry per path, parents listed before children as a real tar has them. */
function toLayer(slots: [string, Slot][]): MemoryEntry[] {
  const byPath = new Map(slots);
  const out: MemoryEntry[] = [];
  const files: string[] = [];
  for (const p of PATHS) {
    const s = byPath.get(p);
    if (!s) continue;
    const parts = p.split('/');
    const ancestors = parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
    if (ancestors.some((a) => byPath.has(a) && byPath.get(a)!.kind !== 'dir')) continue;
    for (const a of ancestors) {
      if (byPath.has(a)) continue;
      byPath.set(a, { kind: 'dir', mode: 0o755, gid: 0, opaque: false });
      out.push({ path: a, type: 'dir' });
    }
    switch (s.kind) {
      case 'file':
        out.push({ path: p, type: 'file', content: s.content, mode: s.mode, uid: s.uid, ...(s.xattr ? { xattrs: { 'user.origin': `lower ${p}` } } : {}) });
        files.push(p);
        break;
      case 'dir':
        out.push({ path: p, type: 'dir', mode: s.mode, gid: s.gid });
        if (s.opaque) out.push({ path: p, type: 'opaque' });
        break;
      case 'symlink':
        out.push({ path: p, type: 'symlink', target: s.target });
        break;
      case 'hardlink':
        if (files.length > 0) out.push({ path: p, type: 'hardlink', target: files[files.length - 1]! });
        else out.push({ path: p, type: 'file', content: 'h' });
        break;
      case 'whiteout':
        out.push({ path: p, type: 'whiteout' });
        break;
    }
  }
  return out;
}

const layer = fc.array(fc.tuple(path, slot), { minLength: 1, maxLength: 8 }).map(toLayer);

const data = fc.constantFrom('new', 'appended\n', 'z'.repeat(50));
const op: fc.Arbitrary<Op[]> = fc.oneof(
  fc.record({ op: fc.constant('write' as const), path, data, mode: fileMode }).map((o) => [o]),
  fc.record({ op: fc.constant('append' as const), path, data }).map((o) => [o]),
  fc.record({ op: fc.constant('truncate' as const), path, len: fc.constantFrom(0, 3, 400) }).map((o) => [o]),
  fc.record({ op: fc.constant('chmod' as const), path, mode: fc.oneof(fileMode, dirMode) }).map((o) => [o]),
  fc.record({ op: fc.constant('chown' as const), path, uid: owner, gid: owner }).map((o) => [o]),
  fc.record({ op: fc.constant('symlink' as const), target: linkTarget, path }).map((o) => [o]),
  fc.record({ op: fc.constant('link' as const), from: path, to: path }).map((o) => [o]),
  fc.record({ op: fc.constant('rename' as const), from: path, to: path }).map((o) => [o]),
  // A write after a rename: the renamed (copied-up) file is written under its new name.
  fc.record({ from: path, to: path, data }).map(({ from, to, data }) => [
    { op: 'rename' as const, from, to },
    { op: 'append' as const, path: to, data },
  ]),
  fc.record({ op: fc.constant('mv' as const), from: path, to: path }).map((o) => [o]),
  fc.record({ op: fc.constant('unlink' as const), path }).map((o) => [o]),
  fc.record({ op: fc.constant('rmdir' as const), path }).map((o) => [o]),
  fc.record({ op: fc.constant('mkdir' as const), path, mode: dirMode }).map((o) => [o]),
  fc.record({ op: fc.constant('setxattr' as const), path, name: fc.constantFrom('user.origin', 'user.tag'), value: fc.constantFrom('x', 'set in container') }).map((o) => [o]),
  // rmdir then mkdir of the same name: the new directory must hide the old one's lower contents.
  fc.record({ path, mode: dirMode }).map(({ path, mode }) => [
    { op: 'rmdir' as const, path },
    { op: 'mkdir' as const, path, mode },
  ]),
);

export const caseArb: fc.Arbitrary<Case> = fc.record({
  layers: fc.array(layer, { minLength: 1, maxLength: 3 }),
  ops: fc.array(op, { minLength: 1, maxLength: 10 }).map((xs) => xs.flat()),
});

/**
 * Hardlink groups instead of inode numbers (the two sides number inodes differently), sorted by path.
 * A directory's size and every time are left out: they are the backing filesystem's, not overlay's.
 */
export function normalise(snap: SnapEntry[]): SnapEntry[] {
  const groups = new Map<string, string[]>();
  for (const e of snap) if (e.ino) groups.set(e.ino, [...(groups.get(e.ino) ?? []), e.path]);
  return snap
    .map((e) => {
      const { ino, ...rest } = e;
      const g = ino ? groups.get(ino)! : [];
      return g.length > 1 ? { ...rest, linkGroup: [...g].sort()[0] } : rest;
    })
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
