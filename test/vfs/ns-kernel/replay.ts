/**
 * Replays one mount-namespace case (a JSON file, as the differential test writes a failing one) on
 * the kernel and on the model and prints each call with both results, then the snapshots' differences:
 * `npx tsx test/vfs/ns-kernel/replay.ts /tmp/boxlab-ns-failure.json`.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { normalise, type NsCase, type Outcome } from './case.js';
import { runModel } from './model-side.js';

const c = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')) as NsCase;
const script = fileURLToPath(new URL('./kernel_side.py', import.meta.url));
const k = JSON.parse(execFileSync('unshare', ['-m', 'python3', script], { input: JSON.stringify(c) }).toString()) as Outcome;
const m = runModel(c);
console.log(`user ${c.user}; mounts ${JSON.stringify(c.mounts)}`);
c.ops.forEach((op, i) => {
  const mark = k.results[i] === m.results[i] ? '  ' : '!!';
  console.log(`${mark} ${JSON.stringify(op).slice(0, 120)} kernel=${k.results[i]?.slice(0, 40)} model=${m.results[i]?.slice(0, 40)}`);
});
for (const part of ['image', 'host'] as const) {
  const canon = (e: object) => JSON.stringify(Object.fromEntries(Object.entries(e).sort()));
  const ks = normalise(k[part]).map(canon);
  const ms = normalise(m[part]).map(canon);
  for (const e of ks) if (!ms.includes(e)) console.log(`kernel only ${part}: ${e.slice(0, 200)}`);
  for (const e of ms) if (!ks.includes(e)) console.log(`model only  ${part}: ${e.slice(0, 200)}`);
}
for (const l of k.mounts) if (!m.mounts.includes(l)) console.log(`kernel only mount: ${l.trim()}`);
for (const l of m.mounts) if (!k.mounts.includes(l)) console.log(`model only mount:  ${l.trim()}`);
