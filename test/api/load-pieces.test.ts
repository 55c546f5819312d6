/**
 * A load through the API arrives in the pieces the client sends (the docker CLI: 32 KiB chunks).
 * An archive that boxlab saved, cut so, once stalled the reader for good: a write waited for
 * tar-stream to drain while the reader waited for the next bytes to decide where the tar ends.
 */
import { Readable, Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { freshEngine, CORPUS } from '../helpers/archive.js';
import { join } from 'node:path';

it('loads a saved archive sent in 32 KiB pieces, as the docker CLI sends it', async () => {
  const { engine } = await freshEngine();
  await engine.images.load(join(CORPUS, 'dk-build.dsave.tar'));
  const parts: Buffer[] = [];
  const sink = new Writable({ write: (c: Buffer, _e, cb) => (parts.push(c), cb()) });
  await engine.images.save(['dk-build:latest'], 'docker', sink);
  const saved = Buffer.concat(parts);
  const pieces: Buffer[] = [];
  for (let i = 0; i < saved.length; i += 0x8000) pieces.push(saved.subarray(i, i + 0x8000));
  const { engine: other } = await freshEngine();
  const res = await Promise.race([
    other.images.load(Readable.from(pieces)),
    new Promise((_, reject) => setTimeout(() => reject(new Error('the load stalled')), 20_000)),
  ]);
  expect(res).toMatchObject({ tagChanges: [{ tag: 'dk-build:latest' }] });
  // and again into a store that has every blob already (where it stalled first)
  await expect(other.images.load(Readable.from(pieces))).resolves.toMatchObject({ tagChanges: [{ tag: 'dk-build:latest' }] });
});
