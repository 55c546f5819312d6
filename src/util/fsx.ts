import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';

/** fsync a file or directory by path (a directory must be synced for a rename in it to last). */
export async function fsyncPath(p: string): Promise<void> {
  const fh = await fsp.open(p, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Writes a new file and fsyncs it (no rename: for files inside a directory renamed later). */
export async function writeDurable(file: string, data: string | Uint8Array): Promise<void> {
  const fh = await fsp.open(file, 'w', 0o644);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Writes `data` to `dest` so that a reader sees the old content or the new, never a mix. */
export async function writeFileAtomic(dest: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${dest}.tmp-${randomBytes(6).toString('hex')}`;
  await writeDurable(tmp, data);
  await fsp.rename(tmp, dest);
  await fsyncPath(path.dirname(dest));
}

/**
 * writeFileAtomic done with synchronous calls: the same steps (temp file, fsync, rename, directory
 * fsync) and the same guarantee once it returns, without a round trip through libuv's thread pool
 * per step (6 of them). For small records written on a hot path (a container's config.v2.json at
 * create and at every state change): the event loop waits the few µs of each call instead of the
 * thread pool's hand-offs, which on a busy machine cost milliseconds.
 */
export function writeFileAtomicSync(dest: string, data: string | Uint8Array): void {
  const tmp = `${dest}.tmp-${randomBytes(6).toString('hex')}`;
  const fd = fs.openSync(tmp, 'w', 0o644);
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, dest);
  fsyncPathSync(path.dirname(dest));
}

/** fsyncPath, synchronously. */
export function fsyncPathSync(p: string): void {
  const fd = fs.openSync(p, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function existsSync(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

export async function readJson<T>(p: string): Promise<T> {
  return JSON.parse(await fsp.readFile(p, 'utf8')) as T;
}
