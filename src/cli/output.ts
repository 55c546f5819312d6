import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import type { Writable } from 'node:stream';

/** Writes to `file` through a temp name renamed at the end (no half-written file), or to stdout. */
export async function atomicOutput(file: string | undefined, stdout: Writable, write: (out: Writable) => Promise<void>): Promise<void> {
  if (!file) return write(stdout);
  const tmp = `${file}.tmp-${process.pid}`;
  const out = fs.createWriteStream(tmp);
  try {
    await write(out);
    await fsp.rename(tmp, file);
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
}
