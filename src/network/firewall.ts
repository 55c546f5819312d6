/**
 * The iptables rules Engine 20.10's bridge driver holds (libnetwork drivers/bridge/setup_ip_tables.go,
 * iptables/iptables.go, portmapper), rendered as `iptables-save` prints the filter and nat tables,
 * and the reachability they imply. Each new network INSERTS its rules at the top of FORWARD, the
 * isolation chains, POSTROUTING and nat DOCKER, so the newest network comes first; port rules are
 * APPENDED in publishing order. Held to the engine's own iptables-save for two user networks, an
 * internal one and three published ports (test/network/fixtures/iptables-save.txt).
 */
import { formatSubnet } from './addr.js';
import { packetPath, type Attachment, type PacketPath } from './packet.js';
import type { Network } from './network.js';
import type { PortBinding } from './ports.js';

const ICC = 'com.docker.network.bridge.enable_icc';
const MASQ = 'com.docker.network.bridge.enable_ip_masquerade';

interface BridgeView {
  readonly br: string;
  readonly subnet: string;
  readonly internal: boolean;
  readonly icc: boolean;
  readonly masquerade: boolean;
}

function bridgesNewestFirst(networks: readonly Network[]): BridgeView[] {
  return networks
    .filter((n) => n.driver === 'bridge' && n.bridge !== undefined && n.pools[0] !== undefined)
    .sort((a, b) => b.seq - a.seq)
    .map((n) => ({
      br: n.bridge as string,
      subnet: formatSubnet((n.pools[0] as Network['pools'][number]).subnet),
      internal: n.internal,
      icc: n.options[ICC] !== 'false',
      masquerade: n.options[MASQ] !== 'false',
    }));
}

