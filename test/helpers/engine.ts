/**
 * An engine on a fresh root for a test, with the dk-build image loaded: `engineFixture(prefix)`,
 * called at a test file's top level, returns `setup()` and removes after each test the containers
 * its engines made and the roots they used.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach } from 'vitest';
import { Engine } from '../../src/engine/engine.js';

export const DK_BUILD_TAR = path.join(import.meta.dirname, '..', 'fixtures', 'corpus', 'dk-build.dsave.tar');

export function engineFixture(prefix: string): () => Promise<Engine> {
  const dirs: string[] = [];
  const engines: Engine[] = [];
  afterEach(async () => {
    for (const e of engines.splice(0)) for (const c of e.containers.all()) await e.containers.remove(c.id, { force: true });
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  return async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    dirs.push(root);
    const engine = await Engine.open({ root });
    await engine.images.load(DK_BUILD_TAR);
    await engine.init();
    engines.push(engine);
    return engine;
  };
}
