/**
 * The network service: libnetwork's controller (src/network) inside the engine, as moby's daemon
 * holds it. It owns the networks (bridge, host and none from the start; user-defined bridges from
 * `network create`), persists them under <root>/network/ (libnetwork keeps local-kv.db in
 * /var/lib/docker/network/files/), and joins containers to them: at create it checks and records
 * the networks asked for, at start it makes the sandbox and its endpoints (addresses, MACs, the three
 * /etc files), at stop it releases them as the engine does (a stopped container keeps its Networks
 * entries with empty addresses), and `network connect`/`disconnect` change a container's endpoints.
 * Errors are the model's NetworkErrors; the API words them.
 */
import { readFileSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { BoxlabError } from '../errors.js';
import {
  NetworkController,
  NetworkError,
  NetworkRegistry,
  endpointSettings,
  networkInspect,
  parseSubnet,
  type Endpoint,
  type IpamConfigEntry,
  type Network,
  type SavedNetwork,
  vethNameFor,
} from '../network/index.js';
import type { NetStack } from '../runtime/net.js';
import { writeFileAtomic } from '../util/fsx.js';
import type { EndpointSettings, ContainerRecord } from './containers/record.js';
import type { EtcFiles } from './containers/runtime.js';
import type { EventBus } from './events.js';
import { checkLinks, linkedEnv, linkedHosts, parseLink } from './links.js';
import { networkStack } from './netstack.js';
import { nameServiceOf } from '../network/dnsconf.js';

/** What the service needs of the containers: find one, save one, and whether it runs. */
export interface ContainerAccess {
  get(ref: string): ContainerRecord;
  all(): ContainerRecord[];
  saveRecord(rec: ContainerRecord): Promise<void>;
  /** Rewrites the container's /etc/hosts and /etc/resolv.conf after its endpoints changed. */
  refreshEtcFiles?(rec: ContainerRecord): void;
}

/** `POST /networks/create`'s body (moby types.NetworkCreateRequest). */
export interface NetworkCreateBody {
  Name?: string;
  Driver?: string;
  Internal?: boolean;
  Attachable?: boolean;
  EnableIPv6?: boolean;
  Options?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
  IPAM?: { Driver?: string; Config?: { Subnet?: string; IPRange?: string; Gateway?: string }[] | null; Options?: Record<string, string> | null } | null;
}

/** One endpoint's request (EndpointSettings of NetworkingConfig, or `network connect`'s EndpointConfig). */
export interface EndpointRequest {
  IPAMConfig?: { IPv4Address?: string; IPv6Address?: string } | null;
  Aliases?: string[] | null;
  /** --link on a user-defined network: the CLI sends them here ("NAME:ALIAS"). */
  Links?: string[] | null;
}

interface Saved {
  predefined: Record<string, { id: string; created: string }>;
  networks: SavedNetwork[];
}

export class NetworkService {
  readonly ctl: NetworkController;
  private readonly file: string;
  private containers?: ContainerAccess;

  constructor(
    root: string,
    private readonly events: EventBus,
    opts: { hostResolvConf?: string } = {},
  ) {
    this.file = path.join(root, 'network', 'networks.json');
    const saved = readSaved(this.file);
    const keep = Object.fromEntries(Object.entries(saved?.predefined ?? {}).map(([k, v]) => [k, { id: v.id, created: new Date(v.created) }]));
    this.ctl = new NetworkController({ keep, hostResolvConf: opts.hostResolvConf ?? hostResolvConf(), vethName: (sb, n) => vethNameFor(sb.containerId, n.id) });
    for (const n of saved?.networks ?? []) this.ctl.restore(n);
  }

  /** The container service, once the engine has made it. */
  bind(containers: ContainerAccess): void {
    this.containers = containers;
  }

  /** Writes the networks down (atomically), so that a restarted daemon has the same IDs and subnets. */
  async init(): Promise<void> {
    await this.persist();
  }

  private async persist(): Promise<void> {
    const all = this.ctl.list();
    const saved: Saved = {
      predefined: Object.fromEntries(all.filter((n) => n.predefined).map((n) => [n.name, { id: n.id, created: n.created.toISOString() }])),
      networks: all.filter((n) => !n.predefined).map((n) => this.ctl.save(n)),
    };
    await fsp.mkdir(path.dirname(this.file), { recursive: true });
    await writeFileAtomic(this.file, JSON.stringify(saved, null, 2));
  }

  private access(): ContainerAccess {
    if (!this.containers) throw new BoxlabError('FailedPrecondition', 'the network service has no container service');
    return this.containers;
  }

  get(ref: string): Network {
    return this.ctl.get(ref);
  }

  inspect(ref: string): Record<string, unknown> {
    return networkInspect(this.ctl.get(ref));
  }

  list(): Network[] {
    return this.ctl.list();
  }

  async create(body: NetworkCreateBody): Promise<{ Id: string; Warning: string }> {
    const name = body.Name ?? '';
    if (name === '') throw new BoxlabError('InvalidArgument', 'network name is empty');
    checkCreateRequest(body);
    const config: IpamConfigEntry[] = (body.IPAM?.Config ?? []).map((c) => ({
      ...(c.Subnet ? { subnet: c.Subnet } : {}),
      ...(c.IPRange ? { ipRange: c.IPRange } : {}),
      ...(c.Gateway ? { gateway: c.Gateway } : {}),
    }));
    const n = this.ctl.create({
      name,
      ...(body.Driver ? { driver: body.Driver } : {}),
      internal: !!body.Internal,
      attachable: !!body.Attachable,
      enableIPv6: !!body.EnableIPv6,
      options: body.Options ?? {},
      labels: body.Labels ?? {},
      ipam: { config, options: body.IPAM?.Options ?? {} },
    });
    await this.persist();
    this.events.emit('network', 'create', n.id, { name: n.name, type: n.driver });
    return { Id: n.id, Warning: '' };
  }

  async remove(ref: string): Promise<void> {
    // only endpoints hold a network: created and stopped containers do not (measured: rm and prune
    // succeed with them; their Networks entries stay)
    const n = this.ctl.get(ref);
    this.ctl.remove(n.id);
    await this.persist();
    this.events.emit('network', 'destroy', n.id, { name: n.name, type: n.driver });
  }

  /** `network prune`: user networks without endpoints, their names in the order removed. */
  async prune(keep: (n: Network) => boolean = () => true): Promise<string[]> {
    const gone: string[] = [];
    for (const n of this.ctl.list()) {
      if (n.predefined || n.endpoints.size > 0 || !keep(n)) continue;
      this.ctl.remove(n.id);
      this.events.emit('network', 'destroy', n.id, { name: n.name, type: n.driver });
      gone.push(n.name);
    }
    await this.persist();
    return gone;
  }

  // ---- containers ----------------------------------------------------------------------------

  /**
   * At create: the networks the container will join, each checked to exist, as Networks entries
   * without an endpoint yet (HostConfig.NetworkMode's first, `default` being the bridge).
   */
  initialNetworks(hostConfig: Record<string, unknown> | undefined, endpoints: Record<string, unknown> | undefined): Record<string, EndpointSettings> {
    const mode = modeNetwork(String(hostConfig?.NetworkMode ?? 'default'));
    checkLinks(hostConfig, (ref) => this.access().get(ref));
    const out: Record<string, EndpointSettings> = {};
    // the CLI names the default network "default" in EndpointsConfig too
    const requests = new Map(Object.entries(endpoints ?? {}).map(([k, v]) => [modeNetwork(k) ?? k, (v ?? {}) as EndpointRequest]));
    const wanted = [...(mode === undefined ? [] : [mode]), ...[...requests.keys()].filter((k) => k !== mode)];
    for (const ref of wanted) {
      const n = this.findAtCreate(ref);
      out[n.name] = emptySettings(requests.get(ref) ?? {}, false);
    }
    return out;
  }

  /** The engine answers an unknown network at create with a 400: a 404 would send the CLI pulling the image. */
  private findAtCreate(ref: string): Network {
    try {
      return this.ctl.get(ref);
    } catch (e) {
      if (e instanceof NetworkError) throw new BoxlabError('InvalidArgument', `network ${ref} not found`);
      throw e;
    }
  }

  /** At start: the sandbox and an endpoint per network; the record's Networks then show the addresses. */
  attach(rec: ContainerRecord): void {
    const old = this.ctl.sandboxOf(rec.id);
    if (old) this.ctl.deleteSandbox(old);
    const linked = this.linkedHosts(rec);
    const sb = this.ctl.createSandbox({
      containerId: rec.id,
      containerName: rec.name.replace(/^\//, ''),
      hostname: rec.config.Hostname,
      ...(rec.config.Domainname ? { domainname: rec.config.Domainname } : {}),
      // moby buildSandboxOptions: the --add-host records, then the legacy links' (default bridge)
      ...withLinks(nameServiceOf(rec.hostConfig, this.ctl.list().find((n) => n.name === 'bridge')?.pools[0]?.gateway), linked),
    });
    try {
      for (const [name, s] of Object.entries(rec.networks)) {
        const n = this.ctl.get(s.NetworkID || name);
        const ep = this.ctl.join(sb, n.id, joinOptions(rec, s));
        rec.networks[name] = settingsOf(n, ep, s);
      }
    } catch (e) {
      this.ctl.deleteSandbox(sb);
      this.clear(rec);
      throw e;
    }
    rec.sandboxId = sb.id;
  }

  /**
   * The /etc/hosts lines of the container's legacy links (only with an entry on the default bridge);
   * a child that is not running refuses the start (daemon setupLinkedContainers, checked at start).
   */
  private linkedHosts(rec: ContainerRecord): { ip: string; hosts: string }[] {
    return linkedHosts(rec, (ref) => this.findContainer(ref));
  }

  /** The environment legacy links give every process of the container (start and exec). */
  linkEnv(rec: ContainerRecord): string[] {
    return linkedEnv(rec, (ref) => this.findContainer(ref));
  }

  private findContainer(ref: string): ContainerRecord | undefined {
    try {
      return this.access().get(ref);
    } catch {
      return undefined;
    }
  }

  /**
   * After a restart of the daemon: containers that were running died with the old one, so their
   * endpoints are gone (their entries stay, emptied, as after a stop).
   */
  async settle(): Promise<void> {
    const c = this.access();
    for (const rec of c.all()) {
      if (rec.state.Running || this.ctl.sandboxOf(rec.id)) continue;
      if (Object.values(rec.networks).every((e) => e.EndpointID === '')) continue;
      this.clear(rec);
      await c.saveRecord(rec);
    }
  }

  /** At stop: endpoints released, addresses back to the pools; the entries stay, emptied. */
  detach(rec: ContainerRecord): void {
    const sb = this.ctl.sandboxOf(rec.id);
    if (sb) this.ctl.deleteSandbox(sb);
    this.clear(rec);
  }

  /** The entries stay, without endpoint or addresses; SandboxID stays too until the next start (measured). */
  private clear(rec: ContainerRecord): void {
    for (const [name, s] of Object.entries(rec.networks)) rec.networks[name] = { ...s, ...EMPTY_ENDPOINT, NetworkID: s.NetworkID };
  }

  /** The three files of a running container (the host's for --network host). */
  etcFiles(rec: ContainerRecord): EtcFiles {
    // --network container:X: X's files, as moby's initializeNetworking points the paths at them
    const joined = joinedNetns(rec);
    if (joined !== rec.id) return this.etcFiles(this.access().get(joined));
    const sb = this.ctl.sandboxOf(rec.id);
    // the host's network namespace: the host's own hosts and resolv.conf (measured)
    if (rec.hostConfig.NetworkMode === 'host') return { hostname: `${rec.config.Hostname}\n`, hosts: hostFile('/etc/hosts'), resolvConf: this.ctl.hostResolvConf };
    if (!sb) return { hostname: `${rec.config.Hostname}\n`, hosts: '', resolvConf: this.ctl.hostResolvConf };
    return { hostname: this.ctl.hostnameFile(sb), hosts: sb.hosts, resolvConf: this.ctl.resolvConf(sb) };
  }

  /** What the container's processes see of their network namespace. */
  stack(containerId: string): NetStack {
    return networkStack(this.ctl, () => this.ctl.sandboxOf(containerId));
  }

  /**
   * `network connect`. Running: a new endpoint now. Not running (daemon ConnectToNetwork): the entry
   * is only recorded, after the checks updateNetworkConfig makes; a network that does not exist is
   * recorded under the name given, unchecked; a network already recorded keeps its entry (all measured).
   */
  async connect(netRef: string, containerRef: string, req: EndpointRequest = {}): Promise<void> {
    const c = this.access();
    const rec = c.get(containerRef);
    const sb = this.ctl.sandboxOf(rec.id);
    let n: Network | undefined;
    if (sb) {
      n = this.ctl.get(netRef);
      const ep = this.ctl.join(sb, n.id, { ...requestJoin(req), fromConnect: true });
      rec.networks[n.name] = settingsOf(n, ep, emptySettings(req, true));
      c.refreshEtcFiles?.(rec);
    } else {
      n = this.findQuietly(netRef);
      // daemon updateNetworkSettings: an entry for this network already recorded stays as it is
      // (measured: created with --network-alias a, connect --alias b: Aliases stay ["a"])
      const held = n && Object.entries(rec.networks).some(([k, s]) => k === n?.name || (s.NetworkID !== '' && s.NetworkID === n?.id));
      if (n && held) checkStopped(n, rec, req);
      else if (n) {
        checkStopped(n, rec, req);
        const s = emptySettings(req, true);
        if (NetworkRegistry.isUserDefined(n)) s.Aliases = [...(req.Aliases ?? []), rec.id.slice(0, 12)];
        rec.networks[n.name] = s;
      } else rec.networks[netRef] = emptySettings(req, true);
    }
    await c.saveRecord(rec);
    if (n) this.events.emit('network', 'connect', n.id, { container: rec.id, name: n.name, type: n.driver });
  }

  private findQuietly(ref: string): Network | undefined {
    try {
      return this.ctl.get(ref);
    } catch {
      return undefined;
    }
  }

  /** `network disconnect [-f]`; `force` lets a stopped container drop an entry whose network is gone. */
  async disconnect(netRef: string, containerRef: string, force = false): Promise<void> {
    const c = this.access();
    const rec = c.get(containerRef);
    const sb = this.ctl.sandboxOf(rec.id);
    // daemon DisconnectFromNetwork: a container that is not running (or a forced disconnect from a
    // network that is gone) only loses its entry, looked up by the name given (measured: "not
    // connected to the network nosuch", not "network nosuch not found")
    const n = sb && !force ? this.ctl.get(netRef) : this.findQuietly(netRef);
    const name = n?.name ?? netRef;
    if (sb && n) {
      this.ctl.leave(sb, n.id);
      c.refreshEtcFiles?.(rec);
    } else {
      if (n?.driver === 'host') throw new NetworkError('HostNetworkChange', 'cannot leave the host network', { network: n.name });
      if (!(name in rec.networks)) {
        // daemon DisconnectFromNetwork's own words for a container that is not running
        throw new NetworkError('NotConnected', `${rec.id} is not connected to ${netRef}`, { network: netRef, containerId: rec.id, stopped: true });
      }
    }
    delete rec.networks[name];
    await c.saveRecord(rec);
    if (n) this.events.emit('network', 'disconnect', n.id, { container: rec.id, name: n.name, type: n.driver });
  }
}

/** HostConfig.NetworkMode → the network joined first: default is the bridge; container: joins none of its own. */
function modeNetwork(mode: string): string | undefined {
  if (mode === '' || mode === 'default') return 'bridge';
  if (mode.startsWith('container:')) return undefined;
  return mode;
}

const EMPTY_ENDPOINT = {
  EndpointID: '',
  Gateway: '',
  IPAddress: '',
  IPPrefixLen: 0,
  IPv6Gateway: '',
  GlobalIPv6Address: '',
  GlobalIPv6PrefixLen: 0,
  MacAddress: '',
};

/** A Networks entry before its endpoint exists. `network connect` sends an EndpointConfig: {} not null. */
function emptySettings(req: EndpointRequest, fromConnect: boolean): EndpointSettings {
  const ipam = req.IPAMConfig && (req.IPAMConfig.IPv4Address || req.IPAMConfig.IPv6Address) ? { ...req.IPAMConfig } : fromConnect ? {} : null;
  return {
    IPAMConfig: ipam,
    Links: req.Links && req.Links.length > 0 ? [...req.Links] : null,
    Aliases: req.Aliases ? [...req.Aliases] : null,
    NetworkID: '',
    ...EMPTY_ENDPOINT,
    DriverOpts: fromConnect ? {} : null,
  };
}

function requestJoin(req: EndpointRequest): { aliases?: string[]; ipv4?: string; links?: Record<string, string> } {
  return {
    ...(req.Links && req.Links.length > 0 ? { links: Object.fromEntries(req.Links.map(parseLink).map((l) => [l.alias, l.name])) } : {}),
    ...(req.Aliases && req.Aliases.length > 0 ? { aliases: [...req.Aliases] } : {}),
    ...(req.IPAMConfig?.IPv4Address ? { ipv4: req.IPAMConfig.IPv4Address } : {}),
  };
}

/** The join a start makes from a recorded entry: its aliases (without the short ID the daemon added) and --ip. */
function joinOptions(rec: ContainerRecord, s: EndpointSettings): { aliases?: string[]; ipv4?: string; fromConnect: boolean; links?: Record<string, string> } {
  const short = rec.id.slice(0, 12);
  const aliases = (s.Aliases ?? []).filter((a) => a !== short);
  // daemon buildJoinOptions: each Links entry becomes a name only this endpoint resolves
  const links = Object.fromEntries((s.Links ?? []).map(parseLink).map((l) => [l.alias, l.name]));
  return {
    ...(aliases.length > 0 ? { aliases } : {}),
    ...(s.Links && s.Links.length > 0 ? { links } : {}),
    ...(s.IPAMConfig?.IPv4Address ? { ipv4: s.IPAMConfig.IPv4Address } : {}),
    fromConnect: s.DriverOpts !== null,
  };
}

/** The entry of a joined endpoint; on the default bridge Aliases stay as recorded (null from run, [] from connect). */
function settingsOf(n: Network, ep: Endpoint, recorded: EndpointSettings): EndpointSettings {
  const s = endpointSettings(n, ep) as unknown as EndpointSettings;
  const aliases = NetworkRegistry.isUserDefined(n) ? s.Aliases : recorded.Aliases;
  return { ...s, Links: recorded.Links, Aliases: aliases, IPAMConfig: recorded.IPAMConfig, DriverOpts: recorded.DriverOpts };
}

/** The checks a connect of a stopped container makes before recording the network. */
function checkStopped(n: Network, rec: ContainerRecord, req: EndpointRequest): void {
  const mode = String(rec.hostConfig.NetworkMode ?? 'default');
  if (mode === 'none') throw new NetworkError('PrivateNetworkMode', 'none is private', { network: n.name });
  if (mode === 'host' || mode.startsWith('container:')) throw new NetworkError('SharedNetworkNamespace', 'shared namespace', { network: n.name });
  if (n.driver === 'host') throw new NetworkError('HostNetworkChange', 'cannot join the host network', { network: n.name });
  if ((req.Aliases?.length ?? 0) > 0 && !NetworkRegistry.isUserDefined(n)) {
    throw new NetworkError('AliasOnDefaultNetwork', 'aliases on the default bridge', { network: n.name });
  }
  if (req.IPAMConfig?.IPv4Address && !NetworkRegistry.isUserDefined(n)) {
    throw new NetworkError('StaticIpOnDefaultNetwork', '--ip on the default bridge', { network: n.name });
  }
  if (req.IPAMConfig?.IPv4Address && !n.pools.some((p) => p.userConfigured)) {
    throw new NetworkError('StaticIpNeedsUserSubnet', `${n.name} has no user-configured subnet`, { network: n.name });
  }
}

/** The drivers a 20.10 daemon has built in; any other name is looked up as a plugin. */
const BUILTIN_DRIVERS = ['bridge', 'host', 'null', 'overlay', 'macvlan', 'ipvlan'];

/**
 * What the daemon refuses before libnetwork sees the request: a subnet Go's net.ParseCIDR rejects
 * (daemon/network.go getIpamConfig, its words), and a driver that is neither built in nor a plugin
 * (pkg/plugins lookup: `plugin "NAME" not found`, a not-found).
 */
function checkCreateRequest(body: NetworkCreateBody): void {
  for (const c of body.IPAM?.Config ?? []) {
    if (!c.Subnet) continue;
    try {
      parseSubnet(c.Subnet);
    } catch {
      throw new BoxlabError('InvalidArgument', `Invalid subnet ${c.Subnet} : invalid CIDR address: ${c.Subnet}`);
    }
  }
  if (body.Driver && !BUILTIN_DRIVERS.includes(body.Driver)) throw new BoxlabError('NotFound', `plugin "${body.Driver}" not found`);
}

function readSaved(file: string): Saved | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Saved;
  } catch {
    return undefined;
  }
}

function hostFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** The host's resolver configuration, which a container on the default bridge copies (resolvconf.Get). */
function hostResolvConf(): string {
  return hostFile('/etc/resolv.conf');
}

/** Whose network namespace a container's processes live in: its own, or X's with `--network container:X`. */
export function joinedNetns(rec: ContainerRecord): string {
  const mode = rec.hostConfig.NetworkMode;
  return typeof mode === 'string' && mode.startsWith('container:') ? mode.slice('container:'.length) : rec.id;
}

function withLinks<T extends { extraHosts: unknown[] }>(ns: T, linked: T['extraHosts']): T {
  return { ...ns, extraHosts: [...ns.extraHosts, ...linked] };
}
