import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';

/** The name writeFileAtomic (util/fsx.ts) gives the temp file it renames over `dest`. */
const TORN_RE = /\.tmp-[0-9a-f]{12}$/;

/**
 * Removes the temp files of atomic writes whose process died between the write and the rename
 * (`images/<id>.json.tmp-…`, `repositories.json.tmp-…`, `records/<kind>/<id>.json.tmp-…`). The
 * rename never happened, so the state is the one before that write; the temp file is only litter,
 * but litter a kill -9 leaves behind each time it lands there, and that nothing else ever removes.
 * Only the directories written holding the store's lock are swept: the caller holds it, so no live
 * writer can own one of these files. (Active snapshots write their own checkpoints outside the
 * store's lock and clean up their own temp files: active.ts.)
 */
export async function removeTornWrites(root: string): Promise<void> {
  const dirs = [root, path.join(root, 'images')];
  // synchronous reads: this runs at every taking of the store's lock, on a few small directories,
  // and a thread-pool round trip per directory cost more than the read (a container create takes it)
  for (const kind of readdirQuiet(path.join(root, 'records'))) dirs.push(path.join(root, 'records', kind));
  for (const dir of dirs) {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue; // a record kind's entry that is not a directory, or gone
    }
    for (const n of names) if (TORN_RE.test(n)) await fsp.rm(path.join(dir, n), { force: true });
  }
}

function readdirQuiet(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
