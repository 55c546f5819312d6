/**
 * A container's own name-service settings: `--add-host` records for /etc/hosts and `--dns`,
 * `--dns-search`, `--dns-option` for /etc/resolv.conf (libnetwork sandbox_dns_unix.go setupDNS and
 * rebuildDNS, resolvconf.Build). Nothing here resolves a name: it only writes text.
 */
import { EMBEDDED_DNS, parseResolvConf, type HostsRecord } from './files.js';

export interface DnsConfig {
  readonly servers: readonly string[];
  readonly search: readonly string[];
  readonly options: readonly string[];
}

/**
 * moby daemon/container_operations.go buildSandboxOptions: "NAME:IP" split at the first colon (IP
 * may be IPv6); the IP "host-gateway" is the daemon's HostGatewayIP, docker0's address by default.
 */
export function extraHostRecords(list: readonly string[] | null | undefined, hostGateway?: string): HostsRecord[] {
  return (list ?? []).map((e) => {
    const i = e.indexOf(':');
    const ip = e.slice(i + 1);
    return { hosts: e.slice(0, i), ip: ip === 'host-gateway' && hostGateway ? hostGateway : ip };
  });
}

export function hasCustomDns(d: DnsConfig | undefined): d is DnsConfig {
  return !!d && (d.servers.length > 0 || d.search.length > 0 || d.options.length > 0);
}

/** resolvconf.Build: search (unless "."), one nameserver line each, options. */
function build(servers: readonly string[], search: readonly string[], options: readonly string[]): string {
  let text = '';
  if (search.length > 0 && search.join(' ').trim() !== '.') text += `search ${search.join(' ')}\n`;
  for (const ns of servers) text += `nameserver ${ns}\n`;
  if (options.length > 0) text += `options ${options.join(' ')}\n`;
  return text;
}

/**
 * setupDNS with any of the three flags: each list the user gave replaces the host's, the others
 * are the host's (unfiltered, measured: `--dns 10.0.0.53 --dns-search example.test --dns-option
 * ndots:2` writes exactly those three lines).
 */
export function customResolvConf(hostText: string, d: DnsConfig): string {
  const host = parseResolvConf(hostText);
  return build(
    d.servers.length ? d.servers : host.nameservers,
    d.search.length ? d.search : host.search,
    d.options.length ? d.options : host.options,
  );
}

/**
 * rebuildDNS on a user network: the embedded server first (and the IPv6 servers), the search
 * domains and options kept, and the resolver's "ndots:0" added unless the user set an ndots.
 */
export function embeddedOverCustom(text: string): string {
  const rc = parseResolvConf(text);
  const userNdots = rc.options.some((o) => /^ndots:\d+$/.test(o));
  return build(
    [EMBEDDED_DNS, ...rc.nameservers.filter((ns) => ns.includes(':'))],
    rc.search,
    userNdots ? rc.options : [...rc.options, 'ndots:0'],
  );
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** The sandbox options a HostConfig's ExtraHosts, Dns, DnsSearch and DnsOptions make. */
export function nameServiceOf(h: Readonly<Record<string, unknown>>, hostGateway?: string): { extraHosts: HostsRecord[]; dns: DnsConfig } {
  return {
    extraHosts: extraHostRecords(strings(h.ExtraHosts), hostGateway),
    dns: { servers: strings(h.Dns), search: strings(h.DnsSearch), options: strings(h.DnsOptions) },
  };
}
