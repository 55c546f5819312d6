/**
 * What moby's daemon/images decides when it lists images, beyond reading them: the order of an
 * image's names, the `docker images` filters (images.go, Images()), and the disk usage that
 * `docker system df` reports (SharedSize, LayersSize). Pure functions over the image service's
 * summaries, so the API and the CLI ask the same questions and get the same answers.
 */
import { hexOf, type Digest } from '../digest.js';
import { familiarName, fullString, parseReference, type Reference } from '../oci/reference.js';
import type { ImageSummary } from './images.js';

function parsedOrNull(tag: string): Reference | null {
  try {
    return parseReference(tag);
  } catch {
    return null;
  }
}

/**
 * An image's tags in the reference store's order: sorted by the full name (`docker.io/example/app`
 * before `docker.io/library/dk-build`), as moby's reference store sorts References() (lexicalRefs).
 */
export function repoTagOrder(tags: readonly string[]): string[] {
  const key = (t: string) => {
    const r = parsedOrNull(t);
    return r ? fullString(r) : t;
  };
  return [...tags].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

/**
 * Go's path.Match as a RegExp: `*` any run of non-`/`, `?` one non-`/`, `[...]` a class (`^` negates),
 * `\` escapes. Returns null for a malformed pattern (Go's ErrBadPattern matches nothing).
 */
export function goPathPattern(pattern: string): RegExp | null {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\') {
      if (++i >= pattern.length) return null;
      re += escapeRe(pattern[i]!);
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) return null;
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith('^');
      if (negate) body = body.slice(1);
      re += `[${negate ? '^/' : ''}${body.replace(/[\]\\]/g, '\\$&')}]`;
      i = end;
    } else re += escapeRe(c);
  }
  try {
    return new RegExp(`^${re}$`, 's');
  } catch {
    return null;
  }
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** reference.FamiliarMatch: the pattern against `name:tag`, else against the name alone. */
export function familiarMatch(pattern: string, tag: string): boolean {
  const re = goPathPattern(pattern);
  if (!re) return false;
  if (re.test(tag)) return true;
  const r = parsedOrNull(tag);
  return r !== null && re.test(familiarName(r));
}

export interface ImageFilters {
  /** true: untagged images only; false: tagged ones only. */
  dangling?: boolean;
  /** Patterns (Go path.Match) against `name:tag` or the name; the listing keeps only matching tags. */
  reference?: string[];
  /** Only images created strictly before / after these times (ISO strings of a resolved image). */
  before?: string;
  since?: string;
  /** `key` or `key=value` against the image config's labels; every one must match. */
  label?: string[];
}

/** One row of `GET /images/json`: the summary with the tags the filters kept. */
export interface ListedImage extends ImageSummary {
  /** The tags to show (reference-filtered), `[]` for an untagged image. */
  shownTags: string[];
}

function labelsMatch(labels: Record<string, string> | null, wanted: readonly string[]): boolean {
  return wanted.every((w) => {
    const eq = w.indexOf('=');
    const key = eq < 0 ? w : w.slice(0, eq);
    if (!labels || !(key in labels)) return false;
    return eq < 0 || labels[key] === w.slice(eq + 1);
  });
}

/** moby images.go Images(): which images a listing shows, and which of their tags. */
export function filterImages(images: readonly ImageSummary[], f: ImageFilters): ListedImage[] {
  const out: ListedImage[] = [];
  const time = (s: string | undefined) => (s ? Date.parse(s) : 0);
  for (const img of images) {
    if (f.before !== undefined && !(time(img.created) < time(f.before))) continue;
    if (f.since !== undefined && !(time(img.created) > time(f.since))) continue;
    if (f.label?.length && !labelsMatch(img.labels, f.label)) continue;
    let shown = img.tags;
    if (f.reference?.length) {
      shown = img.tags.filter((t) => f.reference!.some((p) => familiarMatch(p, t)));
      if (shown.length === 0) continue; // an untagged image never matches a reference filter
    }
    if (f.dangling === true && img.tags.length > 0) continue;
    if (f.dangling === false && img.tags.length === 0) continue;
    out.push({ ...img, shownTags: shown });
  }
  return out;
}

/** `docker system df`'s image numbers: each layer counted once, and per image what it shares. */
export function imageDiskUsage(images: readonly ImageSummary[]): { layersSize: number; shared: Map<Digest, number> } {
  const users = new Map<Digest, number>();
  const sizeOf = new Map<Digest, number>();
  for (const img of images)
    img.chainIds.forEach((c, i) => {
      users.set(c, (users.get(c) ?? 0) + 1);
      sizeOf.set(c, img.layerSizes[i] ?? 0);
    });
  let layersSize = 0;
  for (const s of sizeOf.values()) layersSize += s;
  const shared = new Map<Digest, number>();
  for (const img of images) {
    let s = 0;
    img.chainIds.forEach((c, i) => {
      if ((users.get(c) ?? 0) > 1) s += img.layerSizes[i] ?? 0;
    });
    shared.set(img.id, s);
  }
  return { layersSize, shared };
}

/**
 * Docker's overlay2 paths for an image's layers, as `image inspect` shows them under GraphDriver.Data
 * (a view of boxlab's store, named by chainID: see DESIGN.md; Docker names them by random cache IDs).
 */
export function overlay2View(root: string, chainIds: readonly Digest[]): Record<string, string> | null {
  if (chainIds.length === 0) return null;
  const dir = (c: Digest) => `${root}/overlay2/${hexOf(c)}`;
  const top = dir(chainIds[chainIds.length - 1]!);
  const lower = chainIds.slice(0, -1).reverse().map((c) => `${dir(c)}/diff`).join(':');
  return { ...(lower ? { LowerDir: lower } : {}), MergedDir: `${top}/merged`, UpperDir: `${top}/diff`, WorkDir: `${top}/work` };
}
