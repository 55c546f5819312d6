/**
 * Generated layer stacks at the edges of the unpack and overlay rules (issue 13's differential):
 * implicit parents (a lower directory of mode 0700 a later layer writes into without listing it),
 * writes beneath a lower symlink, replaced types (file over directory, directory over file or
 * symlink, symlink over directory), whiteouts and opaque directories at every depth, hardlinks
 * within a layer. Names come from a tiny alphabet so layers collide with each other; a seed makes
 * a stack, the same seed the same stack.
 */
import { layerTar } from '../helpers/archive.js';

type Entry = Parameters<typeof layerTar>[0][number];

/** xorshift32: a small deterministic stream of numbers for a seed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

const NAMES = ['a', 'b', 'c'];
const MODES = [0o755, 0o700, 0o750, 0o777];

/** One generated stack: the layers' entries (for a failing case's message) and their tars. */
export interface EdgeStack {
  readonly seed: number;
  readonly layers: Entry[][];
}

export function edgeStack(seed: number): EdgeStack {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const somePath = (maxDepth: number): string => {
    const depth = 1 + Math.floor(r() * maxDepth);
    return Array.from({ length: depth }, () => pick(NAMES)).join('/');
  };
  const layers: Entry[][] = [];
  const count = 2 + Math.floor(r() * 3);
  for (let l = 0; l < count; l++) {
    const entries: Entry[] = [];
    const files: string[] = [];
    const ops = 3 + Math.floor(r() * 6);
    for (let i = 0; i < ops; i++) {
      const p = somePath(4);
      const parent = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '';
      const base = p.slice(p.lastIndexOf('/') + 1);
      const kind = r();
      // a listed parent (sometimes) with a mode of its own; unlisted parents are implicit
      if (parent && r() < 0.3) entries.push({ name: `${parent}/`, type: 'directory', mode: pick(MODES) });
      if (kind < 0.3) {
        entries.push({ name: p, content: `${p}@${l}\n`, mode: pick([0o644, 0o600, 0o755]) });
        files.push(p);
      } else if (kind < 0.45) entries.push({ name: `${p}/`, type: 'directory', mode: pick(MODES) });
      else if (kind < 0.6) entries.push({ name: p, type: 'symlink', linkname: pick(['a', '../b', '/c', 'a/b', '..', 'missing']) });
      else if (kind < 0.75) entries.push({ name: `${parent ? `${parent}/` : ''}.wh.${base}`, content: '' });
      else if (kind < 0.87) {
        entries.push({ name: `${p}/`, type: 'directory', mode: pick(MODES) });
        entries.push({ name: `${p}/.wh..wh..opq`, content: '' });
        if (r() < 0.7) entries.push({ name: `${p}/${pick(NAMES)}`, content: `opaque ${p}@${l}\n` });
      } else if (files.length) entries.push({ name: p, type: 'link', linkname: pick(files) });
      else entries.push({ name: `${p}/${pick(NAMES)}`, content: `beneath ${p}@${l}\n` });
    }
    layers.push(firstOfEachName(entries));
  }
  return { seed, layers };
}

/** One entry per name (duplicates are a declared difference: Docker refuses, boxlab keeps the last). */
function firstOfEachName(entries: Entry[]): Entry[] {
  const seen = new Set<string>();
  return entries.filter((e) => {
    const key = e.name.replace(/\/+$/, '');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The stack as text, for a failure's message. */
export function describeStack(s: EdgeStack): string {
  return s.layers
    .map((l, i) => `layer ${i}: ${l.map((e) => `${e.name}${e.type === 'symlink' ? ` -> ${e.linkname}` : e.type === 'link' ? ` => ${e.linkname}` : ''}${e.mode ? ` ${e.mode.toString(8)}` : ''}`).join(', ')}`)
    .join('\n');
}
