/**
 * Networks as the 20.10 daemon and libnetwork's controller hold them: the predefined `bridge`
 * (docker0), `host` and `none`, and user-defined bridges with their IPAM pools and gateways.
 * Endpoints and sandboxes (containers' attachments) are in sandbox.ts.
 */
import { BoxlabError } from '../errors.js';
import { formatSubnet, type Subnet } from './addr.js';
import { isNetworkError, NetworkError } from './errors.js';
import { Ipam, type IpamOptions } from './ipam.js';
import { bridgeNameFor, randomId } from './names.js';

export type NetworkDriver = 'bridge' | 'host' | 'null';

/** One entry of IPAM.Config as the user gave it (the --subnet, --ip-range, --gateway triple). */
export interface IpamConfigEntry {
  subnet?: string;
  ipRange?: string;
  gateway?: string;
}

export interface CreateNetworkOptions {
  name: string;
  /** Only bridge: host and null have their one predefined instance each. */
  driver?: string;
  internal?: boolean;
  attachable?: boolean;
  enableIPv6?: boolean;
  options?: Record<string, string>;
  labels?: Record<string, string>;
  ipam?: { config?: IpamConfigEntry[]; options?: Record<string, string> };
}

/** A pool a network holds, with its gateway (the first address taken from it). */
export interface NetworkPool {
  readonly poolId: string;
  readonly subnet: Subnet;
  readonly gateway: string;
  readonly userConfigured: boolean;
}

export interface Endpoint {
  readonly id: string;
  readonly networkId: string;
  readonly containerId: string;
  /** The container's name without the slash: libnetwork's endpoint name. */
  readonly name: string;
  /** --network-alias values, then (user-defined networks) the container's short ID, as the daemon adds it. */
  readonly aliases: readonly string[];
  /** Legacy links on a user-defined network: ALIAS → NAME, which only this endpoint resolves (libnetwork ep.aliases). */
  readonly linkAliases?: Readonly<Record<string, string>>;
  /** The --ip the user asked for: re-applied on every start (IPAMConfig). */
  readonly requestedIPv4?: string;
  readonly ipv4?: string;
  readonly prefixLen: number;
  readonly gateway?: string;
  readonly ipv6?: string;
  readonly ipv6PrefixLen?: number;
  readonly ipv6Gateway?: string;
  /** Made by `network connect` rather than at run: inspect shows {} instead of null (measured). */
  readonly fromConnect?: boolean;
  readonly mac?: string;
  /** The container's hostname, which the embedded DNS answers too (measured: --hostname box2 → ping box2). */
  readonly hostname?: string;
  /** eth0, eth1 ... inside the container; undefined on host and none. */
  readonly ifName?: string;
  readonly vethHost?: string;
  readonly ifIndex?: number;
  readonly peerIfIndex?: number;
}

export interface Network {
  readonly id: string;
  readonly name: string;
  readonly driver: NetworkDriver;
  readonly created: Date;
  readonly internal: boolean;
  readonly attachable: boolean;
  readonly enableIPv6: boolean;
  readonly options: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly ipamOptions: Readonly<Record<string, string>> | null;
  /** IPAM.Config as inspect shows it: what the user gave; for default pools, subnet and gateway. */
  readonly ipamConfig: readonly IpamConfigEntry[];
  readonly pools: readonly NetworkPool[];
  /** The Linux bridge: docker0, br-<id12>, or com.docker.network.bridge.name. */
  readonly bridge?: string;
  readonly predefined: boolean;
  /** Creation order: the firewall inserts each new network's rules above the older ones. */
  readonly seq: number;
  readonly endpoints: Map<string, Endpoint>;
}

/** The options 20.10 shows on the default bridge (network inspect bridge). */
export const DEFAULT_BRIDGE_OPTIONS: Readonly<Record<string, string>> = {
  'com.docker.network.bridge.default_bridge': 'true',
  'com.docker.network.bridge.enable_icc': 'true',
  'com.docker.network.bridge.enable_ip_masquerade': 'true',
  'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
  'com.docker.network.bridge.name': 'docker0',
  'com.docker.network.driver.mtu': '1500',
};

