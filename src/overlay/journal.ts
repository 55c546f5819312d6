/**
 * The upper layer's changes as records, so that an upper can be persisted as a journal (the store's
 * active snapshot appends them) and rebuilt by replaying them over its last checkpoint. A record
 * says what the upper directory holds at the paths a syscall touched AFTER it ran (a state, not the
 * call), so replaying it is idempotent and needs none of the overlay's rules (copy-up, whiteouts,
 * opaque directories, permissions): those already decided what the upper became.
 *
 * One syscall is one record: a crash leaves the upper before or after each call, as a kernel's
 * upperdir on a journaling filesystem is after a power cut between two writes (never half a rename).
 *
 * A record is: u32 BE length of a JSON header, the header, then the data its entries point into.
 */
import { fileData, linkInto, newDevice, newDir, newFifo, newFile, newSymlink, unlinkFrom, type DirInode, type FileInode, type Inode } from '../vfs/inode.js';
import { splitPath } from '../vfs/resolve.js';

/** What the upper holds at one path after the call. */
export interface PathState {
  p: string;
  /** 'absent': the upper has nothing there (a whiteout is a 'char' 0/0 entry). */
  k: Inode['kind'] | 'absent';
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  /** Every xattr (trusted.overlay.opaque included): replaces the entry's set. */
  x?: [string, string][];
  target?: string;
  major?: number;
  minor?: number;
  /** For a file: 'full' (all bytes follow), 'range' (bytes at `off` follow), 'meta' (bytes unchanged; `size` may cut or extend). */
  c?: 'full' | 'range' | 'meta';
  off?: number;
  /** Bytes of data this entry takes from the record's data section. */
  len?: number;
  size?: number;
}

/** A step that is not a state: a name moved (rename of an upper entry) or linked (a new hardlink). */
export interface PathAction {
  a: 'mv' | 'link';
  from: string;
  to: string;
}

type Step = PathState | PathAction;
type Content = { c: 'full' | 'meta' } | { c: 'range'; off: number; len: number };

/** The upper's entry at canonical path `p` ('' is the root), or undefined. */
export function upperAt(root: DirInode, p: string): Inode | undefined {
  let cur: Inode = root;
  for (const name of splitPath(p)) {
    if (cur.kind !== 'dir') return undefined;
    const next: Inode | undefined = cur.entries.get(name);
    if (!next) return undefined;
    cur = next;
  }
  return cur;
}

/** The directories above `p`, root first ('' for the root). */
export function ancestors(p: string): string[] {
  const parts = splitPath(p);
  const out = [''];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join('/'));
  return out;
}

/** Builds one record: steps replayed in order. */
export class RecordBuilder {
  private readonly steps: Step[] = [];
  private readonly parents = new Set<string>();
  private readonly data: Buffer[] = [];

  constructor(private readonly root: DirInode) {}

  /** The directories above `p` as the upper holds them now (their metadata), once per record. */
  parentsOf(p: string): this {
    for (const a of ancestors(p)) {
      if (this.parents.has(a) || !upperAt(this.root, a)) continue;
      this.parents.add(a);
      this.put(a, { c: 'meta' });
    }
    return this;
  }

  act(a: PathAction): this {
    this.steps.push(a);
    return this;
  }

  /** The state of `p` as the upper holds it now (after its parents'). */
  state(p: string, content: Content = { c: 'meta' }): this {
    this.parentsOf(p);
    this.put(p, content);
    return this;
  }

  private put(p: string, content: Content): void {
    const i = upperAt(this.root, p);
    if (!i) {
      this.steps.push({ p, k: 'absent' });
      return;
    }
    const s: PathState = { p, k: i.kind, mode: i.mode, uid: i.uid, gid: i.gid, mtime: i.mtime };
    if (i.xattrs?.size) s.x = [...i.xattrs];
    if (i.kind === 'symlink') s.target = i.target;
    if (i.kind === 'char' || i.kind === 'block') [s.major, s.minor] = [i.major, i.minor];
    if (i.kind === 'file') {
      s.size = i.size;
      s.c = content.c;
      if (content.c === 'full') this.take(s, fileData(i));
      else if (content.c === 'range') {
        s.off = content.off;
        this.take(s, fileData(i).subarray(content.off, content.off + content.len));
      }
    }
    this.steps.push(s);
  }

  private take(s: PathState, bytes: Buffer): void {
    s.len = bytes.length;
    this.data.push(Buffer.from(bytes));
  }

