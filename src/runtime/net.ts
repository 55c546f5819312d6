/**
 * What a process sees of its network namespace: the interfaces, addresses and routes the kernel
 * would report, the embedded DNS server a container on a user-defined network talks to at
 * 127.0.0.11, and where a packet to an address would go. The engine supplies it from the network
 * model (src/network); applets (`ip`, `ping`, `nslookup`, `hostname -i`, `wget`) only read it.
 * Nothing here sends traffic or asks a real resolver: a name the model does not know is not found.
 */
import type { TcpEnd, TcpListener } from './tcp.js';

/** Where a packet from this namespace to an address ends up. */
export interface Reach {
  /** Delivered to a container or the host (the gateway); false when a rule drops it or no route exists. */
  readonly delivered: boolean;
  /** The IP TTL a reply arrives with: 64 for a peer on the same bridge or the host. */
  readonly ttl: number;
  /** Why it was dropped or where it went (a chain's rule, "no route to host"). */
  readonly by: string;
  /** No route at all (a namespace with only lo): ping reports "Network is unreachable". */
  readonly noRoute?: boolean;
}

/** What a process sees of its network namespace (a container's, from the network model). */
export interface NetStack {
  /** `ip addr`, `ip -o addr`, with `-4` only IPv4 lines. */
  ipAddr(opts: { oneline?: boolean; family?: 4 | 6 }): string;
  ipLink(): string;
  ipRoute(): string;
  /** The addresses of the namespace's interfaces other than lo (`hostname -i` order). */
  addresses(): string[];
  /**
   * An A query to the embedded DNS (127.0.0.11): the addresses, or undefined when the model has no
   * answer (NXDOMAIN; the real server would forward it off the machine, which boxlab never does).
   */
  dns(name: string): string[] | undefined;
  /** Whether an embedded DNS server listens at 127.0.0.11 (a user-defined network is joined). */
  hasEmbeddedDns(): boolean;
  /** Where a packet to this IPv4 address goes. */
  reach(ip: string): Reach;
  /**
   * bind(2)+listen(2) on a TCP port of this namespace (tcp.ts): EADDRINUSE when taken. A server the
   * model runs (`httpd`, `nc -l`) is what a published port or another container's `wget` reaches.
   */
  listen?(port: number, ip?: string): TcpListener;
  /**
   * connect(2) to ip:port along the packet path reach() models: a listener in this namespace (lo or
   * its own address), in the container holding the address, or a published port of the host; else
   * ECONNREFUSED (nothing listens), ETIMEDOUT (a rule drops it), ENETUNREACH (no route, or off the
   * machine: boxlab sends nothing out).
   */
  connect?(ip: string, port: number): TcpEnd;
}

/** The embedded DNS server's address (libnetwork resolver.go). */
export const EMBEDDED_DNS_ADDRESS = '127.0.0.11';
