/**
 * Watches a mount's upper layer: after each syscall that may change it, one record (journal.ts) of
 * what the upper now holds at the paths the call touched goes to `sink`, before the call returns.
 * With a sink that makes the record durable (the store's active snapshot appends and fdatasyncs), a
 * process killed at any moment leaves the upper as it was before or after each call.
 *
 * Which paths a call touches, in the upper's own (canonical) names, computed before the call since
 * a rename or an unlink takes a name away:
 *   - the target (its symlinks resolved as the call resolves them) and the directories above it,
 *     which copy-up may have made and whose mtime a create or a remove moves;
 *   - for rename, both names; for link, both names and the one inode they share.
 * A file's bytes are carried whole when the call made or copied up its upper inode, and otherwise
 * only the range it wrote (so that appending to a big log costs the bytes appended, not the file).
 */
import type { WriteOptions } from '../vfs/fs.js';
import type { DirInode } from '../vfs/inode.js';
import { RecordBuilder, upperAt } from './journal.js';
import type { OverlayMount } from './mount.js';

type Sink = (record: Buffer) => void;

interface Target {
  path: string;
  before: ReturnType<typeof upperAt>;
  size: number;
}

export function watchUpper(mount: OverlayMount, sink: Sink): () => void {
  const root: DirInode = mount.upper.root;
  const m = mount as unknown as Record<string, (...args: unknown[]) => unknown>;
  const originals = new Map<string, (...args: unknown[]) => unknown>();
  let depth = 0;

  const target = (path: string, follow: boolean): Target | null => {
    const p = mount.canonicalPath(path, follow);
    if (p === null) return null;
    const before = upperAt(root, p);
    return { path: p, before, size: before?.kind === 'file' ? before.size : 0 };
  };
  /** Whole bytes unless the call left the same upper inode it found. */
  const changed = (t: Target, rb: RecordBuilder, content: 'meta' | { off: number; len: number }) => {
    const now = upperAt(root, t.path);
    if (!t.before || now !== t.before) rb.state(t.path, { c: 'full' });
    else if (content === 'meta') rb.state(t.path, { c: 'meta' });
    else rb.state(t.path, { c: 'range', ...content });
  };

  /**
   * Wraps method `name`: `plan` runs before the call and returns what to record after it. A call
   * that throws is recorded too when it changed the upper first (a copy-up before a refusal).
   */
  const wrap = (name: string, plan: (...args: unknown[]) => ((rb: RecordBuilder) => void) | null) => {
    const orig = m[name]!;
    originals.set(name, orig);
    m[name] = function (this: unknown, ...args: unknown[]) {
      if (depth > 0) return orig.apply(mount, args);
      const record = plan(...args);
      depth++;
      try {
        return orig.apply(mount, args);
      } finally {
        depth--;
        if (record) {
          const rb = new RecordBuilder(root);
          record(rb);
          const bytes = rb.build();
          if (bytes.length > 6) sink(bytes); // "[]": nothing to say
        }
      }
    };
  };

  const meta = (follow: (...a: unknown[]) => boolean) => (...a: unknown[]) => {
    const t = target(a[0] as string, follow(...a));
    return t && ((rb: RecordBuilder) => changed(t, rb, 'meta'));
  };
  const create = (pathArg: number) => (...a: unknown[]) => {
    const t = target(a[pathArg] as string, false);
    return t && ((rb: RecordBuilder) => rb.state(t.path, { c: 'full' }));
  };

  wrap('writeFile', (path, data, opts) => {
    const o = (opts ?? {}) as WriteOptions;
    const t = target(path as string, !o.exclusive);
    const len = typeof data === 'string' ? Buffer.byteLength(data) : (data as Buffer).length;
    // O_TRUNC: the file is what was written, whole; O_APPEND: the bytes after the old end
    return t && ((rb) => (o.append ? changed(t, rb, { off: t.size, len }) : rb.state(t.path, { c: 'full' })));
  });
  wrap('write', (path, offset, data) => {
    const t = target(path as string, true);
    const len = typeof data === 'string' ? Buffer.byteLength(data) : (data as Buffer).length;
    return t && ((rb) => changed(t, rb, { off: offset as number, len }));
  });
  wrap('truncate', meta(() => true));
  wrap('chmod', meta(() => true));
  wrap('chown', meta((_p, _u, _g, opts) => (opts as { follow?: boolean } | undefined)?.follow ?? true));
  wrap('utimes', meta(() => true));
  wrap('setxattr', meta(() => true));
  wrap('removexattr', meta(() => true));
  wrap('mkdir', create(0));
  wrap('symlink', create(1));
  wrap('mknod', create(0));
  wrap('unlink', create(0));
  wrap('rmdir', create(0));
  wrap('link', (existing, made) => {
    const src = target(existing as string, false);
    const dst = target(made as string, false);
    if (!src || !dst) return null;
    return (rb) => {
      const copiedUp = upperAt(root, src.path) !== src.before;
      if (upperAt(root, dst.path) === dst.before) {
        if (copiedUp) rb.state(src.path, { c: 'full' }); // refused after a copy-up
        return;
      }
      if (!copiedUp) rb.parentsOf(src.path);
      else rb.state(src.path, { c: 'full' });
      rb.parentsOf(dst.path).act({ a: 'link', from: src.path, to: dst.path }).state(dst.path);
    };
  });
  wrap('rename', (from, to) => {
    const src = target(from as string, false);
    const dst = target(to as string, false);
    if (!src || !dst) return null;
    return (rb) => {
      const moved = upperAt(root, dst.path);
      if (!moved || moved === dst.before) {
        if (src.before !== upperAt(root, src.path)) rb.state(src.path, { c: 'full' }); // a copy-up before a refusal
        return;
      }
      rb.parentsOf(src.path).parentsOf(dst.path);
      if (src.before === moved) rb.act({ a: 'mv', from: src.path, to: dst.path }).state(dst.path);
      else rb.state(dst.path, { c: 'full' });
      rb.state(src.path);
    };
  });
  return () => {
    for (const [name, fn] of originals) m[name] = fn;
  };
}
