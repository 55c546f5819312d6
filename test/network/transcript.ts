/**
 * Reading the engine transcripts under fixtures/transcripts/ (made by measure.sh there, on Docker
 * 20.10): the stdout of a step, so tests compare the model with what the engine printed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES = join(import.meta.dirname, 'fixtures');

export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

export function fixtureJson<T = unknown>(name: string): T {
  return JSON.parse(fixture(name)) as T;
}

/** The stdout (and stderr) of the n-th step whose command line starts with `$ docker <cmd>` (or `$ <cmd>`, run.sh's form). */
export function step(file: string, cmd: string, nth = 0): { stdout: string; stderr: string; exit: number } {
  const lines = fixture(join('transcripts', file)).split('\n');
  let seen = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (!line.startsWith(`$ docker ${cmd}`) && !line.startsWith(`$ ${cmd}`)) continue;
    if (++seen < nth) continue;
    const out: string[] = [];
    const err: string[] = [];
    let target = out;
    for (let j = i + 1; j < lines.length; j++) {
      const l = lines[j] as string;
      const m = /^\[exit (\d+)\]$/.exec(l);
      if (m) return { stdout: out.map((x) => x + '\n').join(''), stderr: err.join('\n'), exit: Number(m[1]) };
      if (l === '[stderr]') target = err;
      else target.push(l);
    }
  }
  throw new Error(`no step "${cmd}" #${nth} in ${file}`);
}

/** Interface indexes differ between runs: "153: eth0@if154:" → "N: eth0@ifN:". */
export function normaliseIfIndex(text: string): string {
  return text.replace(/^\d+: (eth\d+)@if\d+:/gm, 'N: $1@ifN:').replace(/^\d+: (eth\d+) /gm, 'N: $1 ');
}
