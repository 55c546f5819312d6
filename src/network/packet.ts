/**
 * A packet's path from a container, hop by hop, through the model: the container's routing table
 * (its own subnets on-link, the rest via the default route's endpoint), the veth pair to the bridge,
 * the host's netfilter hooks in the order the kernel runs them for a routed packet (nat PREROUTING,
 * the routing decision, filter INPUT or FORWARD, nat POSTROUTING; Documentation/networking and
 * netfilter's hook order), and the bridge port and veth of the container holding the address. The
 * chains are those firewall.ts renders, walked by chains.ts: `boxlab iptables` prints the very rules
 * this evaluates. Bridged traffic (two containers on one bridge) crosses FORWARD too, because Docker
 * loads br_netfilter (bridge-nf-call-iptables=1), which is why the driver writes `-i br -o br -j ACCEPT`.
 * Nothing is sent: this only evaluates the model.
 */
import { addressValue, contains } from './addr.js';
import { parseSave, walk, type Outcome, type Packet, type Rule, type Tables } from './chains.js';
import type { Endpoint, Network } from './network.js';
import type { PortBinding } from './ports.js';

export type Verdict = 'delivered' | 'host' | 'outbound' | 'dropped';

/** One place the packet passes: an interface, a bridge, or a chain and the rule that matched there. */
export interface Hop {
  readonly at: string;
  readonly note: string;
}

export interface PacketPath {
  readonly verdict: Verdict;
  /** The rule or place that decided, as a person would look for it. */
  readonly by: string;
  readonly hops: readonly Hop[];
  /** The endpoint that received it (delivered to a container). */
  readonly endpoint?: Endpoint;
}

/** One of the sending container's endpoints, with the network it is on. */
export interface Attachment {
  readonly network: Network;
  readonly ip: string;
  readonly ifName: string;
  /** The host side of its veth pair. */
  readonly veth?: string;
}

export interface PacketRequest {
  readonly dst: string;
  /** A TCP or UDP destination port; without one the packet is an ICMP echo (ping). */
  readonly port?: number;
  readonly proto?: 'tcp' | 'udp';
}

/** The host's uplink in the model (where a packet for the outside would leave). */
export const UPLINK = 'eth0 (host)';

function inSubnet(n: Network, ip: string): boolean {
  const { family, value } = addressValue(ip);
  return n.pools.some((p) => contains(p.subnet, family, value));
}

const bridges = (networks: readonly Network[]) => networks.filter((n) => n.driver === 'bridge' && n.bridge !== undefined);

/** The host's own addresses: every bridge's gateway, and loopback. */
function hostAddresses(networks: readonly Network[]): (ip: string) => boolean {
  const gateways = new Set(bridges(networks).flatMap((n) => n.pools.map((p) => p.gateway)));
  return (ip) => gateways.has(ip) || ip.startsWith('127.');
}

function ruleHops(o: Outcome, table: string, chain: string): Hop[] {
  if (o.matched.length === 0) return [{ at: `${table} ${chain}`, note: `no rule matches: policy ${o.verdict}` }];
  return o.matched.map((r: Rule) => ({ at: `${r.table} ${r.chain}`, note: `-A ${r.text}` }));
}

class Walk {
  readonly hops: Hop[] = [];
  readonly tables: Tables;
  readonly isLocal: (ip: string) => boolean;

  constructor(
    readonly networks: readonly Network[],
    readonly ports: readonly PortBinding[],
    rulesText: string,
  ) {
    this.tables = parseSave(rulesText);
    this.isLocal = hostAddresses(networks);
  }

  chain(table: string, chain: string, p: Packet): Outcome {
    const o = walk(this.tables, table, chain, p);
    this.hops.push(...ruleHops(o, table, chain));
    return o;
  }

  end(verdict: Verdict, by: string, endpoint?: Endpoint): PacketPath {
    return { verdict, by, hops: this.hops, ...(endpoint ? { endpoint } : {}) };
  }

  /** From a bridge port to the container holding `ip` on `n`: the veth, then its eth. */
  deliver(n: Network, ip: string, by: string): PacketPath {
    const ep = [...n.endpoints.values()].find((e) => e.ipv4 === ip);
    if (!ep) return this.end('dropped', `no host answers ARP for ${ip} on ${n.bridge as string}`);
    this.hops.push({ at: ep.vethHost ?? 'veth', note: `bridge port of ${ep.name}` });
    this.hops.push({ at: `${ep.ifName ?? 'eth'} of ${ep.name}`, note: `${ip}: delivered` });
    return this.end('delivered', by, ep);
  }
}

