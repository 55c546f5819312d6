/**
 * Names and link-layer identities the engine derives: MAC addresses from IPv4 addresses, the host
 * side name of a veth pair, a user bridge's interface name, random IDs.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Address4 } from 'ip-address';

/**
 * libnetwork 20.10 netutils.GenerateMACFromIP: 02:42 (locally administered, Docker's prefix) then the
 * four bytes of the IPv4 address: 172.17.0.2 → 02:42:ac:11:00:02. (Docker 28+ uses random MACs.)
 */
export function macFromIPv4(ip: string): string {
  const bytes = new Address4(ip).toArray();
  return ['02', '42', ...bytes.map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

/** netutils.GenerateIfaceName(nlh, "veth", 7): "veth" and 7 random hex digits (vethc8da21a). */
export function vethName(random: (bytes: number) => Buffer = randomBytes): string {
  return 'veth' + random(4).toString('hex').slice(0, 7);
}

/**
 * A veth name derived from the container and the network, for an engine whose views must name the
 * same veth the daemon made without its memory (`boxlab trace` reads a store): random in Docker,
 * as cache IDs are, and derived here for the same reason (engine/containers/inspect.ts cacheId).
 */
export function vethNameFor(containerId: string, networkId: string): string {
  return vethName(() => createHash('sha256').update(`veth:${containerId}:${networkId}`).digest());
}

/** The bridge driver names a user network's bridge br-<first 12 hex of the network ID>. */
export function bridgeNameFor(networkId: string): string {
  return 'br-' + networkId.slice(0, 12);
}

/** A 64-hex ID as stringid.GenerateRandomID makes for networks, endpoints and sandboxes. */
export function randomId(random: (bytes: number) => Buffer = randomBytes): string {
  return random(32).toString('hex');
}

export function shortId(id: string): string {
  return id.slice(0, 12);
}
