/**
 * What busybox's `ip` prints inside a container, from the model (busybox networking/ip.c and
 * libiproute; text measured in the engine's containers, test/network/fixtures/transcripts/bridge.txt).
 */
import { formatAddress, lastAddress, parseSubnet } from './addr.js';
import type { Endpoint } from './network.js';
import type { Route } from './sandbox.js';

function broadcast(ep: Endpoint): string {
  const s = parseSubnet(`${ep.ipv4 as string}/${ep.prefixLen}`);
  return formatAddress(4, lastAddress(s));
}

const LO_HEAD = '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n';
const LO_INET = '    inet 127.0.0.1/8 scope host lo\n       valid_lft forever preferred_lft forever\n';

function linked(endpoints: readonly Endpoint[]): Endpoint[] {
  return endpoints.filter((e) => e.ifName && e.ipv4).sort((a, b) => (a.ifIndex ?? 0) - (b.ifIndex ?? 0));
}

function linkHead(ep: Endpoint): string {
  return (
    `${ep.ifIndex ?? 0}: ${ep.ifName as string}@if${ep.peerIfIndex ?? 0}: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500 qdisc noqueue \n` +
    `    link/ether ${ep.mac as string} brd ff:ff:ff:ff:ff:ff\n`
  );
}

/** `ip addr` (`ip a`). */
export function ipAddr(endpoints: readonly Endpoint[]): string {
  let out = LO_HEAD + LO_INET;
  for (const ep of linked(endpoints)) {
    out += linkHead(ep);
    out += `    inet ${ep.ipv4 as string}/${ep.prefixLen} brd ${broadcast(ep)} scope global ${ep.ifName as string}\n`;
    out += '       valid_lft forever preferred_lft forever\n';
  }
  return out;
}

/** `ip link`. */
export function ipLink(endpoints: readonly Endpoint[]): string {
  return LO_HEAD + linked(endpoints).map(linkHead).join('');
}

/** `ip -o -4 addr`: one line per address, the continuation shown as a backslash. */
export function ipAddrOneline4(endpoints: readonly Endpoint[]): string {
  const tail = '\\       valid_lft forever preferred_lft forever\n';
  let out = `1: lo    inet 127.0.0.1/8 scope host lo${tail}`;
  for (const ep of linked(endpoints)) {
    const name = ep.ifName as string;
    out += `${ep.ifIndex ?? 0}: ${name}    inet ${ep.ipv4 as string}/${ep.prefixLen} brd ${broadcast(ep)} scope global ${name}${tail}`;
  }
  return out;
}

/** `ip route`: busybox prints "scope link" and two spaces before "src", and a trailing space. */
export function ipRoute(routes: readonly Route[]): string {
  return routes
    .map((r) => (r.dst === 'default' ? `default via ${r.via as string} dev ${r.dev} \n` : `${r.dst} dev ${r.dev} scope link  src ${r.src as string} \n`))
    .join('');
}
