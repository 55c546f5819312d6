/**
 * The embedded DNS server (127.0.0.11) of a container on a user-defined network, as libnetwork's
 * resolver and sandbox.ResolveName answer in 20.10 — and nothing more: a name no shared network
 * knows gets NXDOMAIN from the model. The real resolver forwards such names to the host's servers;
 * boxlab never sends a query off the machine.
 *
 * Names a network knows: each endpoint's name (the container name), "name.network", its aliases
 * (--network-alias, then the short ID the daemon adds) and the container's hostname (measured:
 * `--hostname box2`, then `ping box2` from a peer answers). Measured: `nslookup x2`, `db`, `750185de3898`
 * and `x2.front` all answer 172.18.0.2. The asker's endpoints are tried in libnetwork's order (the
 * order that picks the default route), so a name on two shared networks answers from the first
 * (measured: b5 on back, bridge, front asking for itself gets back's address). The default bridge
 * has no DNS: `ping b5` there prints "ping: bad address 'b5'".
 */
import { NetworkRegistry, type Network } from './network.js';
import type { NetworkController, Sandbox } from './sandbox.js';

export type DnsAnswer =
  | { readonly rcode: 'NOERROR'; readonly addresses: readonly string[]; readonly network: string; readonly ttl: number }
  | { readonly rcode: 'NXDOMAIN' };

/** libnetwork's resolver answers with a TTL of 600 seconds. */
export const DNS_TTL = 600;

function namesOf(n: Network, name: string): string[] {
  const out: string[] = [];
  for (const ep of n.endpoints.values()) {
    if (!ep.ipv4) continue;
    const names = [ep.name, ...ep.aliases, ...(ep.hostname ? [ep.hostname] : [])].map((x) => x.toLowerCase());
    if (names.includes(name)) out.push(ep.ipv4);
  }
  return out;
}

/**
 * Resolve an A query from inside a sandbox. "a.b.c" is tried whole, then as name "a.b" on network
 * "c", then "a" on network "b.c" (sandbox.ResolveName splits at each dot from the right).
 */
export function resolveName(ctl: NetworkController, sb: Sandbox, query: string): DnsAnswer {
  const name = query.replace(/\.$/, '').toLowerCase();
  const endpoints = ctl.orderedEndpoints(sb);
  const attempts: { name: string; network?: string }[] = [{ name }];
  for (let i = name.lastIndexOf('.'); i > 0; i = name.lastIndexOf('.', i - 1)) {
    attempts.push({ name: name.slice(0, i), network: name.slice(i + 1) });
  }
  for (const a of attempts) {
    // sandbox.ResolveName: the asker's own link aliases first (lookupAlias), then the names
    for (const ep of endpoints) {
      const n = ctl.get(ep.networkId);
      const target = ep.linkAliases && Object.hasOwn(ep.linkAliases, a.name) ? ep.linkAliases[a.name] : undefined;
      if (target === undefined || !NetworkRegistry.isUserDefined(n)) continue;
      if (a.network !== undefined && a.network !== n.name.toLowerCase()) continue;
      const addresses = namesOf(n, target.toLowerCase());
      if (addresses.length > 0) return { rcode: 'NOERROR', addresses, network: n.name, ttl: DNS_TTL };
    }
    for (const ep of endpoints) {
      const n = ctl.get(ep.networkId);
      if (!NetworkRegistry.isUserDefined(n)) continue;
      if (a.network !== undefined && a.network !== n.name.toLowerCase()) continue;
      const addresses = namesOf(n, a.name);
      if (addresses.length > 0) return { rcode: 'NOERROR', addresses, network: n.name, ttl: DNS_TTL };
    }
  }
  return { rcode: 'NXDOMAIN' };
}

/** Whether the container has an embedded DNS server at all (at least one user-defined network). */
export function hasEmbeddedDns(ctl: NetworkController, sb: Sandbox): boolean {
  return sb.endpoints.some((ep) => NetworkRegistry.isUserDefined(ctl.get(ep.networkId)));
}

/** A PTR query: the names of the endpoint holding this address on a network the asker shares. */
export function reverseLookup(ctl: NetworkController, sb: Sandbox, ip: string): string | undefined {
  for (const ep of ctl.orderedEndpoints(sb)) {
    const n = ctl.get(ep.networkId);
    if (!NetworkRegistry.isUserDefined(n)) continue;
    for (const other of n.endpoints.values()) if (other.ipv4 === ip) return `${other.name}.${n.name}`;
  }
  return undefined;
}
