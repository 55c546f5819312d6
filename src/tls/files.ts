/**
 * Writes a set of key and certificate files into a directory all or nothing: a failure part way
 * leaves the directory as it was (no half-written file, no half of a new set beside an old one).
 *
 * Each file is first written whole under a temporary name, with its final mode, and fsynced. Only then
 * are the final names made, in one quick pass:
 * - without `force`, by link(2), which fails with EEXIST rather than replace a file, so a set that
 *   appeared meanwhile is never clobbered, and the names already made are removed again on a failure;
 * - with `force`, by rename(2), which replaces each old file (or a symlink, never its target) at once.
 * A mode set by fchmod is exact, whatever the umask.
 */
import { randomBytes } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { BoxlabError } from '../errors.js';
import { fsyncPath } from '../util/fsx.js';
import type { TlsFile } from './docker.js';

export interface WriteOptions {
  /** Replace files of the same names; otherwise any of them existing refuses the whole write. */
  readonly force?: boolean;
}

/** The names among `names` that exist in `dir` (as anything: a file, a symlink, a directory). */
export async function existingNames(dir: string, names: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const name of names) {
    try {
      await fsp.lstat(path.join(dir, name));
      found.push(name);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' && (e as NodeJS.ErrnoException).code !== 'ENOTDIR') throw e;
    }
  }
  return found;
}

function alreadyExists(dir: string, names: readonly string[]): BoxlabError {
  return new BoxlabError('AlreadyExists', `${names.join(', ')} already exist in ${dir}`, { member: names[0] });
}

async function writeTemp(dir: string, f: TlsFile): Promise<string> {
  const tmp = path.join(dir, `.${f.name}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  // 0600 while it is written (a key is never readable by others, even for a moment); then its mode.
  const fh = await fsp.open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(f.pem);
    await fh.chmod(f.mode);
    await fh.sync();
  } catch (e) {
    await fh.close();
    await fsp.rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  return tmp;
}

const removeAll = (paths: readonly string[]) => Promise.all(paths.map((p) => fsp.rm(p, { force: true })));

/**
 * Write `files` into `dir` (made, 0700, if missing). Returns the paths written, in order. Throws
 * AlreadyExists (member: the first name found) when one of the names exists and `force` is not set.
 */
export async function writeTlsFiles(dir: string, files: readonly TlsFile[], opts: WriteOptions = {}): Promise<string[]> {
  // 0700 as ~/.docker is: the directory of a CA key is nobody else's business.
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  if (!opts.force) {
    const found = await existingNames(dir, files.map((f) => f.name));
    if (found.length) throw alreadyExists(dir, found);
  }
  const temps: string[] = [];
  try {
    for (const f of files) temps.push(await writeTemp(dir, f));
  } catch (e) {
    await removeAll(temps);
    throw e;
  }
  const finals = files.map((f) => path.join(dir, f.name));
  let made = 0;
  try {
    for (; made < finals.length; made++) {
      const [tmp, dest] = [temps[made] ?? '', finals[made] ?? ''];
      if (opts.force) await fsp.rename(tmp, dest);
      else await fsp.link(tmp, dest);
    }
  } catch (e) {
    // Without force the names made so far are ours alone: take them back, so nothing of the set stays.
    if (!opts.force) await removeAll(finals.slice(0, made));
    await removeAll(temps);
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw alreadyExists(dir, [files[made]?.name ?? '']);
    throw e;
  }
  if (!opts.force) await removeAll(temps);
  await fsyncPath(dir);
  return finals;
}
