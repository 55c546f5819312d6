/**
 * Sandboxes (a container's network namespace) and endpoints (its attachment to one network), as
 * libnetwork's sandbox.go/endpoint.go and the bridge driver make them in 20.10:
 *
 * - Interfaces: `lo`, then eth0, eth1 ... from a counter per sandbox that never goes back (measured:
 *   connect back (eth1), front (eth2), disconnect back, connect third → eth3).
 * - Each endpoint: an address from the network's pool, the MAC derived from it, a veth pair whose host
 *   side (vethXXXXXXX) sits on the bridge; interface indexes from one host-wide counter, the
 *   container side first (153: eth0@if154 ↔ 154: veth…@if153).
 * - The default route goes via the gateway of the endpoint libnetwork sorts first (endpoint.go Less):
 *   non-internal before internal, then by network NAME (measured: bridge + back → via back's gateway).
 */
import { formatSubnet, parseSubnet } from './addr.js';
import { isNetworkError, NetworkError } from './errors.js';
import {
  addHosts,
  bridgeResolvConf,
  buildHosts,
  deleteHosts,
  embeddedResolvConf,
  hostnameFile,
  selfRecord,
  type HostsRecord,
} from './files.js';
import { customResolvConf, embeddedOverCustom, hasCustomDns, type DnsConfig } from './dnsconf.js';
import { macFromIPv4, shortId, vethName } from './names.js';
import { ipv6Pool, NetworkRegistry, type ControllerOptions, type Endpoint, type Network } from './network.js';

export interface SandboxOptions {
  containerId: string;
  /** The container's name without the leading slash. */
  containerName: string;
  /** --hostname; the short ID by default. */
  hostname?: string;
  domainname?: string;
  /** --add-host records. */
  extraHosts?: readonly HostsRecord[];
  /** --dns, --dns-search, --dns-option. */
  dns?: DnsConfig;
}

export interface Sandbox {
  readonly id: string;
  readonly containerId: string;
  readonly containerName: string;
  readonly hostname: string;
  readonly domainname?: string;
  /** Endpoints in the order they joined. */
  readonly endpoints: Endpoint[];
  nextIface: number;
  hosts: string;
  /**
   * The embedded DNS has been started here (sandbox.startResolver, once, at the first user-defined
   * network joined): resolv.conf then points at 127.0.0.11 for the sandbox's life, even after that
   * network is left (measured: connect app-net then disconnect keeps "nameserver 127.0.0.11").
   */
  embeddedDns: boolean;
  readonly dns?: DnsConfig;
}

export interface JoinOptions {
  aliases?: readonly string[];
  /** --ip: only on user-defined networks with a user-configured subnet. */
  ipv4?: string;
  /** --ip6, on a network with IPv6. */
  ipv6?: string;
  /**
   * Joined by `docker network connect` (whose request carries an EndpointSettings): inspect then shows
   * IPAMConfig {} and DriverOpts {} where `docker run --network` shows null (measured).
   */
  fromConnect?: boolean;
  /** --link NAME:ALIAS on a user-defined network: ALIAS → NAME, resolved for this endpoint only. */
  links?: Readonly<Record<string, string>>;
  /** The address the endpoint held in a daemon's life (a view rebuilt from the store): taken without --ip's checks. */
  heldIPv4?: string;
}

export interface Route {
  /** 'default' or a subnet. */
  readonly dst: string;
  readonly via?: string;
  readonly dev: string;
  readonly src?: string;
}

export interface NetworkControllerOptions extends ControllerOptions {
  /** The host's /etc/resolv.conf text, the source of a container's resolv.conf. */
  hostResolvConf?: string;
  /** First interface index handed out (the host's own links come before). */
  firstIfIndex?: number;
  /** The host side's name (random, as libnetwork makes it, unless the engine derives it). */
  vethName?: (sb: Sandbox, n: Network) => string;
}

