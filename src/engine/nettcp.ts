/**
 * TCP for a container's processes (runtime/net.ts's listen and connect), over the network model: a
 * connect goes where netstack.ts's reach() says a packet goes. To the container itself (lo or its
 * own address): its own sockets. To another container's address on a bridge that delivers it: that
 * container's sockets. To a host address (a gateway): a published port's proxy, as the DOCKER
 * chain's DNAT sends it. A drop by a rule (DOCKER-ISOLATION, --internal) is a SYN never answered:
 * ETIMEDOUT (at once: the kernel would retry the SYN for about two minutes first). No route, or an
 * address off the machine (which boxlab never contacts): ENETUNREACH. Nothing listening: RST,
 * ECONNREFUSED; and an address on the bridge that no one holds answers the same in the engine's
 * containers (measured: `wget http://172.17.0.5/` says "Connection refused"; FACTS.md).
 */
import type { NetworkController, Sandbox } from '../network/index.js';
import { SysError } from '../runtime/errno.js';
import type { NetStack } from '../runtime/net.js';
import type { TcpEnd } from '../runtime/tcp.js';
import { networkStack } from './netstack.js';
import type { PublishedPorts } from './published.js';

export function withTcp(base: NetStack, ctl: NetworkController, containerId: string, ports: PublishedPorts): NetStack {
  const sandbox = (): Sandbox | undefined => ctl.sandboxOf(containerId);
  return {
    ...base,
    listen: (port, ip) => ports.socketsOf(containerId).listen(port, ip),
    connect: (ip, port) => connectFrom(ctl, sandbox(), ports, ip, port),
  };
}

function connectFrom(ctl: NetworkController, sb: Sandbox | undefined, ports: PublishedPorts, ip: string, port: number): TcpEnd {
  if (!sb) throw new SysError('ENETUNREACH');
  const own = sb.endpoints.flatMap((e) => (e.ipv4 && e.ifName ? [e.ipv4] : []));
  const self = ports.socketsOf(sb.containerId);
  if (ip.startsWith('127.') || own.includes(ip)) return self.connect(ip, port, `${ip}:${ports.nextEphemeral()}`);
  if (own.length === 0) throw new SysError('ENETUNREACH');
  const from = `${own[0]}:${ports.nextEphemeral()}`;
  const r = reachOf(ctl, sb, ip);
  if (r === 'host') return ports.hostConnect(ip, port, from);
  if (r === 'timeout') throw new SysError('ETIMEDOUT');
  if (r === 'unreachable') throw new SysError('ENETUNREACH');
  if (r === 'nohost') throw new SysError('ECONNREFUSED');
  return ports.socketsOf(r.containerId).connect(ip, port, from);
}

type Verdict = 'host' | 'timeout' | 'unreachable' | 'nohost' | { containerId: string };

/** The fate of a SYN from the sandbox to ip, from the same model ping's packets follow. */
function reachOf(ctl: NetworkController, sb: Sandbox, ip: string): Verdict {
  const r = networkStack(ctl, () => sb).reach(ip);
  if (r.noRoute) return 'unreachable';
  const holder = ctl
    .list()
    .flatMap((n) => [...n.endpoints.values()])
    .find((e) => e.ipv4 === ip);
  if (r.delivered) return holder ? { containerId: holder.containerId } : 'host';
  if (r.by.includes('boxlab sends nothing')) return 'unreachable';
  if (r.by.startsWith('no host')) return 'nohost';
  return 'timeout';
}