function forwardRules(b: BridgeView): string[] {
  const icc = `-A FORWARD -i ${b.br} -o ${b.br} -j ${b.icc ? 'ACCEPT' : 'DROP'}`;
  if (b.internal) return [icc];
  return [
    `-A FORWARD -o ${b.br} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
    `-A FORWARD -o ${b.br} -j DOCKER`,
    `-A FORWARD -i ${b.br} ! -o ${b.br} -j ACCEPT`,
    icc,
  ];
}

function portMatch(p: PortBinding, port: number): string {
  return `-p ${p.proto} -m ${p.proto} --dport ${port}`;
}

function filterTable(bridges: readonly BridgeView[], ports: readonly PortBinding[]): string[] {
  const external = bridges.filter((b) => !b.internal);
  return [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':DOCKER - [0:0]',
    ':DOCKER-ISOLATION-STAGE-1 - [0:0]',
    ':DOCKER-ISOLATION-STAGE-2 - [0:0]',
    ':DOCKER-USER - [0:0]',
    '-A FORWARD -j DOCKER-USER',
    '-A FORWARD -j DOCKER-ISOLATION-STAGE-1',
    ...bridges.flatMap(forwardRules),
    ...ports.map((p) => `-A DOCKER -d ${p.containerIp}/32 ! -i ${p.bridge} -o ${p.bridge} ${portMatch(p, p.containerPort)} -j ACCEPT`),
    ...bridges.flatMap((b) =>
      b.internal
        ? [
            `-A DOCKER-ISOLATION-STAGE-1 ! -s ${b.subnet} -o ${b.br} -j DROP`,
            `-A DOCKER-ISOLATION-STAGE-1 ! -d ${b.subnet} -i ${b.br} -j DROP`,
          ]
        : [`-A DOCKER-ISOLATION-STAGE-1 -i ${b.br} ! -o ${b.br} -j DOCKER-ISOLATION-STAGE-2`],
    ),
    '-A DOCKER-ISOLATION-STAGE-1 -j RETURN',
    ...external.map((b) => `-A DOCKER-ISOLATION-STAGE-2 -o ${b.br} -j DROP`),
    '-A DOCKER-ISOLATION-STAGE-2 -j RETURN',
    '-A DOCKER-USER -j RETURN',
    'COMMIT',
  ];
}

function natTable(bridges: readonly BridgeView[], ports: readonly PortBinding[]): string[] {
  const external = bridges.filter((b) => !b.internal);
  const dnat = (p: PortBinding): string => {
    const dst = p.hostIp === '0.0.0.0' ? '' : `-d ${p.hostIp}/32 `;
    return `-A DOCKER ${dst}! -i ${p.bridge} ${portMatch(p, p.hostPort)} -j DNAT --to-destination ${p.containerIp}:${p.containerPort}`;
  };
  return [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ':DOCKER - [0:0]',
    '-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER',
    '-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER',
    ...external.filter((b) => b.masquerade).map((b) => `-A POSTROUTING -s ${b.subnet} ! -o ${b.br} -j MASQUERADE`),
    // Hairpin: a container reaching its own published port through the host.
    ...ports.map((p) => `-A POSTROUTING -s ${p.containerIp}/32 -d ${p.containerIp}/32 ${portMatch(p, p.containerPort)} -j MASQUERADE`),
    ...external.map((b) => `-A DOCKER -i ${b.br} -j RETURN`),
    ...ports.map(dnat),
    'COMMIT',
  ];
}

/** `iptables-save` of the filter and nat tables (without its "# Generated/Completed" comment lines). */
export function iptablesSave(networks: readonly Network[], ports: readonly PortBinding[]): string {
  const bridges = bridgesNewestFirst(networks);
  return [...filterTable(bridges, ports), ...natTable(bridges, ports)].join('\n') + '\n';
}

export type { Attachment, Hop, Verdict } from './packet.js';
export type ReachResult = PacketPath;

/**
 * Where a packet from a container to `dst` goes under these rules (packet.ts walks them as printed).
 * Same bridge: delivered (or DROP when icc is off). Another bridge: DOCKER-ISOLATION-STAGE-2 drops it
 * (STAGE-1 when either side is internal). A gateway address is the host (INPUT). Anything else leaves
 * through MASQUERADE (modelled only: boxlab sends nothing off the machine), except from an internal
 * network, which STAGE-1 drops.
 */
export function reach(
  networks: readonly Network[],
  from: readonly Attachment[],
  gateway: Attachment | undefined,
  dst: string,
  ports: readonly PortBinding[] = [],
  port?: { port: number; proto?: 'tcp' | 'udp' },
): ReachResult {
  return packetPath(networks, ports, iptablesSave(networks, ports), from, gateway, { dst, ...port });
}

/**
 * A connection from the host (or from outside) to hostIp:hostPort: nat PREROUTING/OUTPUT jump to
 * DOCKER, whose DNAT rule sends it to the container; 127.0.0.1 is not DNATed by OUTPUT (`! -d
 * 127.0.0.0/8`), docker-proxy accepts it and connects to the container instead.
 */
export function reachPublished(
  ports: readonly PortBinding[],
  hostIp: string,
  hostPort: number,
  proto: PortBinding['proto'] = 'tcp',
): { verdict: 'delivered' | 'dropped'; by: string; hops: string[]; binding?: PortBinding } {
  const binding =
    ports.find((p) => p.hostIp === hostIp && p.hostPort === hostPort && p.proto === proto) ??
    ports.find((p) => p.hostIp === '0.0.0.0' && p.hostPort === hostPort && p.proto === proto);
  if (!binding) return { verdict: 'dropped', by: `nothing listens on ${hostIp}:${hostPort}/${proto}`, hops: [] };
  const to = `${binding.containerIp}:${binding.containerPort}`;
  const loopback = hostIp.startsWith('127.');
  const by = loopback ? `docker-proxy ${hostIp}:${hostPort} → ${to}` : `DOCKER ${portMatch(binding, hostPort)} -j DNAT --to-destination ${to}`;
  return { verdict: 'delivered', by, binding, hops: [loopback ? 'docker-proxy' : 'nat DOCKER', binding.bridge, 'veth', 'eth'] };
}
