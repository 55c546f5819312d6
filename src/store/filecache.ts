/**
 * Small store files read again and again (the tags, image records, image configs: every `docker run`
 * and every inspect reads them) kept in memory and served while the file on disk is the same one:
 * same inode, size, mtime and ctime (nanoseconds). The store replaces a file by writing a temp file
 * and renaming it over (a new inode), and a blob never changes, so a changed key means new content;
 * another process writing the store is seen at its next stat. One stat(2) on the event loop replaces
 * an open, a read and a close through libuv's thread pool (each a wake-up of another thread: what a
 * busy machine makes slow). The caller gets the bytes and parses them itself, so nothing cached is
 * ever shared mutably.
 */
import * as fs from 'node:fs';

/** Files above this are read each time (an image config is a few KB; the tags grow with the images). */
const MAX_FILE = 1 << 20;
const MAX_ENTRIES = 512;

const cache = new Map<string, { key: string; bytes: Buffer }>();

/** The file's bytes (ENOENT and other errors as readFile throws them). */
export function readCached(file: string): Buffer {
  const st = fs.statSync(file, { bigint: true });
  const key = `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  const hit = cache.get(file);
  if (hit?.key === key) return hit.bytes;
  const bytes = fs.readFileSync(file);
  if (bytes.length <= MAX_FILE) {
    if (cache.size >= MAX_ENTRIES && !hit) cache.delete(cache.keys().next().value!);
    cache.set(file, { key, bytes });
  }
  return bytes;
}

export function readJsonCached<T>(file: string): T {
  return JSON.parse(readCached(file).toString('utf8')) as T;
}
