/**
 * Replays whole-script differential cases and prints only where the two sides differ, for debugging:
 * `npx tsx test/runtime/scripts/replay.ts 20261129 20261130 edge:3` (as root). A seed names a
 * generated script, `edge:N` the Nth hand-written one, `-` reads one script from stdin.
 */
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Daemon } from '../../../src/api/daemon.js';
import { Engine } from '../../../src/engine/engine.js';
import { EDGES, generate } from './generate.js';
import { ARCHIVE, boxlabRun, dockerAt, kernelRun, type Outcome } from './sides.js';

const scripts = process.argv.slice(2).map((a) => (a === '-' ? fs.readFileSync(0, 'utf8') : a.startsWith('edge:') ? EDGES[Number(a.slice(5))]!.script : generate(Number(a))));
const dir = fs.mkdtempSync(join(tmpdir(), 'bx-replay-'));
const sock = join(dir, 'docker.sock');
const daemon = await Daemon.start(await Engine.open({ root: join(dir, 'root') }), { hosts: [{ kind: 'unix', path: sock }], log: () => {} });
try {
  const docker = dockerAt(sock);
  await docker(['load', '-i', ARCHIVE]);
  const kernel = await kernelRun(scripts);
  for (const [i, script] of scripts.entries()) {
    const got = await boxlabRun(docker, script);
    const want = kernel[i]!;
    console.log(`===== ${process.argv[2 + i]}\n${script}\n-----`);
    show(want, got);
  }
} finally {
  await daemon.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}

function show(want: Outcome, got: Outcome): void {
  for (const k of ['stdout', 'stderr'] as const)
    if (want[k] !== got[k]) console.log(`${k}: kernel / boxlab\n${indent(want[k])}\n  --\n${indent(got[k])}`);
  if (want.status !== got.status) console.log(`status: kernel ${want.status}, boxlab ${got.status}`);
  const lines = (o: Outcome) => o.merged.map((e) => JSON.stringify(e));
  setDiff('merged', lines(want), lines(got));
  setDiff('diff', want.diff, got.diff);
}

function setDiff(label: string, want: string[], got: string[]): void {
  const w = new Set(want);
  const g = new Set(got);
  const only = (a: string[], b: Set<string>) => a.filter((x) => !b.has(x));
  for (const x of only(want, g)) console.log(`${label} kernel only: ${x}`);
  for (const x of only(got, w)) console.log(`${label} boxlab only: ${x}`);
}

function indent(s: string): string {
  return s
    .split('\n')
    .map((l) => `  | ${l}`)
    .join('\n');
}
