/**
 * Replays one differential case (a JSON file, as fast-check prints a counterexample) on the kernel
 * and on every model strategy and prints both sides, for debugging: `npx tsx test/overlay/kernel/replay.ts case.json`.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { normalise, type Case, type SnapEntry } from './case.js';
import { runModel } from './model-side.js';

const c = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')) as Case;
const script = fileURLToPath(new URL('./kernel-side.mjs', import.meta.url));
const k = JSON.parse(execFileSync('unshare', ['-m', process.execPath, script], { input: JSON.stringify(c) }).toString()) as { results: string[]; merged: SnapEntry[]; upper: SnapEntry[] };
const show = (label: string, x: { results: string[]; merged: SnapEntry[]; upper: SnapEntry[] }) => {
  console.log(`== ${label}: ${x.results.join(' ')}`);
  for (const part of ['merged', 'upper'] as const) for (const e of normalise(x[part])) console.log(`  ${part} ${JSON.stringify(e)}`);
};
show('kernel', k);
for (const [s, d] of [['walk', true], ['walk', false], ['indexed', false]] as const) show(`${s}${d ? '+dcache' : ''}`, runModel(c, s, d));
