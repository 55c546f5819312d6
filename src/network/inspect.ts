/**
 * The JSON shapes the 20.10 API gives for networks (`GET /networks/{id}`, `docker network inspect`)
 * and for a container's NetworkSettings, built from the model. Key order follows the engine's
 * (Go struct order; maps sorted by key as encoding/json sorts them). Samples from the engine here are
 * in test/network/fixtures/.
 */
import { NetworkRegistry, type Endpoint, type Network } from './network.js';
import type { NetworkController, Sandbox } from './sandbox.js';

/** Go's RFC3339Nano: fractional seconds without trailing zeros. */
export function goTime(d: Date): string {
  return d.toISOString().replace(/\.?0+Z$/, 'Z');
}

function sortedObject<T>(entries: [string, T][]): Record<string, T> {
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function networkInspect(n: Network): Record<string, unknown> {
  const containers = [...n.endpoints.values()].map((ep): [string, unknown] => [
    ep.containerId,
    {
      Name: ep.name,
      EndpointID: ep.id,
      MacAddress: ep.mac ?? '',
      IPv4Address: ep.ipv4 ? `${ep.ipv4}/${ep.prefixLen}` : '',
      IPv6Address: ep.ipv6 ? `${ep.ipv6}/${ep.ipv6PrefixLen ?? 64}` : '',
    },
  ]);
  return {
    Name: n.name,
    Id: n.id,
    Created: goTime(n.created),
    Scope: 'local',
    Driver: n.driver,
    EnableIPv6: n.enableIPv6,
    IPAM: {
      Driver: 'default',
      Options: n.ipamOptions === null ? null : { ...n.ipamOptions },
      Config: n.ipamConfig.map((c) => ({
        ...(c.subnet !== undefined ? { Subnet: c.subnet } : {}),
        ...(c.ipRange !== undefined ? { IPRange: c.ipRange } : {}),
        ...(c.gateway !== undefined ? { Gateway: c.gateway } : {}),
      })),
    },
    Internal: n.internal,
    Attachable: n.attachable,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: sortedObject(containers),
    Options: sortedObject(Object.entries(n.options)),
    Labels: sortedObject(Object.entries(n.labels)),
  };
}

/** One entry of NetworkSettings.Networks. */
export function endpointSettings(n: Network, ep: Endpoint): Record<string, unknown> {
  const user = NetworkRegistry.isUserDefined(n);
  const given = ep.requestedIPv4 ? { IPv4Address: ep.requestedIPv4 } : ep.fromConnect ? {} : null;
  return {
    IPAMConfig: given,
    Links: null,
    Aliases: user ? [...ep.aliases] : null,
    NetworkID: n.id,
    EndpointID: ep.id,
    Gateway: ep.gateway ?? '',
    IPAddress: ep.ipv4 ?? '',
    IPPrefixLen: ep.prefixLen,
    IPv6Gateway: ep.ipv6Gateway ?? '',
    GlobalIPv6Address: ep.ipv6 ?? '',
    GlobalIPv6PrefixLen: ep.ipv6PrefixLen ?? 0,
    MacAddress: ep.mac ?? '',
    DriverOpts: ep.fromConnect ? {} : null,
  };
}

export interface SettingsOptions {
  /** dockerd's --exec-root: SandboxKey is <execRoot>/netns/<sandbox id 12>. */
  execRoot?: string;
  /** NetworkSettings.Ports, as the port mapper renders them. */
  ports?: Record<string, unknown>;
}

/**
 * A running container's NetworkSettings. The top-level address fields mirror the endpoint on the
 * default bridge only (empty when the container is not on it), as the 20.10 daemon fills them.
 */
export function networkSettings(ctl: NetworkController, sb: Sandbox, opts: SettingsOptions = {}): Record<string, unknown> {
  const networks = sb.endpoints.map((ep): [string, unknown] => {
    const n = ctl.get(ep.networkId);
    return [n.name, endpointSettings(n, ep)];
  });
  const onBridge = sb.endpoints.find((ep) => {
    const n = ctl.get(ep.networkId);
    return n.predefined && n.name === 'bridge';
  });
  return {
    Bridge: '',
    SandboxID: sb.id,
    HairpinMode: false,
    LinkLocalIPv6Address: '',
    LinkLocalIPv6PrefixLen: 0,
    Ports: opts.ports ?? {},
    SandboxKey: `${opts.execRoot ?? '/var/run/docker'}/netns/${sb.id.slice(0, 12)}`,
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: onBridge?.id ?? '',
    Gateway: onBridge?.gateway ?? '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    IPAddress: onBridge?.ipv4 ?? '',
    IPPrefixLen: onBridge?.prefixLen ?? 0,
    IPv6Gateway: '',
    MacAddress: onBridge?.mac ?? '',
    Networks: sortedObject(networks),
  };
}
