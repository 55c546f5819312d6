/**
 * The firewall and the packet paths of what a store holds, read without a daemon: the networks as
 * the network service persisted them (Engine.open restores them, with no endpoints), and each running
 * container's endpoints and published ports rebuilt from its persisted record (containers/<id>/
 * config.v2.json, which the daemon rewrites at every start, stop, connect and disconnect). So
 * `boxlab iptables` and `boxlab trace` work while a `boxlab daemon` runs on the root, reading what it
 * last wrote, and after it stops (its containers then stopped with it, as dockerd stops them without
 * live-restore, and only the networks' rules are left).
 *
 * Rebuilt as the daemon made them: containers in the order they started (the port rules are appended
 * in that order), each endpoint with the address its record shows, in the record's network order
 * (eth0, eth1, ...), and each published port on the endpoint of the default route, as the bridge
 * driver programs external connectivity on that endpoint only (libnetwork sandbox.go
 * updateGateway / ProgramExternalConnectivity); none on an --internal network. Veth names agree with
 * the daemon's because the engine derives them from the container and network (names.ts vethNameFor).
 *
 * The engine handed in must be one opened for the view (as the CLI opens one): the rebuilt sandboxes
 * go into its network controller. A daemon's own engine would see its endpoints twice.
 */
import { BoxlabError } from '../errors.js';
import {
  familyOf,
  iptablesSave,
  packetPath,
  PortMapper,
  type Attachment,
  type NetworkController,
  type PacketPath,
  type PortBinding,
  type PortRequest,
  type Proto,
  type Sandbox,
} from '../network/index.js';
import type { ContainerRecord } from './containers/record.js';
import type { Engine } from './engine.js';
import { persistedContainers } from './host-tree.js';

export interface RunningContainer {
  readonly record: ContainerRecord;
  readonly sandbox: Sandbox;
}

export interface FirewallView {
  readonly ctl: NetworkController;
  readonly containers: readonly RunningContainer[];
  readonly ports: readonly PortBinding[];
  /** The filter and nat tables, as iptables-save prints them. */
  readonly rules: string;
}

/** HostConfig.PortBindings ({"80/tcp": [{HostIp, HostPort}]}) as the port mapper's requests. */
export function portRequests(rec: ContainerRecord): PortRequest[] {
  const out: PortRequest[] = [];
  for (const [key, list] of Object.entries(rec.hostConfig.PortBindings ?? {})) {
    const [port, proto = 'tcp'] = key.split('/');
    for (const b of list ?? [{ HostIp: '', HostPort: '' }]) {
      out.push({
        containerPort: Number(port),
        proto: proto as Proto,
        ...(b.HostIp ? { hostIp: b.HostIp } : {}),
        ...(b.HostPort ? { hostPort: Number(b.HostPort) } : {}),
      });
    }
  }
  return out;
}

