import * as fs from 'node:fs';

/**
 * Small metadata files read on every container create (repositories.json, images/<id>.json) kept
 * parsed in memory, each checked against the file's identity (inode, size, mtime in ns) on every
 * read: a write by this process or another one (the CLI's image verbs share the store) always
 * renames a new inode into place (writeFileAtomic), so a changed file is never mistaken for the
 * cached one. One stat (synchronous: a few µs, and no round trip through libuv's thread pool)
 * replaces an open, a read, a close and a JSON.parse. Values are frozen: callers share them.
 */
export class FileMemo<T> {
  private readonly cache = new Map<string, { key: string; value: T }>();

  /** The parsed file, or undefined when it does not exist. */
  read(file: string, parse: (text: string) => T): T | undefined {
    let st: fs.BigIntStats;
    try {
      st = fs.statSync(file, { bigint: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        this.cache.delete(file);
        return undefined;
      }
      throw err;
    }
    const key = `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
    const hit = this.cache.get(file);
    if (hit?.key === key) return hit.value;
    const value = deepFreeze(parse(fs.readFileSync(file, 'utf8')));
    this.cache.set(file, { key, value });
    return value;
  }
}

/** Freezes a parsed JSON value throughout, so that a caller that would change a shared value fails loudly. */
export function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}