export const BRIDGE_NAME_OPTION = 'com.docker.network.bridge.name';

export interface ControllerOptions extends IpamOptions {
  /** 64-hex IDs for networks, endpoints and sandboxes (random by default; tests pin them). */
  newId?: () => string;
  now?: () => Date;
  /** docker0's subnet (20.10 keeps the address docker0 already has; 172.17.0.0/16 on a fresh host). */
  defaultBridgeSubnet?: string;
  /** Whether inspect shows docker0's gateway in IPAM.Config (not when docker0 existed before the daemon). */
  showDefaultBridgeGateway?: boolean;
  /** IDs and creation times of bridge, host and none from an earlier daemon's life (they keep them). */
  keep?: Readonly<Record<string, { id: string; created: Date }>>;
}

/** A network as the engine persists it (libnetwork keeps its networks in local-kv.db): enough to rebuild it. */
export interface SavedNetwork {
  id: string;
  name: string;
  created: string;
  internal: boolean;
  attachable: boolean;
  enableIPv6: boolean;
  options: Record<string, string>;
  labels: Record<string, string>;
  ipamOptions: Record<string, string> | null;
  ipamConfig: IpamConfigEntry[];
  pools: { subnet: string; ipRange?: string; gateway: string; userConfigured: boolean }[];
  bridge?: string;
}

export class NetworkRegistry {
  readonly ipam: Ipam;
  readonly newId: () => string;
  private readonly now: () => Date;
  private readonly networks = new Map<string, Network>();
  private seq = 0;
  private readonly kept: Readonly<Record<string, { id: string; created: Date }>>;

  constructor(opts: ControllerOptions = {}) {
    this.ipam = new Ipam(opts);
    this.newId = opts.newId ?? (() => randomId());
    this.now = opts.now ?? (() => new Date());
    this.kept = opts.keep ?? {};
    this.addPredefined('none', 'null');
    this.addPredefined('host', 'host');
    this.addDefaultBridge(opts.defaultBridgeSubnet ?? '172.17.0.0/16', opts.showDefaultBridgeGateway ?? false);
  }

  private addPredefined(name: string, driver: NetworkDriver): void {
    this.insert({ ...this.base(name, driver, {}), ipamConfig: [], pools: [], predefined: true });
  }

  private addDefaultBridge(subnet: string, showGateway: boolean): void {
    const pool = this.allocatePool({ subnet });
    const ipamConfig = [showGateway ? { subnet, gateway: pool.gateway } : { subnet }];
    const n = { ...this.base('bridge', 'bridge', DEFAULT_BRIDGE_OPTIONS), ipamConfig, pools: [pool], predefined: true };
    this.insert({ ...n, bridge: 'docker0' });
  }

  private base(name: string, driver: NetworkDriver, options: Record<string, string>, id?: string) {
    const kept = id === undefined ? this.kept[name] : undefined;
    return {
      id: id ?? kept?.id ?? this.newId(),
      name,
      driver,
      created: kept?.created ?? this.now(),
      internal: false,
      attachable: false,
      enableIPv6: false,
      options: { ...options },
      labels: {},
      ipamOptions: null,
      seq: this.seq++,
      endpoints: new Map<string, Endpoint>(),
    };
  }

  private insert(n: Network): Network {
    this.networks.set(n.id, n);
    return n;
  }