  build(): Buffer {
    const json = Buffer.from(JSON.stringify(this.steps));
    const len = Buffer.alloc(4);
    len.writeUInt32BE(json.length);
    return Buffer.concat([len, json, ...this.data]);
  }
}

function parentOf(root: DirInode, p: string): { dir: DirInode; name: string } {
  const parts = splitPath(p);
  const name = parts.pop();
  const dir = upperAt(root, parts.join('/'));
  if (name === undefined || !dir || dir.kind !== 'dir') throw new Error(`upper journal: no directory above ${JSON.stringify(p)}`);
  return { dir, name };
}

function applyMeta(i: Inode, s: PathState): void {
  i.mode = s.mode ?? i.mode;
  i.uid = s.uid ?? i.uid;
  i.gid = s.gid ?? i.gid;
  i.mtime = s.mtime ?? i.mtime;
  if (s.x?.length) i.xattrs = new Map(s.x);
  else delete i.xattrs;
}

function freshInode(s: PathState): Inode {
  const meta = { mode: s.mode ?? 0, uid: s.uid, gid: s.gid, mtime: s.mtime };
  switch (s.k) {
    case 'dir':
      return newDir(meta);
    case 'file':
      return newFile(meta);
    case 'symlink':
      return newSymlink(s.target ?? '', meta);
    case 'char':
    case 'block':
      return newDevice(s.k, s.major ?? 0, s.minor ?? 0, meta);
    case 'fifo':
      return newFifo(meta);
    default:
      throw new Error(`upper journal: cannot make a ${s.k}`);
  }
}

function applyFile(f: FileInode, s: PathState, bytes: Buffer): void {
  let data = fileData(f);
  if (s.c === 'full') data = Buffer.from(bytes);
  else if (s.c === 'range') {
    const next = Buffer.alloc(Math.max(data.length, (s.off ?? 0) + bytes.length));
    data.copy(next);
    bytes.copy(next, s.off ?? 0);
    data = next;
  }
  const size = s.size ?? data.length;
  if (data.length !== size) {
    const cut = Buffer.alloc(size);
    data.copy(cut, 0, 0, Math.min(size, data.length));
    data = cut;
  }
  f.data = data;
  f.load = undefined;
  f.size = size;
}

function applyState(root: DirInode, s: PathState, bytes: Buffer): void {
  if (s.p === '') {
    applyMeta(root, s);
    return;
  }
  if (s.k === 'absent') {
    const parent = upperAt(root, ancestors(s.p).at(-1)!);
    const name = splitPath(s.p).at(-1)!;
    if (parent?.kind === 'dir' && parent.entries.has(name)) unlinkFrom(parent, name);
    return;
  }
  const { dir, name } = parentOf(root, s.p);
  const cur = dir.entries.get(name);
  // the same kind is changed in place, so that every hardlink of a file sees the change
  let i = cur;
  const otherDevice = cur && (cur.kind === 'char' || cur.kind === 'block') && (cur.major !== s.major || cur.minor !== s.minor);
  if (!i || i.kind !== s.k || otherDevice || (i.kind === 'symlink' && i.target !== s.target)) {
    if (cur) unlinkFrom(dir, name);
    i = freshInode(s);
    linkInto(dir, name, i);
  }
  applyMeta(i, s);
  if (i.kind === 'file') applyFile(i, s, bytes);
}

/** Replays one record onto the upper directory tree. Throws on a record that does not fit it. */
export function applyRecord(root: DirInode, record: Buffer): void {
  const hlen = record.readUInt32BE(0);
  const steps = JSON.parse(record.subarray(4, 4 + hlen).toString('utf8')) as Step[];
  let at = 4 + hlen;
  for (const step of steps) {
    if ('a' in step) {
      applyAction(root, step);
      continue;
    }
    const bytes = record.subarray(at, at + (step.len ?? 0));
    at += step.len ?? 0;
    applyState(root, step, bytes);
  }
}

function applyAction(root: DirInode, a: PathAction): void {
  const src = parentOf(root, a.from);
  const node = src.dir.entries.get(src.name);
  if (!node) throw new Error(`upper journal: nothing at ${JSON.stringify(a.from)} to ${a.a === 'mv' ? 'move' : 'link'}`);
  const dst = parentOf(root, a.to);
  if (a.a === 'mv') unlinkFrom(src.dir, src.name);
  if (dst.dir.entries.has(dst.name)) unlinkFrom(dst.dir, dst.name);
  linkInto(dst.dir, dst.name, node);
}
