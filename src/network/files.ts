/**
 * The three files the engine writes for a container: /etc/hostname, /etc/hosts and /etc/resolv.conf,
 * with the text 20.10 writes (measured: test/network/fixtures/transcripts/bridge.txt).
 *
 * /etc/hosts (libnetwork etchosts): the default block, --add-host records, then one "IP\tHOSTNAME"
 * line appended per network joined. Leaving a network deletes every line whose names END with
 * "\t" + a name that network's DNS knows (etchosts.Delete matches by suffix only): with the default
 * hostname (the short ID, which is also an alias on user networks), leaving a user network removes
 * the container's lines for ALL its networks. Measured: connect back, connect front, disconnect back,
 * connect third, disconnect bridge → only the third network's line is left.
 */

/** etchosts.defaultContent and the IPv6 block, in order. */
const DEFAULT_HOSTS: readonly (readonly [string, string])[] = [
  ['127.0.0.1', 'localhost'],
  ['::1', 'localhost ip6-localhost ip6-loopback'],
  ['fe00::0', 'ip6-localnet'],
  ['ff00::0', 'ip6-mcastprefix'],
  ['ff02::1', 'ip6-allnodes'],
  ['ff02::2', 'ip6-allrouters'],
];

export interface HostsRecord {
  readonly ip: string;
  readonly hosts: string;
}

export function hostsRecordLine(r: HostsRecord): string {
  return `${r.ip}\t${r.hosts}\n`;
}

/** etchosts.Build: the default block then the extra records (--add-host). */
export function buildHosts(extra: readonly HostsRecord[] = []): string {
  return [...DEFAULT_HOSTS.map(([ip, hosts]) => ({ ip, hosts })), ...extra].map(hostsRecordLine).join('');
}

/**
 * The record a joined endpoint adds (sandbox updateHostsFile): the FQDN (hostname, then .domainname if
 * any) and, when it has a dot, its first label (measured: --hostname web.local → "web.local web").
 */
export function selfRecord(ip: string, hostname: string, domainname?: string): HostsRecord {
  const fqdn = domainname ? `${hostname}.${domainname}` : hostname;
  const dot = fqdn.indexOf('.');
  return { ip, hosts: dot >= 0 ? `${fqdn} ${fqdn.slice(0, dot)}` : hostname };
}

/** etchosts.Add: append. */
export function addHosts(text: string, recs: readonly HostsRecord[]): string {
  return text + recs.map(hostsRecordLine).join('');
}

/** etchosts.Delete (20.10): drop empty lines and every line ending in "\t" + a record's hosts. */
export function deleteHosts(text: string, recs: readonly HostsRecord[]): string {
  if (recs.length === 0) return text;
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (!line.startsWith('#') && recs.some((r) => line.endsWith('\t' + r.hosts))) continue;
    out.push(line + '\n');
  }
  return out.join('');
}

/** /etc/hostname: the hostname (the short ID unless --hostname) and a newline. */
export function hostnameFile(hostname: string): string {
  return hostname + '\n';
}

export interface ResolvConf {
  nameservers: string[];
  search: string[];
  options: string[];
}

/** The lines a resolver reads: nameserver, search (or domain), options. */
export function parseResolvConf(text: string): ResolvConf {
  const out: ResolvConf = { nameservers: [], search: [], options: [] };
  for (const raw of text.split('\n')) {
    const [key, ...rest] = raw.trim().split(/\s+/);
    if (key === 'nameserver' && rest[0]) out.nameservers.push(rest[0]);
    else if (key === 'search' || key === 'domain') out.search = rest;
    else if (key === 'options') out.options.push(...rest);
  }
  return out;
}

/** libnetwork resolvconf defaults when no usable nameserver is left. */
export const DEFAULT_DNS = ['8.8.8.8', '8.8.4.4'];

function isLocalhost(ns: string): boolean {
  return ns.startsWith('127.') || ns === '::1';
}

/**
 * The default bridge (no embedded DNS): the host's resolv.conf with loopback nameservers removed
 * (resolvconf.FilterResolvDNS), IPv6 ones too unless the network has IPv6; when none is left,
 * Google's two are appended. Measured: host "nameserver 10.255.255.53" → the same line.
 */
export function bridgeResolvConf(hostText: string, ipv6 = false): string {
  const lines = hostText.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const kept = lines.filter((l) => {
    const m = /^\s*nameserver\s+(\S+)/.exec(l);
    return !m || !(isLocalhost(m[1] as string) || (!ipv6 && (m[1] as string).includes(':')));
  });
  let text = kept.map((l) => l + '\n').join('');
  if (parseResolvConf(text).nameservers.length === 0) text += DEFAULT_DNS.map((ns) => `nameserver ${ns}\n`).join('');
  return text;
}

export const EMBEDDED_DNS = '127.0.0.11';

/**
 * A user network (embedded DNS): resolvconf.Build with the embedded server only, the host's search
 * domains, and its options plus "ndots:0" (the resolver's option). Measured: "nameserver
 * 127.0.0.11\noptions ndots:0\n" on a host without search domains.
 */
export function embeddedResolvConf(hostText: string): string {
  const host = parseResolvConf(hostText);
  let text = '';
  if (host.search.length > 0 && host.search.join(' ').trim() !== '.') text += `search ${host.search.join(' ')}\n`;
  text += `nameserver ${EMBEDDED_DNS}\n`;
  const options = [...host.options.filter((o) => !o.startsWith('ndots:')), 'ndots:0'];
  text += `options ${options.join(' ')}\n`;
  return text;
}
