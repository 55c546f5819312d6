/**
 * The guided tour (`npm start`): runs every lab in order over the bundled images in images/, in a
 * temporary store. Each lab is also a script of its own: `npx tsx labs/NN-topic.ts`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pc from 'picocolors';
import { stdout } from './lib.js';

const dir = path.dirname(fileURLToPath(import.meta.url));
const labs = fs.readdirSync(dir).filter((f) => /^\d\d-.+\.ts$/.test(f)).sort();

stdout.write(pc.bold('boxlab: a guided tour of a container engine\'s internals\n'));
stdout.write(`${labs.length} steps, each a lab you can run alone with npx tsx labs/<file>\n`);
for (const [i, file] of labs.entries()) {
  stdout.write(`\n${pc.bold(pc.magenta(`### Step ${i + 1}/${labs.length}: ${file}`))}\n`);
  const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as { run?: (out?: typeof stdout) => Promise<void>; tourStep?: (out?: typeof stdout) => Promise<void> };
  const step = mod.run ?? mod.tourStep;
  if (!step) throw new Error(`labs/${file} exports no run()`);
  await step(stdout);
}
stdout.write(`\n${pc.bold('End of the tour.')} The store commands work on your own archives too: npx boxlab load -i IMAGE.tar\n`);
