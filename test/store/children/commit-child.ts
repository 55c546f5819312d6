/**
 * A process of the commit crash test (test/store/commit.test.ts): prints `committing`, commits
 * the seeded layer and image (commit-model.ts), prints `committed ID`; killed somewhere in between.
 *   commit-child.ts ROOT PARENT-IMAGE SEED
 */
import type { Digest } from '../../../src/digest.js';
import { Store } from '../../../src/store/store.js';
import { seededCommit } from './commit-model.js';

const [root, parent, seed] = process.argv.slice(2) as [string, Digest, string];
const store = await Store.open(root);
const opts = await seededCommit(store, parent, Number(seed));
process.stdout.write('committing\n');
const res = await store.commit(opts);
process.stdout.write(`committed ${res.id}\n`);
