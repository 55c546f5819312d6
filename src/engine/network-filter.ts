/**
 * `docker network ls --filter` as the 20.10 daemon applies it (daemon/network/filter.go and the
 * network router): driver and scope match exactly, name and id as filters.Match does (equal, or the
 * value as a regular expression found in the field), label as key or key=value, type builtin or
 * custom, dangling for user networks without endpoints.
 */
import { BoxlabError } from '../errors.js';
import type { Network } from '../network/index.js';

export const NETWORK_FILTERS = ['driver', 'type', 'name', 'id', 'label', 'scope', 'dangling'] as const;

/** filters.Match: the value equals the field, or, as a regular expression, matches somewhere in it. */
function match(values: readonly string[], field: string): boolean {
  return values.some((v) => {
    if (v === field) return true;
    try {
      return new RegExp(v).test(field);
    } catch {
      return false;
    }
  });
}

function labelMatch(values: readonly string[], labels: Readonly<Record<string, string>>): boolean {
  return values.every((v) => {
    const i = v.indexOf('=');
    if (i < 0) return v in labels;
    return labels[v.slice(0, i)] === v.slice(i + 1);
  });
}

function typeMatch(values: readonly string[], n: Network): boolean {
  // the router returns this one without an errdefs kind: a 500 (measured)
  for (const v of values) if (v !== 'custom' && v !== 'builtin') throw new BoxlabError('Unavailable', `invalid filter: 'type'='${v}'`);
  return values.includes(n.predefined ? 'builtin' : 'custom');
}

function danglingMatch(values: readonly string[], n: Network): boolean {
  const v = values[0]?.toLowerCase();
  const want = v === 'true' || v === '1';
  if (!want && v !== 'false' && v !== '0') throw new BoxlabError('InvalidArgument', `Invalid filter: 'dangling'='${values[0] ?? ''}'`);
  // 20.10's list (GET /networks, API >= 1.28) builds its resources without Containers before it
  // filters (router getNetworksList, Detailed: false), so filterNetworkByUse sees none: every user
  // network is "dangling", in use or not (measured: a network with two running containers listed
  // under dangling=true). `network prune` checks endpoints itself.
  const dangling = !n.predefined;
  return dangling === want;
}

export function filterNetworks(list: readonly Network[], filters: ReadonlyMap<string, readonly string[]>): Network[] {
  return list.filter((n) => {
    for (const [k, values] of filters) {
      if (values.length === 0) continue;
      const ok =
        k === 'driver' ? values.includes(n.driver)
        : k === 'scope' ? values.includes('local')
        : k === 'name' ? match(values, n.name)
        : k === 'id' ? match(values, n.id)
        : k === 'label' ? labelMatch(values, n.labels)
        : k === 'type' ? typeMatch(values, n)
        : k === 'dangling' ? danglingMatch(values, n)
        : true;
      if (!ok) return false;
    }
    return true;
  });
}