  /** `docker network create`: the name must be new; pools come from --subnet or the default pools. */
  create(opts: CreateNetworkOptions): Network {
    if ([...this.networks.values()].some((n) => n.name === opts.name)) {
      throw new NetworkError('NetworkNameExists', `network ${opts.name} exists`, { network: opts.name });
    }
    checkDriver(opts.driver);
    const id = this.newId();
    const entries = opts.ipam?.config ?? [];
    const pools = this.allocatePools(entries, opts, id);
    // IPAM.Config shows the entries as given; an IPv4 pool the daemon chose shows subnet and gateway.
    const autoV4 = !entries.some((e) => !isV6(e));
    const ipamConfig = [...(autoV4 && pools[0] ? [autoConfig(pools[0])] : []), ...entries.map((e) => ({ ...e }))];
    const options = { ...(opts.options ?? {}) };
    const n: Network = {
      ...this.base(opts.name, 'bridge', options, id),
      internal: opts.internal ?? false,
      attachable: opts.attachable ?? false,
      enableIPv6: opts.enableIPv6 ?? false,
      labels: { ...(opts.labels ?? {}) },
      ipamOptions: { ...(opts.ipam?.options ?? {}) },
      ipamConfig,
      pools,
      bridge: options[BRIDGE_NAME_OPTION] ?? bridgeNameFor(id),
      predefined: false,
    };
    return this.insert(n);
  }

  /** IPv4 pools first (one from the defaults when no IPv4 --subnet is given), then IPv6 ones. */
  private allocatePools(entries: readonly IpamConfigEntry[], opts: CreateNetworkOptions, id: string): NetworkPool[] {
    const name = opts.name;
    const v4 = entries.filter((e) => !isV6(e));
    const v6 = entries.filter(isV6);
    const wanted: (IpamConfigEntry & { family?: 4 | 6 })[] = [...(v4.length > 0 ? v4 : [{}])];
    if (opts.enableIPv6) wanted.push(...(v6.length > 0 ? v6 : [{ family: 6 as const }]));
    const got: NetworkPool[] = [];
    try {
      for (const e of wanted) got.push(this.allocatePool(e));
    } catch (err) {
      for (const p of got) this.ipam.releasePool(p.poolId);
      if (isNetworkError(err, 'GatewayUnavailable')) {
        throw new NetworkError('GatewayUnavailable', err.message, { ...err.data, network: name, networkId: id });
      }
      throw err;
    }
    return got;
  }

  /** One pool and its gateway: --gateway exactly, else the first free address (inside --ip-range). */
  private allocatePool(e: IpamConfigEntry & { family?: 4 | 6 }): NetworkPool {
    const pool = this.ipam.requestPool({ subnet: e.subnet, ipRange: e.ipRange, family: e.family });
    try {
      const gateway = this.ipam.requestAddress(pool.id, { preferred: e.gateway });
      return { poolId: pool.id, subnet: pool.subnet, gateway, userConfigured: pool.userConfigured };
    } catch (err) {
      this.ipam.releasePool(pool.id);
      if (isNetworkError(err, 'AddressOutsidePool')) {
        throw new NetworkError('InvalidSubnetConfig', `gateway ${e.gateway} is outside ${e.subnet}`, err.data);
      }
      if (isNetworkError(err, 'NoAvailableAddresses')) {
        throw new NetworkError('GatewayUnavailable', 'no address for the gateway', err.data);
      }
      throw err;
    }
  }

  /** The record that rebuilds this network after a restart (restore). */
  save(n: Network): SavedNetwork {
    return {
      id: n.id,
      name: n.name,
      created: n.created.toISOString(),
      internal: n.internal,
      attachable: n.attachable,
      enableIPv6: n.enableIPv6,
      options: { ...n.options },
      labels: { ...n.labels },
      ipamOptions: n.ipamOptions === null ? null : { ...n.ipamOptions },
      ipamConfig: n.ipamConfig.map((c) => ({ ...c })),
      pools: n.pools.map((p) => {
        const range = this.ipam.pool(p.poolId).range;
        return { subnet: formatSubnet(p.subnet), ...(range ? { ipRange: formatSubnet(range) } : {}), gateway: p.gateway, userConfigured: p.userConfigured };
      }),
      ...(n.bridge !== undefined ? { bridge: n.bridge } : {}),
    };
  }