/**
 * Where a packet from a container (its endpoints `from`, `gateway` the one its default route uses)
 * to `req.dst` goes under the model's rules.
 */
export function packetPath(
  networks: readonly Network[],
  ports: readonly PortBinding[],
  rulesText: string,
  from: readonly Attachment[],
  gateway: Attachment | undefined,
  req: PacketRequest,
): PacketPath {
  const w = new Walk(networks, ports, rulesText);
  const dst = req.dst;
  if (dst.startsWith('127.') || from.some((a) => a.ip === dst)) {
    w.hops.push({ at: 'lo', note: `${dst} is the container's own address` });
    return w.end('delivered', 'lo');
  }
  const onLink = from.find((a) => inSubnet(a.network, dst));
  const out = onLink ?? gateway;
  if (!out) return w.end('dropped', 'no route to host (the container has no interface but lo)');
  const brA = out.network.bridge as string;
  const gw = out.network.pools[0]?.gateway;
  w.hops.push({ at: out.ifName, note: `${out.ip} → ${dst}${onLink ? ' (on-link)' : ` via ${gw ?? '?'} (default route)`}` });
  w.hops.push({ at: out.veth ?? 'veth', note: 'host side of the veth pair' });
  w.hops.push({ at: brA, note: `bridge of network ${out.network.name}` });
  const proto = req.port === undefined ? 'icmp' : (req.proto ?? 'tcp');
  let p: Packet = { in: brA, src: out.ip, dst, proto, ...(req.port ? { dport: req.port } : {}), state: 'NEW', isLocal: w.isLocal };
  const pre = w.chain('nat', 'PREROUTING', p);
  if (pre.verdict === 'DNAT' && pre.rule?.toDestination) {
    const [ip, port] = pre.rule.toDestination.split(':');
    p = { ...p, dst: ip as string, ...(port ? { dport: Number(port) } : {}) };
  }
  if (w.isLocal(p.dst)) return toHost(w, p);
  const target = onLink && inSubnet(onLink.network, p.dst) ? onLink.network : bridges(networks).find((n) => inSubnet(n, p.dst));
  const outIf = target?.bridge ?? UPLINK;
  p = { ...p, out: outIf };
  if (target && target.id === out.network.id) w.hops.push({ at: 'bridging', note: `${p.dst} is on ${outIf} itself (br_netfilter hands bridged frames to FORWARD)` });
  else w.hops.push({ at: 'routing', note: `${p.dst} leaves by ${outIf}` });
  const fwd = w.chain('filter', 'FORWARD', p);
  if (fwd.verdict !== 'ACCEPT') return w.end('dropped', fwd.rule?.text ?? `FORWARD policy ${fwd.verdict}`);
  const post = w.chain('nat', 'POSTROUTING', p);
  const masq = post.verdict === 'MASQUERADE' ? post.rule?.text : undefined;
  if (!target) {
    w.hops.push({ at: UPLINK, note: 'would leave the machine (boxlab sends nothing)' });
    return w.end('outbound', masq ?? 'routed out unmasqueraded');
  }
  return w.deliver(target, p.dst, fwd.rule?.text ?? `bridge ${outIf}`);
}

/** A packet for the host itself: filter INPUT, then a listener (docker-proxy) for a port. */
function toHost(w: Walk, p: Packet): PacketPath {
  const input = w.chain('filter', 'INPUT', p);
  if (input.verdict !== 'ACCEPT') return w.end('dropped', input.rule?.text ?? `INPUT policy ${input.verdict}`);
  if (p.dport === undefined) {
    w.hops.push({ at: 'host', note: `${p.dst} is the host's own address` });
    return w.end('host', `INPUT on ${p.in ?? 'host'}`);
  }
  const b =
    w.ports.find((x) => x.hostIp === p.dst && x.hostPort === p.dport && x.proto === p.proto) ??
    w.ports.find((x) => x.hostIp === '0.0.0.0' && x.hostPort === p.dport && x.proto === p.proto);
  if (!b) return w.end('dropped', `nothing listens on ${p.dst}:${p.dport}/${p.proto} (the host refuses it)`);
  const to = `${b.containerIp}:${b.containerPort}`;
  w.hops.push({ at: 'docker-proxy', note: `listens on ${b.hostIp}:${b.hostPort}, connects to ${to}` });
  const n = bridges(w.networks).find((x) => x.bridge === b.bridge);
  if (!n) return w.end('dropped', `no bridge ${b.bridge}`);
  w.hops.push({ at: b.bridge, note: `bridge of network ${n.name}` });
  return w.deliver(n, b.containerIp, `docker-proxy ${b.hostIp}:${b.hostPort} → ${to}`);
}
