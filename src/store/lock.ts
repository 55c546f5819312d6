import * as fs from 'node:fs';
import { BoxlabError } from '../errors.js';

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * An exclusive lock between processes: a file created with O_EXCL holding the owner's pid. A lock
 * whose owner has died is taken over, so a crashed load never wedges the store.
 */
export async function acquireLock(file: string, timeoutMs = 30_000): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = fs.openSync(file, 'wx', 0o644);
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      return () => fs.rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let owner = NaN;
    try {
      owner = Number(fs.readFileSync(file, 'utf8'));
    } catch {
      continue; // released between our open and read
    }
    if (Number.isInteger(owner) && owner > 0 && !processAlive(owner)) {
      fs.rmSync(file, { force: true });
      continue;
    }
    if (Date.now() > deadline)
      throw new BoxlabError('Locked', `the store is locked by another boxlab process (pid ${owner}): ${file}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
