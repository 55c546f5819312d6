/**
 * Legacy links (`docker run --link NAME[:ALIAS]`), as moby 20.10 makes them:
 *
 * - On the default bridge (any NetworkMode that is not user-defined), daemon registerLinks checks each
 *   child at create ("could not get container for NAME: No such container: NAME", an invalid
 *   parameter) and keeps the link in its graph; inspect's HostConfig.Links is built from that graph as
 *   "/CHILD:/PARENT/ALIAS" (daemon/inspect.go). At start, buildSandboxOptions adds one /etc/hosts line
 *   per link, "IP\tALIAS HOSTNAME NAME" (NAME only when it differs from ALIAS), and
 *   setupLinkedContainers refuses a child that is not running ("Cannot link to a non running
 *   container: /CHILD AS /PARENT/ALIAS") and gives every process (start and exec) the child's
 *   environment (docker/links ToEnv).
 * - On a user-defined network the link is not registered (HostConfig.Links shows null); the CLI sends
 *   it in the network's EndpointSettings.Links and libnetwork makes ALIAS a name of NAME that only the
 *   linking endpoint resolves (CreateOptionAlias; sandbox_dns.go resolveName with lookupAlias), with
 *   no check that NAME exists (measured: `--network app --link nosuch:x` runs).
 */
import { BoxlabError, isCode } from '../errors.js';
import type { HostsRecord } from '../network/index.js';
import type { ContainerRecord } from './containers/record.js';

export interface Link {
  /** The child as named in the link (no leading slash). */
  readonly name: string;
  readonly alias: string;
}

