/**
 * Where the container service keeps its records: one directory per container under the store's
 * `containers/`, as Docker's `/var/lib/docker/containers/<id>/`: `config.v2.json` (the record, written
 * atomically: temp file, fsync, rename) and `<id>-json.log`. A directory without a readable record is
 * a create that did not finish; it is removed when the daemon starts.
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { writeFileAtomicSync } from '../../util/fsx.js';
import type { ContainerRecord } from './record.js';

export class ContainerDir {
  constructor(readonly root: string) {}

  dir(id: string): string {
    return path.join(this.root, id);
  }
  logPath(id: string): string {
    return path.join(this.root, id, `${id}-json.log`);
  }

  /**
   * Writes the record in synchronous calls (each step through the thread pool cost more than the
   * write itself). Durable when it returns (temp file, fsync, rename, directory fsync: fsx.ts
   * writeFileAtomicSync), except a --rm (AutoRemove) container's, written without fsync: a daemon
   * started after a crash removes such a container whatever its record says (restore.ts, as moby's
   * restore does), and a SIGKILLed daemon's writes are in the page cache all the same. Only a power
   * cut can lose it, and then the container is gone, as the restart would have made it.
   */
  async save(rec: ContainerRecord): Promise<void> {
    const dir = this.dir(rec.id);
    const file = path.join(dir, 'config.v2.json');
    fs.mkdirSync(dir, { recursive: true });
    if (!rec.hostConfig.AutoRemove) return writeFileAtomicSync(file, JSON.stringify(rec));
    const tmp = `${file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, JSON.stringify(rec));
    fs.renameSync(tmp, file);
  }

  async remove(id: string): Promise<void> {
    await fsp.rm(this.dir(id), { recursive: true, force: true });
  }

  /** Every record that was completely written; half-made directories are removed. */
  async loadAll(): Promise<ContainerRecord[]> {
    fs.mkdirSync(this.root, { recursive: true });
    const out: ContainerRecord[] = [];
    for (const id of await fsp.readdir(this.root)) {
      try {
        out.push(JSON.parse(await fsp.readFile(path.join(this.root, id, 'config.v2.json'), 'utf8')) as ContainerRecord);
      } catch {
        await fsp.rm(path.join(this.root, id), { recursive: true, force: true });
      }
    }
    return out;
  }
}