export class NetworkController extends NetworkRegistry {
  readonly hostResolvConf: string;
  private ifIndex: number;
  private readonly newVeth: (sb: Sandbox, n: Network) => string;
  private readonly sandboxes = new Map<string, Sandbox>();
  /** Each container's sandboxes, oldest first: sandboxOf runs at every start and every etc-file write. */
  private readonly byContainer = new Map<string, Sandbox[]>();

  constructor(opts: NetworkControllerOptions = {}) {
    super(opts);
    this.hostResolvConf = opts.hostResolvConf ?? '';
    this.ifIndex = opts.firstIfIndex ?? 2;
    this.newVeth = opts.vethName ?? (() => vethName());
  }

  createSandbox(opts: SandboxOptions): Sandbox {
    const sb: Sandbox = {
      id: this.newId(),
      containerId: opts.containerId,
      containerName: opts.containerName,
      hostname: opts.hostname ?? shortId(opts.containerId),
      domainname: opts.domainname,
      endpoints: [],
      nextIface: 0,
      hosts: buildHosts(opts.extraHosts),
      embeddedDns: false,
      ...(opts.dns ? { dns: opts.dns } : {}),
    };
    this.sandboxes.set(sb.id, sb);
    const mine = this.byContainer.get(sb.containerId);
    if (mine) mine.push(sb);
    else this.byContainer.set(sb.containerId, [sb]);
    return sb;
  }

  /** `docker network connect` / start: a new endpoint of this sandbox on the network. */
  join(sb: Sandbox, idOrName: string, opts: JoinOptions = {}): Endpoint {
    const n = this.get(idOrName);
    checkJoin(this, sb, n, opts);
    if (n.driver !== 'bridge') return this.attach(sb, n, { ...this.bare(sb, n), prefixLen: 0 });
    const pool = n.pools[0];
    if (!pool) throw new NetworkError('NoAvailableAddresses', `network ${n.name} has no pool`, netData(n));
    const ipv4 = this.allocate(n, pool.poolId, opts.ipv4 ?? opts.heldIPv4);
    let ipv6: string | undefined;
    const v6 = ipv6Pool(n);
    try {
      if (v6) ipv6 = this.allocate(n, v6.poolId, opts.ipv6);
    } catch (err) {
      this.ipam.releaseAddress(pool.poolId, ipv4);
      throw err;
    }
    const ifIndex = this.ifIndex;
    this.ifIndex += 2;
    const ep: Endpoint = {
      ...this.bare(sb, n),
      aliases: endpointAliases(sb, n, opts.aliases),
      ...(opts.links ? { linkAliases: { ...opts.links } } : {}),
      hostname: sb.hostname,
      requestedIPv4: opts.ipv4,
      ipv4,
      prefixLen: pool.subnet.prefix,
      gateway: pool.gateway,
      ...(v6 ? { ipv6, ipv6PrefixLen: v6.subnet.prefix, ipv6Gateway: v6.gateway } : {}),
      fromConnect: opts.fromConnect ?? false,
      mac: macFromIPv4(ipv4),
      ifName: `eth${sb.nextIface++}`,
      vethHost: this.newVeth(sb, n),
      ifIndex,
      peerIfIndex: ifIndex + 1,
    };
    sb.hosts = addHosts(sb.hosts, [selfRecord(ipv4, sb.hostname, sb.domainname)]);
    if (NetworkRegistry.isUserDefined(n)) sb.embeddedDns = true;
    return this.attach(sb, n, ep);
  }

  private bare(sb: Sandbox, n: Network): Endpoint {
    return { id: this.newId(), networkId: n.id, containerId: sb.containerId, name: sb.containerName, aliases: [], prefixLen: 0 };
  }

  private attach(sb: Sandbox, n: Network, ep: Endpoint): Endpoint {
    n.endpoints.set(ep.id, ep);
    sb.endpoints.push(ep);
    return ep;
  }

  private allocate(n: Network, poolId: string, ipv4: string | undefined): string {
    try {
      return this.ipam.requestAddress(poolId, { preferred: ipv4 });
    } catch (err) {
      if (isNetworkError(err, 'NoAvailableAddresses') || isNetworkError(err, 'AddressOutsidePool')) {
        throw new NetworkError(err.reason, err.message, { ...err.data, ...netData(n) });
      }
      throw err;
    }
  }

