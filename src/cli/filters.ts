import type { Engine, ImageSummary } from '../engine/engine.js';
import { parseReference, familiarName } from '../oci/reference.js';

/**
 * `docker images --filter` as the daemon applies it (moby daemon/images/images.go, 20.10):
 * dangling=true|false, reference=PATTERN (Go's path.Match against `name:tag` or `name`),
 * before=IMAGE / since=IMAGE (by creation time), label=KEY or label=KEY=VALUE. Several values of
 * one key are ORed, different keys ANDed. A REPOSITORY[:TAG] argument is a reference filter.
 */
export function parseFilters(args: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new Error(`bad format of filter (expected name=value)`);
    const k = a.slice(0, eq).trim().toLowerCase();
    if (!['dangling', 'reference', 'before', 'since', 'label'].includes(k)) throw new Error(`invalid filter '${k}'`);
    (out.get(k) ?? out.set(k, []).get(k)!).push(a.slice(eq + 1));
  }
  return out;
}

/** Go's path.Match as a RegExp: `*` and `?` stop at `/`, `[...]` classes. */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) throw new Error('syntax error in pattern');
      re += `[${pattern.slice(i + 1, end).replace(/^\^/, '^').replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (c === '\\' && i + 1 < pattern.length) re += `\\${pattern[++i]}`;
    else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function referenceMatch(pattern: string, tag: string): boolean {
  const re = globToRegExp(pattern);
  return re.test(tag) || re.test(familiarName(parseReference(tag)));
}

/** The images the filters keep, each with only the tags a reference filter matched (as Docker lists them). */
export async function applyFilters(engine: Engine, images: ImageSummary[], filters: Map<string, string[]>): Promise<ImageSummary[]> {
  const created = async (ref: string) => Date.parse((await engine.images.inspect(ref)).Created as string);
  const before = filters.get('before')?.[0];
  const since = filters.get('since')?.[0];
  const beforeT = before === undefined ? undefined : await created(before);
  const sinceT = since === undefined ? undefined : await created(since);
  const out: ImageSummary[] = [];
  for (const img of images) {
    const t = Date.parse(img.created ?? '');
    if (beforeT !== undefined && !(t < beforeT)) continue;
    if (sinceT !== undefined && !(t > sinceT)) continue;
    const dangling = filters.get('dangling');
    if (dangling && !dangling.some((d) => (d === 'true' || d === '1') === (img.tags.length === 0))) continue;
    const labels = filters.get('label');
    if (labels) {
      const have = ((await engine.images.inspect(img.id)).Config as { Labels?: Record<string, string> } | null)?.Labels ?? {};
      const ok = labels.some((l) => {
        const [k, ...v] = l.split('=');
        return k! in have && (v.length === 0 || have[k!] === v.join('='));
      });
      if (!ok) continue;
    }
    const refs = filters.get('reference');
    if (refs) {
      const tags = img.tags.filter((tag) => refs.some((p) => referenceMatch(p, tag)));
      if (tags.length === 0) continue;
      out.push({ ...img, tags });
    } else out.push(img);
  }
  return out;
}
