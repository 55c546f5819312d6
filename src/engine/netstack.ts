/**
 * A container's network namespace for the programs inside it (runtime/net.ts), read live from the
 * network model: `ip` prints render.ts's text for the sandbox's endpoints, the embedded DNS answers
 * from dns.ts, and a packet's fate comes from the firewall model (same bridge: delivered; another
 * bridge: DOCKER-ISOLATION drops it; outside the machine: never sent).
 */
import {
  hasEmbeddedDns,
  ipAddr,
  ipAddrOneline4,
  ipLink,
  ipRoute,
  reach,
  resolveName,
  type NetworkController,
  type Sandbox,
} from '../network/index.js';
import type { NetStack, Reach } from '../runtime/net.js';

export function networkStack(ctl: NetworkController, sandbox: () => Sandbox | undefined): NetStack {
  const endpoints = () => sandbox()?.endpoints ?? [];
  return {
    // with -4, busybox leaves out the link/ lines (measured); the model has no IPv6 addresses to show
    ipAddr: ({ oneline, family }) => {
      if (family === 6) return '';
      if (oneline) return ipAddrOneline4(endpoints());
      const text = ipAddr(endpoints());
      return family === 4 ? text.split('\n').filter((l) => !l.startsWith('    link/')).join('\n') : text;
    },
    ipLink: () => ipLink(endpoints()),
    ipRoute: () => {
      const sb = sandbox();
      return sb ? ipRoute(ctl.routes(sb)) : '';
    },
    addresses: () => endpoints().flatMap((e) => (e.ipv4 && e.ifName ? [e.ipv4] : [])),
    dns: (name) => {
      const sb = sandbox();
      if (!sb || !hasEmbeddedDns(ctl, sb)) return undefined;
      const a = resolveName(ctl, sb, name);
      return a.rcode === 'NOERROR' ? [...a.addresses] : undefined;
    },
    hasEmbeddedDns: () => {
      const sb = sandbox();
      return sb !== undefined && hasEmbeddedDns(ctl, sb);
    },
    reach: (ip) => packetTo(ctl, sandbox(), ip),
  };
}

function packetTo(ctl: NetworkController, sb: Sandbox | undefined, ip: string): Reach {
  const from = (sb?.endpoints ?? [])
    .filter((e) => e.ipv4 && e.ifName)
    .map((e) => ({ network: ctl.get(e.networkId), ip: e.ipv4 as string, ifName: e.ifName as string, veth: e.vethHost }));
  if (!sb || from.length === 0) return { delivered: false, ttl: 0, by: 'no route to host', noRoute: true };
  if (from.some((a) => a.ip === ip)) return { delivered: true, ttl: 64, by: 'local address' };
  const gw = ctl.gatewayEndpoint(sb);
  const gateway = from.find((a) => a.network.id === gw?.networkId);
  const r = reach(ctl.list(), from, gateway, ip);
  if (r.verdict === 'host') return { delivered: true, ttl: 64, by: r.by };
  if (r.verdict === 'outbound') return { delivered: false, ttl: 0, by: `${r.by} (boxlab sends nothing off the machine)` };
  if (r.verdict === 'dropped') return { delivered: false, ttl: 0, by: r.by };
  // delivered on the bridge: only if some endpoint there holds the address (else ARP goes unanswered)
  const there = ctl.list().some((n) => [...n.endpoints.values()].some((e) => e.ipv4 === ip));
  return there ? { delivered: true, ttl: 64, by: r.by } : { delivered: false, ttl: 0, by: `no host ${ip} on ${r.by}` };
}