  /** `docker network disconnect` / stop: the endpoint goes, its address back to the pool. */
  leave(sb: Sandbox, idOrName: string): Endpoint {
    const n = this.get(idOrName);
    const ep = sb.endpoints.find((e) => e.networkId === n.id);
    if (!ep) {
      throw new NetworkError('NotConnected', `${sb.containerId} is not connected to ${n.name}`, {
        ...netData(n),
        containerId: sb.containerId,
      });
    }
    if (n.driver === 'host') throw new NetworkError('HostNetworkChange', 'cannot leave the host network', netData(n));
    // endpoint.go sbLeave: records are deleted from the sandbox's hosts file by NAME only
    // (etchosts.Delete), so leaving a user network drops the container's own hostname lines for every
    // network (measured with the default hostname and with --hostname myhost); leaving the default
    // bridge deletes nothing (measured).
    if (NetworkRegistry.isUserDefined(n)) {
      const own = ep.ipv4 ? [selfRecord(ep.ipv4, sb.hostname, sb.domainname)] : [];
      sb.hosts = deleteHosts(sb.hosts, [...own, ...serviceRecords(n, ep)]);
    }
    this.release(sb, ep);
    return ep;
  }

  /** Container stop: every endpoint leaves, the sandbox goes. */
  deleteSandbox(sb: Sandbox): void {
    for (const ep of [...sb.endpoints]) this.release(sb, ep);
    this.sandboxes.delete(sb.id);
    const mine = this.byContainer.get(sb.containerId) ?? [];
    if (mine.includes(sb)) mine.splice(mine.indexOf(sb), 1);
    if (mine.length === 0) this.byContainer.delete(sb.containerId);
  }

  /** The endpoint goes and its addresses return to the pools (on stop, without a disconnect's hosts edits). */
  private release(sb: Sandbox, ep: Endpoint): void {
    const n = this.get(ep.networkId);
    n.endpoints.delete(ep.id);
    sb.endpoints.splice(sb.endpoints.indexOf(ep), 1);
    if (ep.ipv4 && n.pools[0]) this.ipam.releaseAddress(n.pools[0].poolId, ep.ipv4);
    const v6 = ipv6Pool(n);
    if (v6 && ep.ipv6) this.ipam.releaseAddress(v6.poolId, ep.ipv6);
  }

  sandboxOf(containerId: string): Sandbox | undefined {
    return this.byContainer.get(containerId)?.[0];
  }

  /** Endpoints in libnetwork's order (endpoint.go Less): the first gives the default route and DNS answers. */
  orderedEndpoints(sb: Sandbox): Endpoint[] {
    const rank = (ep: Endpoint): [number, string] => {
      const n = this.get(ep.networkId);
      return [n.internal ? 1 : 0, n.name];
    };
    return [...sb.endpoints]
      .filter((ep) => ep.ifName !== undefined)
      .sort((a, b) => {
        const [ia, na] = rank(a);
        const [ib, nb] = rank(b);
        return ia - ib || (na < nb ? -1 : na > nb ? 1 : 0);
      });
  }

  gatewayEndpoint(sb: Sandbox): Endpoint | undefined {
    return this.orderedEndpoints(sb)[0];
  }

  /** The main routing table inside: default first, then one link route per endpoint by address. */
  routes(sb: Sandbox): Route[] {
    const gw = this.gatewayEndpoint(sb);
    const links = sb.endpoints
      .filter((ep) => ep.ipv4 && ep.ifName)
      .map((ep) => {
        const s = parseSubnet(`${ep.ipv4 as string}/${ep.prefixLen}`);
        return { s, route: { dst: formatSubnet(s), dev: ep.ifName as string, src: ep.ipv4 } };
      })
      .sort((a, b) => (a.s.base < b.s.base ? -1 : a.s.base > b.s.base ? 1 : a.s.prefix - b.s.prefix))
      .map((x) => x.route);
    return gw?.gateway ? [{ dst: 'default', via: gw.gateway, dev: gw.ifName as string }, ...links] : links;
  }