function rebuild(ctl: NetworkController, rec: ContainerRecord): Sandbox {
  const sb = ctl.createSandbox({
    containerId: rec.id,
    containerName: rec.name.replace(/^\//, ''),
    hostname: rec.config.Hostname,
    ...(rec.config.Domainname ? { domainname: rec.config.Domainname } : {}),
  });
  for (const [name, s] of Object.entries(rec.networks)) {
    if (!s.EndpointID) continue;
    const n = ctl.get(s.NetworkID || name);
    ctl.join(sb, n.id, { ...(s.IPAddress ? { heldIPv4: s.IPAddress } : {}), aliases: (s.Aliases ?? []).filter((a) => a !== rec.id.slice(0, 12)) });
  }
  return sb;
}

export function firewallView(engine: Engine): FirewallView {
  const ctl = engine.networks.ctl;
  const running = persistedContainers(engine.store.root)
    .filter((r) => r.state.Running)
    .sort((a, b) => a.state.StartedAt.localeCompare(b.state.StartedAt));
  const mapper = new PortMapper();
  const containers: RunningContainer[] = [];
  for (const record of running) {
    const sandbox = rebuild(ctl, record);
    containers.push({ record, sandbox });
    const gw = ctl.gatewayEndpoint(sandbox);
    const n = gw ? ctl.get(gw.networkId) : undefined;
    const reqs = portRequests(record);
    if (!gw?.ipv4 || !n?.bridge || n.internal || reqs.length === 0) continue;
    mapper.mapAll(record.id, n.bridge, gw.ipv4, reqs);
  }
  const ports = mapper.bindings();
  return { ctl, containers, ports, rules: iptablesSave(ctl.list(), ports) };
}

/** A running container by name or ID (or a unique ID prefix), as the docker CLI finds one. */
export function findRunning(view: FirewallView, ref: string): RunningContainer | undefined {
  const name = ref.replace(/^\//, '');
  return (
    view.containers.find((c) => c.record.id === ref || c.record.name === `/${name}`) ??
    (() => {
      const byPrefix = view.containers.filter((c) => c.record.id.startsWith(ref));
      return byPrefix.length === 1 ? byPrefix[0] : undefined;
    })()
  );
}

/** A sandbox's endpoints as the packet walk sees them, and the one its default route uses. */
export function attachmentsOf(ctl: NetworkController, sb: Sandbox): { from: Attachment[]; gateway?: Attachment } {
  const from = sb.endpoints
    .filter((e) => e.ipv4 && e.ifName)
    .map((e) => ({ network: ctl.get(e.networkId), ip: e.ipv4 as string, ifName: e.ifName as string, ...(e.vethHost ? { veth: e.vethHost } : {}) }));
  const gw = ctl.gatewayEndpoint(sb);
  const gateway = from.find((a) => a.network.id === gw?.networkId);
  return { from, ...(gateway ? { gateway } : {}) };
}

export interface TraceRequest {
  /** A container name or ID, `host`, or an IPv4 address; `:PORT` makes it a TCP connection, not a ping. */
  readonly dest: string;
  readonly proto?: 'tcp' | 'udp';
}

export interface Trace {
  readonly from: RunningContainer;
  readonly dst: string;
  /** What the destination is, as a person says it (`w2`, `the host`, `outside`). */
  readonly what: string;
  readonly port?: number;
  readonly path: PacketPath;
}

function splitPort(dest: string): { host: string; port?: number } {
  const m = /^(.*):(\d+)$/.exec(dest);
  if (!m) return { host: dest };
  const port = Number(m[2]);
  if (port < 1 || port > 65535) throw new BoxlabError('InvalidArgument', `invalid port ${m[2]}`);
  return { host: m[1] as string, port };
}

/** A destination container's address: on a network the two share if any, else its default route's. */
function containerAddress(view: FirewallView, from: Sandbox, to: Sandbox): string | undefined {
  const shared = to.endpoints.find((e) => e.ipv4 && from.endpoints.some((f) => f.networkId === e.networkId));
  return (shared ?? view.ctl.gatewayEndpoint(to) ?? to.endpoints.find((e) => e.ipv4))?.ipv4;
}

function destination(view: FirewallView, from: RunningContainer, host: string): { dst: string; what: string } {
  if (familyOf(host) === 4) {
    const owner = view.containers.find((c) => c.sandbox.endpoints.some((e) => e.ipv4 === host));
    const gateway = view.ctl.list().some((n) => n.pools.some((p) => p.gateway === host));
    return { dst: host, what: owner ? owner.record.name.slice(1) : gateway ? 'the host' : 'outside' };
  }
  if (host === 'host') {
    const gw = view.ctl.gatewayEndpoint(from.sandbox)?.gateway;
    if (!gw) throw new BoxlabError('FailedPrecondition', `${from.record.name.slice(1)} has no route to the host`);
    return { dst: gw, what: 'the host' };
  }
  const to = findRunning(view, host);
  if (!to) throw new BoxlabError('NotFound', `no running container ${host} (give a running container, host, or an IPv4 address)`);
  const dst = containerAddress(view, from.sandbox, to.sandbox);
  if (!dst) throw new BoxlabError('FailedPrecondition', `${host} has no IPv4 address`);
  return { dst, what: to.record.name.slice(1) };
}

/** `boxlab trace C DEST[:PORT]`: the walk of one packet from C, evaluated on the model (nothing is sent). */
export function traceFrom(view: FirewallView, ref: string, req: TraceRequest): Trace {
  const from = findRunning(view, ref);
  if (!from) throw new BoxlabError('NotFound', `no running container ${ref}`);
  if (from.record.hostConfig.NetworkMode === 'host') {
    throw new BoxlabError('FailedPrecondition', `${ref} uses the host's network namespace (--network host): its packets are the host's own, through no veth, bridge or FORWARD`);
  }
  const { host, port } = splitPort(req.dest);
  const { dst, what } = destination(view, from, host);
  const { from: att, gateway } = attachmentsOf(view.ctl, from.sandbox);
  const path = packetPath(view.ctl.list(), view.ports, view.rules, att, gateway, { dst, ...(port ? { port, proto: req.proto ?? 'tcp' } : {}) });
  return { from, dst, what, ...(port ? { port } : {}), path };
}
