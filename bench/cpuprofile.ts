/**
 * Where a load's time goes: summarises a V8 .cpuprofile (from `node --cpu-prof`) by self time per
 * function and per file, and inclusive time for the functions named on the command line.
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof dist/cli/main.js --root /tmp/s load -q -i image.oci.tar
 *   npx tsx bench/cpuprofile.ts /tmp/prof/CPU.*.cpuprofile [--top 25] [--inclusive stageMember,_write]
 */
import * as fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const short = (url: string) => url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '~/').replace(/^.*\/(dist|src)\//, '$1/');

function summarise(file: string, top: number, inclusive: string[]): string {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  });
  const fnSelf = new Map<string, number>();
  const fileSelf = new Map<string, number>();
  const incl = new Map<string, number>();
  for (const [id, t] of self) {
    const cf = byId.get(id)!.callFrame;
    const fn = `${cf.functionName || '(anonymous)'} ${cf.url ? `${short(cf.url)}:${cf.lineNumber + 1}` : ''}`.trim();
    fnSelf.set(fn, (fnSelf.get(fn) ?? 0) + t);
    const f = cf.url ? short(cf.url).replace(/:\d+$/, '') : `(${cf.functionName || 'native'})`;
    fileSelf.set(f, (fileSelf.get(f) ?? 0) + t);
    // inclusive: each named function on the stack once
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const name = byId.get(cur)!.callFrame.functionName;
      if (inclusive.includes(name) && !seen.has(name)) {
        seen.add(name);
        incl.set(name, (incl.get(name) ?? 0) + t);
      }
    }
  }
  const pct = (t: number) => `${((100 * t) / total).toFixed(1).padStart(5)}%`;
  const list = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, t]) => `  ${pct(t)}  ${(t / 1000).toFixed(0).padStart(6)} ms  ${k}`)
      .join('\n');
  return [
    `${file}: ${(total / 1e6).toFixed(2)} s sampled`,
    `self time by function:`,
    list(fnSelf, top),
    `self time by file:`,
    list(fileSelf, 12),
    ...(inclusive.length ? ['inclusive time:', list(incl, inclusive.length)] : []),
  ].join('\n');
}

const args = process.argv.slice(2);
let top = 25;
let inclusive: string[] = [];
const files: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--top') top = Number(args[++i]);
  else if (args[i] === '--inclusive') inclusive = args[++i]!.split(',');
  else files.push(args[i]!);
}
for (const f of files) process.stdout.write(summarise(f, top, inclusive) + '\n\n');
