/**
 * Which events a `docker events --filter ...` subscriber gets, as moby's daemon/events/filter.go
 * decides: every key given must match (type, event, image, container, volume, network, daemon,
 * label, scope); values of one key are alternatives. Unknown keys are ignored, as dockerd does.
 */
import { familiarName, parseReference } from '../oci/reference.js';
import type { EngineEvent } from './events.js';

export type EventFilters = ReadonlyMap<string, readonly string[]>;

function exact(f: EventFilters, key: string, ...values: (string | undefined)[]): boolean {
  const want = f.get(key);
  if (!want || want.length === 0) return true;
  return values.some((v) => v !== undefined && v !== '' && want.includes(v));
}

/** filters.FuzzyMatch: a value given matches exactly or as a prefix (IDs are given short). */
function fuzzy(f: EventFilters, key: string, ...values: (string | undefined)[]): boolean {
  const want = f.get(key);
  if (!want || want.length === 0) return true;
  return values.some((v) => v !== undefined && v !== '' && want.some((w) => v === w || v.startsWith(w)));
}

/** An image name without its tag, as moby's stripTag gives it (`e/v:1` -> `e/v`). */
function stripTag(name: string): string {
  try {
    return familiarName(parseReference(name));
  } catch {
    return name;
  }
}

function matchImage(f: EventFilters, e: EngineEvent): boolean {
  const want = f.get('image');
  if (!want || want.length === 0) return true;
  const name = e.attributes[e.type === 'image' ? 'name' : 'image'];
  const candidates = [e.id, stripTag(e.id), ...(name ? [name, stripTag(name)] : [])];
  return want.some((w) => candidates.includes(w));
}

function matchLabels(f: EventFilters, attrs: Record<string, string>): boolean {
  const want = f.get('label');
  if (!want || want.length === 0) return true;
  return want.every((l) => {
    const eq = l.indexOf('=');
    return eq < 0 ? l in attrs : attrs[l.slice(0, eq)] === l.slice(eq + 1);
  });
}

export function eventMatcher(f: EventFilters): (e: EngineEvent) => boolean {
  return (e) =>
    exact(f, 'event', e.action) &&
    exact(f, 'type', e.type) &&
    exact(f, 'scope', 'local') &&
    (e.type !== 'daemon' || fuzzy(f, 'daemon', e.id, e.attributes.name)) &&
    fuzzy(f, 'container', ...(e.type === 'container' ? [e.id, e.attributes.name] : [undefined])) &&
    fuzzy(f, 'volume', ...(e.type === 'volume' ? [e.id] : [undefined])) &&
    fuzzy(f, 'network', ...(e.type === 'network' ? [e.id, e.attributes.name] : [undefined])) &&
    matchImage(f, e) &&
    matchLabels(f, e.attributes);
}
