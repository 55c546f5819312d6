/**
 * A process of the active-snapshot crash test (test/store/active.test.ts). For each snapshot named,
 * concurrently: opens it, checks what recovery gives (active-model.ts checkState), prints
 * `recovered ID N`, then appends records N+1, N+2, ..., printing `acked ID I` once each append has
 * returned, and checkpoints every few records, until the process is killed. Several snapshots per
 * process, so that one kill lands in several phases at once (a process start is the slow part).
 *   active-child.ts ROOT ID...
 */
import { Store } from '../../../src/store/store.js';
import { checkState, checkpointTar, payload } from './active-model.js';

const [root, ...ids] = process.argv.slice(2) as [string, ...string[]];
const store = await Store.open(root);

async function run(id: string, every: number): Promise<void> {
  const snap = await store.openActive(id, { waitMs: 30_000 });
  let n = await checkState(snap.recover());
  process.stdout.write(`recovered ${id} ${n}\n`);
  for (;;) {
    snap.append(payload(++n));
    process.stdout.write(`acked ${id} ${n}\n`);
    if (n % every === 0) await snap.checkpoint(checkpointTar(n));
    else await new Promise(setImmediate); // let the other snapshots' loops run
  }
}

await Promise.all(ids.map((id, i) => run(id, 5 + 2 * i)));