  /** A user network from an earlier daemon's life: its pools and gateways taken again, as they were. */
  restore(s: SavedNetwork): Network {
    const pools = s.pools.map((p) => {
      const pool = this.ipam.requestPool({ subnet: p.subnet, ipRange: p.ipRange, userConfigured: p.userConfigured });
      const gateway = this.ipam.requestAddress(pool.id, { preferred: p.gateway });
      return { poolId: pool.id, subnet: pool.subnet, gateway, userConfigured: p.userConfigured };
    });
    const n: Network = {
      ...this.base(s.name, 'bridge', s.options, s.id),
      created: new Date(s.created),
      internal: s.internal,
      attachable: s.attachable,
      enableIPv6: s.enableIPv6,
      labels: { ...s.labels },
      ipamOptions: s.ipamOptions === null ? null : { ...s.ipamOptions },
      ipamConfig: s.ipamConfig.map((c) => ({ ...c })),
      pools,
      bridge: s.bridge ?? bridgeNameFor(s.id),
      predefined: false,
    };
    return this.insert(n);
  }

  /** daemon.FindNetwork: a full ID, then an exact name, then a unique ID prefix. */
  get(idOrName: string): Network {
    const byId = this.networks.get(idOrName);
    if (byId) return byId;
    const all = [...this.networks.values()];
    const byName = all.find((n) => n.name === idOrName);
    if (byName) return byName;
    const byPrefix = idOrName === '' ? [] : all.filter((n) => n.id.startsWith(idOrName));
    if (byPrefix.length === 1) return byPrefix[0] as Network;
    throw new NetworkError('NetworkNotFound', `network ${idOrName} not found`, { network: idOrName });
  }

  /** Networks in creation order (predefined first). */
  list(): Network[] {
    return [...this.networks.values()];
  }

  /** `docker network rm`: not a predefined one, not one with endpoints; its pools go back to IPAM. */
  remove(idOrName: string): Network {
    const n = this.get(idOrName);
    if (n.predefined) throw new NetworkError('PredefinedNetwork', `${n.name} is predefined`, { network: n.name });
    if (n.endpoints.size > 0) {
      const endpoints = [...n.endpoints.values()].map((e) => ({ name: e.name, id: e.id }));
      throw new NetworkError('ActiveEndpoints', `network ${n.name} has active endpoints`, {
        network: n.name,
        networkId: n.id,
        endpoints,
      });
    }
    for (const p of n.pools) this.ipam.releasePool(p.poolId);
    this.networks.delete(n.id);
    return n;
  }

  /** `docker network prune`: every user network without endpoints, oldest first; returns their names. */
  prune(): string[] {
    const gone = this.list().filter((n) => !n.predefined && n.endpoints.size === 0);
    for (const n of gone) this.remove(n.id);
    return gone.map((n) => n.name);
  }

  /** The user-defined networks, which have DNS and a short-ID alias; the default bridge has neither. */
  static isUserDefined(n: Network): boolean {
    return !n.predefined;
  }
}

function isV6(e: IpamConfigEntry): boolean {
  return (e.subnet ?? '').includes(':');
}

/** The IPv6 pool of a network, if it has one (IPv4 comes first in `pools`). */
export function ipv6Pool(n: Network): NetworkPool | undefined {
  return n.pools.find((p) => p.subnet.family === 6);
}

function checkDriver(driver: string | undefined): void {
  if (driver === undefined || driver === 'bridge') return;
  if (driver === 'host' || driver === 'null') {
    throw new NetworkError('SingleInstanceDriver', `only one ${driver} network`, { driver });
  }
  throw new BoxlabError('Unsupported', `network driver ${driver} is not modelled`, { member: driver });
}

function autoConfig(p: NetworkPool): IpamConfigEntry {
  return { subnet: formatSubnet(p.subnet), gateway: p.gateway };
}
