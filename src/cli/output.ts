import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { Writable } from 'node:stream';
import { errnoText, errorMessage, isBrokenPipe, type SysError } from './errors.js';

/**
 * The docker CLI's check of `-o PATH` before it asks for anything (docker/cli
 * cli/command/utils.go ValidateOutputPath, 28.x wording): the directory must exist, and PATH must
 * not be a directory.
 */
export async function validateOutputPath(file: string): Promise<void> {
  const dir = path.dirname(path.normalize(file));
  try {
    await fsp.stat(dir);
  } catch (err) {
    throw new Error(`invalid output path: stat ${dir}: ${errnoText(err)}`);
  }
  const st = await fsp.stat(file).catch(() => undefined);
  if (st?.isDirectory()) throw new Error('cannot write to a directory');
}

/**
 * Writes to `file` through a temp name renamed at the end (no half-written file), or to stdout.
 * `what` names the verb in Docker's "failed to save image: ..." wording. A reader that closes the
 * pipe early (`| head -c100`) ends the write quietly, as docker's does.
 */
export async function atomicOutput(file: string | undefined, stdout: Writable, what: string, write: (out: Writable) => Promise<void>): Promise<void> {
  if (!file) {
    try {
      return await write(stdout);
    } catch (err) {
      if (isBrokenPipe(err)) return;
      throw err;
    }
  }
  try {
    await validateOutputPath(file);
  } catch (err) {
    throw new Error(`failed to ${what}: ${(err as Error).message}`);
  }
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}`);
  const out = fs.createWriteStream(tmp);
  try {
    // an open failure (EACCES, a read-only directory) is an 'error' event: wait for it here
    await new Promise<void>((resolve, reject) => out.once('open', () => resolve()).once('error', reject));
    await write(out);
    await fsp.rename(tmp, file);
  } catch (err) {
    out.destroy();
    await fsp.rm(tmp, { force: true });
    const e = err as SysError;
    if (e.path === tmp) throw new Error(`failed to ${what}: ${errorMessage({ ...e, path: file })}`);
    throw err;
  }
}