/** opts.ParseLink: "NAME:ALIAS" or "NAME" (the alias is then the name); a leading slash is dropped. */
export function parseLink(text: string): Link {
  const [rawName = '', rawAlias] = text.split(':', 2);
  const name = rawName.replace(/^\//, '');
  return { name, alias: rawAlias === undefined || rawAlias === '' ? name : rawAlias };
}

/** runconfig NetworkMode.IsUserDefined: not default, bridge, host, none or container:X. */
export function isUserDefinedMode(mode: unknown): boolean {
  const m = typeof mode === 'string' ? mode : '';
  return !['', 'default', 'bridge', 'host', 'none'].includes(m) && !m.startsWith('container:');
}

/** The links held in the daemon's graph (none for a container on a user-defined network). */
export function legacyLinks(rec: ContainerRecord): Link[] {
  if (isUserDefinedMode(rec.hostConfig.NetworkMode)) return [];
  const seen = new Set<string>();
  const out: Link[] = [];
  // the graph is keyed by "/PARENT/ALIAS": a second link with the same alias adds nothing
  const given: unknown = rec.hostConfig.Links;
  for (const l of Array.isArray(given) ? given : []) {
    const link = parseLink(String(l));
    if (seen.has(link.alias)) continue;
    seen.add(link.alias);
    out.push(link);
  }
  return out;
}

/** inspect's HostConfig.Links: "/CHILD:/PARENT/ALIAS" per registered link, null without any. */
export function inspectLinks(rec: ContainerRecord): string[] | null {
  const links = legacyLinks(rec);
  if (links.length === 0) return null;
  return links.map((l) => `/${l.name}:${rec.name}/${l.alias}`);
}

/**
 * A renamed child keeps its links (the graph holds the container, not the name): the parents'
 * entries follow the new name (measured: rename db db2 → "/db2:/web/d", "d <ID12> db2"). Returns the
 * parents changed.
 */
export function renameLinkChild(all: readonly ContainerRecord[], oldName: string, newName: string): ContainerRecord[] {
  const changed: ContainerRecord[] = [];
  for (const rec of all) {
    const links = rec.hostConfig.Links as unknown;
    if (!Array.isArray(links) || isUserDefinedMode(rec.hostConfig.NetworkMode)) continue;
    const next = links.map((l: unknown) => {
      const link = parseLink(String(l));
      return link.name === oldName.replace(/^\//, '') ? `${newName.replace(/^\//, '')}:${link.alias}` : String(l);
    });
    if (next.some((l, i) => l !== links[i])) {
      (rec.hostConfig as unknown as Record<string, unknown>).Links = next;
      changed.push(rec);
    }
  }
  return changed;
}

/** The /etc/hosts line of one link (daemon buildSandboxOptions: alias, the child's hostname, its name). */
export function linkHostsRecord(link: Link, child: ContainerRecord, ip: string): HostsRecord {
  const childName = child.name.replace(/^\//, '');
  const names = [link.alias, child.config.Hostname, ...(link.alias !== childName ? [childName] : [])];
  return { ip, hosts: names.join(' ') };
}

interface Port {
  readonly port: number;
  readonly proto: string;
}

function exposed(ports: Record<string, unknown> | null | undefined): Port[] {
  return Object.keys(ports ?? {}).map((k) => {
    const [p = '', proto = 'tcp'] = k.split('/');
    return { port: Number(p), proto: proto.toLowerCase() };
  });
}

/** nat.Sort as links.go calls it: by number, tcp first on a tie. */
function byNumber(a: Port, b: Port): number {
  if (a.port !== b.port) return a.port - b.port;
  return (a.proto === 'tcp' ? 0 : 1) - (b.proto === 'tcp' ? 0 : 1);
}

/** links.go nextContiguous: the last index of the run of consecutive numbers starting at `index`. */
function nextContiguous(ports: readonly Port[], index: number): number {
  let value = ports[index]?.port ?? 0;
  for (let i = index + 1; i < ports.length; i++) {
    if ((ports[i]?.port ?? 0) > value + 1) return i - 1;
    value++;
  }
  return ports.length - 1;
}

/**
 * docker/links Link.ToEnv: ALIAS_PORT (the lowest exposed port), _START/_END for runs of consecutive
 * ports, ALIAS_PORT_N_PROTO[_ADDR|_PORT|_PROTO] per port, ALIAS_NAME (the link's full name
 * "/PARENT/ALIAS"), then ALIAS_ENV_K for the child's environment but HOME and PATH.
 */
export function linkEnv(linkName: string, childIp: string, childEnv: readonly string[], exposedPorts: Record<string, unknown> | null | undefined): string[] {
  const alias = (linkName.split('/').pop() ?? '').toUpperCase().replace(/-/g, '_');
  const ports = exposed(exposedPorts).sort(byNumber);
  const env: string[] = [];
  const first = ports[0];
  if (first) env.push(`${alias}_PORT=${first.proto}://${childIp}:${first.port}`);
  for (let i = 0; i < ports.length; ) {
    const p = ports[i] as Port;
    const j = nextContiguous(ports, i);
    if (j > i + 1) {
      const q = ports[j] as Port;
      const key = `${alias}_PORT_${p.port}_${p.proto.toUpperCase()}`;
      env.push(`${key}_START=${p.proto}://${childIp}:${p.port}`, `${key}_ADDR=${childIp}`, `${key}_PROTO=${p.proto}`, `${key}_PORT_START=${p.port}`);
      const endKey = `${alias}_PORT_${p.port}_${q.proto.toUpperCase()}`;
      env.push(`${endKey}_END=${q.proto}://${childIp}:${q.port}`, `${endKey}_PORT_END=${q.port}`);
      i = j + 1;
    } else i++;
  }
  for (const p of ports) {
    const key = `${alias}_PORT_${p.port}_${p.proto.toUpperCase()}`;
    env.push(`${key}=${p.proto}://${childIp}:${p.port}`, `${key}_ADDR=${childIp}`, `${key}_PORT=${p.port}`, `${key}_PROTO=${p.proto}`);
  }
  env.push(`${alias}_NAME=${linkName}`);
  for (const kv of childEnv) {
    const i = kv.indexOf('=');
    if (i < 0) continue;
    const k = kv.slice(0, i);
    if (k === 'HOME' || k === 'PATH') continue;
    env.push(`${alias}_ENV_${k}=${kv.slice(i + 1)}`);
  }
  return env;
}

/** runconfig ErrConflictHostNetworkAndLinks. */
const HOST_AND_LINKS = "conflicting options: host type networking can't be used with links. This would result in undefined behavior";

/**
 * daemon registerLinks at create, for a container not on a user-defined network: each child must
 * exist and not be on the host's network; the links are kept by the child's name (moby keeps the
 * child in its graph, so a link by ID shows the name too).
 */
export function checkLinks(hostConfig: Record<string, unknown> | undefined, find: (ref: string) => ContainerRecord): void {
  const links = hostConfig?.Links;
  if (!hostConfig || !Array.isArray(links) || links.length === 0) return;
  // runconfig validateNetMode: the host's network has no place for a link
  if (hostConfig.NetworkMode === 'host') throw new BoxlabError('InvalidArgument', HOST_AND_LINKS);
  if (isUserDefinedMode(hostConfig.NetworkMode)) return;
  hostConfig.Links = links.map((l: unknown) => {
    const link = parseLink(String(l));
    let child: ContainerRecord;
    try {
      child = find(link.name);
    } catch (e) {
      // moby wraps the not-found as an invalid parameter (moby#39823: a 404 sends the CLI pulling)
      if (isCode(e, 'NotFound')) throw new BoxlabError('InvalidArgument', `could not get container for ${link.name}: ${e.message}`);
      throw e;
    }
    if (child.hostConfig.NetworkMode === 'host') {
      throw new BoxlabError('InvalidArgument', HOST_AND_LINKS);
    }
    return `${child.name.slice(1)}:${link.alias}`;
  });
}

type Find = (ref: string) => ContainerRecord | undefined;

/**
 * The /etc/hosts lines of a container's legacy links (only with an entry on the default bridge); a
 * child that does not run refuses the start. A removed child stays in the daemon's graph, never
 * running again (measured: rm -f db2, then restart web: "Cannot link to a non running container:
 * /db2 AS /web/d").
 */
export function linkedHosts(rec: ContainerRecord, find: Find): HostsRecord[] {
  if (!rec.networks.bridge) return [];
  return legacyLinks(rec).map((l) => {
    const child = find(l.name);
    if (!child?.state.Running) throw new BoxlabError('FailedPrecondition', `Cannot link to a non running container: /${l.name} AS ${rec.name}/${l.alias}`);
    return linkHostsRecord(l, child, child.networks.bridge?.IPAddress ?? '');
  });
}

/** The variables of every running child (daemon setupLinkedContainers), for start and exec. */
export function linkedEnv(rec: ContainerRecord, find: Find): string[] {
  if (!rec.networks.bridge) return [];
  const out: string[] = [];
  for (const l of legacyLinks(rec)) {
    const child = find(l.name);
    const ip = child?.state.Running ? child.networks.bridge?.IPAddress : undefined;
    if (!child || !ip) continue;
    out.push(...linkEnv(`${rec.name}/${l.alias}`, ip, child.config.Env ?? [], child.config.ExposedPorts as Record<string, unknown> | undefined));
  }
  return out;
}
