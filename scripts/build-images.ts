/**
 * `npm run images`: rebuilds the bundled image archives in images/ from images/specs.ts. The output is
 * deterministic, so a rebuild of unchanged specs leaves the files byte for byte as they were.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundledArchives } from '../images/specs.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'images');

for (const a of bundledArchives) {
  const bytes = await a.build();
  const path = join(dir, a.file);
  const old = await readFile(path).catch(() => undefined);
  const same = old !== undefined && old.equals(bytes);
  if (!same) await writeFile(path, bytes);
  console.log(`${same ? 'unchanged' : 'wrote    '} images/${a.file}  ${(bytes.length / 1024).toFixed(1)} KiB  ${a.images.join(', ')}`);
}