  /** /etc/resolv.conf: the embedded DNS once any endpoint has been on a user-defined network. */
  resolvConf(sb: Sandbox): string {
    const user = sb.embeddedDns || sb.endpoints.some((ep) => NetworkRegistry.isUserDefined(this.get(ep.networkId)));
    if (hasCustomDns(sb.dns)) {
      const text = customResolvConf(this.hostResolvConf, sb.dns);
      return user ? embeddedOverCustom(text) : text;
    }
    return user ? embeddedResolvConf(this.hostResolvConf) : bridgeResolvConf(this.hostResolvConf);
  }

  hostnameFile(sb: Sandbox): string {
    return hostnameFile(sb.hostname);
  }
}

function netData(n: Network): { network: string; networkId: string } {
  return { network: n.name, networkId: n.id };
}

/** daemon updateNetworkConfig and libnetwork Join: the checks before an endpoint is made. */
function checkJoin(ctl: NetworkRegistry, sb: Sandbox, n: Network, opts: JoinOptions): void {
  checkNamespaceMode(ctl, sb, n);
  if (sb.endpoints.some((e) => e.networkId === n.id)) {
    throw new NetworkError('EndpointExists', `endpoint ${sb.containerName} exists in ${n.name}`, {
      ...netData(n),
      container: sb.containerName,
    });
  }
  const isDefault = n.name === 'bridge' && n.predefined;
  if (isDefault && opts.ipv4 !== undefined) {
    throw new NetworkError('StaticIpOnDefaultNetwork', '--ip on the default bridge', netData(n));
  }
  if (isDefault && (opts.aliases?.length ?? 0) > 0) {
    throw new NetworkError('AliasOnDefaultNetwork', 'aliases on the default bridge', netData(n));
  }
  if (opts.ipv4 === undefined) return;
  if (!n.pools.some((p) => p.userConfigured)) {
    throw new NetworkError('StaticIpNeedsUserSubnet', `${n.name} has no user-configured subnet`, netData(n));
  }
}

/** host and none cannot share a sandbox with other networks (daemon container_operations.go). */
function checkNamespaceMode(ctl: NetworkRegistry, sb: Sandbox, n: Network): void {
  const drivers = sb.endpoints.map((e) => ctl.get(e.networkId).driver);
  if (drivers.length === 0) return;
  if (drivers.includes('null')) throw new NetworkError('PrivateNetworkMode', 'none is private', netData(n));
  if (drivers.includes('host')) throw new NetworkError('SharedNetworkNamespace', 'host namespace is shared', netData(n));
  if (n.driver === 'host') throw new NetworkError('HostNetworkChange', 'cannot join the host network', netData(n));
  if (n.driver === 'null') throw new NetworkError('PrivateNetworkMode', 'none is private', netData(n));
}

/** The daemon appends the short ID to the aliases on user-defined networks, after the user's. */
function endpointAliases(sb: Sandbox, n: Network, aliases: readonly string[] = []): string[] {
  if (!NetworkRegistry.isUserDefined(n)) return [...aliases];
  const short = shortId(sb.containerId);
  return aliases.includes(short) ? [...aliases] : [...aliases, short];
}

/**
 * network.go getSvcRecords(ep): every name the network's DNS knows (endpoint names, name.network,
 * aliases) except those whose first label is the leaving endpoint's name.
 */
export function serviceRecords(n: Network, leaving?: Endpoint): HostsRecord[] {
  const out: HostsRecord[] = [];
  for (const ep of n.endpoints.values()) {
    if (!ep.ipv4) continue;
    for (const name of [ep.name, `${ep.name}.${n.name}`, ...ep.aliases]) {
      if (leaving && name.split('.')[0] === leaving.name) continue;
      out.push({ ip: ep.ipv4, hosts: name });
    }
  }
  return out;
}
