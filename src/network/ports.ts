/**
 * Published ports: the bridge driver's port mapper and the daemon's port allocator (20.10
 * portallocator). Host ports are kept per host IP and protocol, as the allocator keeps them; a port
 * given twice on one IP is refused ("Bind for 127.0.0.1:18081 failed: port is already allocated",
 * measured). `-p 80` with no host port takes the next free one after the last handed out, from the
 * kernel's ip_local_port_range (32768-60999 by default; measured: 32768, 32769; 49153-65535 only when
 * the file cannot be read). With several ports in one run the engine maps them in map order, so which
 * gets the lower port is not fixed. Without a host IP a
 * binding listens on 0.0.0.0 and [::] (docker-proxy), and `docker port` lists both.
 */
import { NetworkError } from './errors.js';

export type Proto = 'tcp' | 'udp' | 'sctp';

export interface PortRequest {
  proto?: Proto;
  containerPort: number;
  /** -p IP:HOST:CONTAINER; unset means every address (0.0.0.0 and [::]). */
  hostIp?: string;
  /** 0 or unset: the allocator picks one. */
  hostPort?: number;
}

export interface PortBinding {
  readonly containerId: string;
  /** The bridge the container is reached through (its gateway endpoint's). */
  readonly bridge: string;
  readonly containerIp: string;
  readonly proto: Proto;
  readonly containerPort: number;
  readonly hostIp: string;
  readonly hostPort: number;
  /** True when no host IP was given: also listens on [::]. */
  readonly allAddresses: boolean;
}

export const DEFAULT_PORT_RANGE: readonly [number, number] = [32768, 60999];

export class PortMapper {
  private readonly taken = new Map<string, Set<number>>();
  private readonly last = new Map<string, number>();
  private readonly list: PortBinding[] = [];

  constructor(private readonly range: readonly [number, number] = DEFAULT_PORT_RANGE) {}

  /** Map one container port; all of a container's requests should go through mapAll (all or nothing). */
  map(containerId: string, bridge: string, containerIp: string, req: PortRequest): PortBinding {
    const proto = req.proto ?? 'tcp';
    const allAddresses = req.hostIp === undefined || req.hostIp === '';
    const hostIp = allAddresses ? '0.0.0.0' : (req.hostIp as string);
    const key = `${hostIp}/${proto}`;
    const set = this.taken.get(key) ?? new Set<number>();
    const hostPort = req.hostPort ? req.hostPort : this.nextFree(key, set, hostIp);
    if (set.has(hostPort)) {
      throw new NetworkError('PortAllocated', `${hostIp}:${hostPort}/${proto} is allocated`, {
        address: `${hostIp}:${hostPort}`,
        containerId,
      });
    }
    set.add(hostPort);
    this.taken.set(key, set);
    const b: PortBinding = { containerId, bridge, containerIp, proto, containerPort: req.containerPort, hostIp, hostPort, allAddresses };
    this.list.push(b);
    return b;
  }

  mapAll(containerId: string, bridge: string, containerIp: string, reqs: readonly PortRequest[]): PortBinding[] {
    const done: PortBinding[] = [];
    try {
      for (const r of reqs) done.push(this.map(containerId, bridge, containerIp, r));
    } catch (err) {
      for (const b of done) this.release(b);
      throw err;
    }
    return done;
  }

  private nextFree(key: string, set: Set<number>, hostIp: string): number {
    const [begin, end] = this.range;
    const last = this.last.get(key) ?? begin - 1;
    for (let i = 1; i <= end - begin + 1; i++) {
      const port = begin + ((last - begin + i) % (end - begin + 1));
      if (!set.has(port)) {
        this.last.set(key, port);
        return port;
      }
    }
    throw new NetworkError('PortAllocated', `no free host port on ${hostIp}`, { address: hostIp });
  }

  private release(b: PortBinding): void {
    this.taken.get(`${b.hostIp}/${b.proto}`)?.delete(b.hostPort);
    this.list.splice(this.list.indexOf(b), 1);
  }

  /** Container stop: its host ports are free again. */
  unmap(containerId: string): void {
    for (const b of this.list.filter((x) => x.containerId === containerId)) this.release(b);
  }

  /** Bindings in the order they were made (the order of their iptables rules). */
  bindings(): readonly PortBinding[] {
    return this.list;
  }

  /** Which binding a connection to hostIp:port reaches (a specific IP first, then 0.0.0.0). */
  lookup(hostIp: string, hostPort: number, proto: Proto = 'tcp'): PortBinding | undefined {
    const match = (ip: string) => this.list.find((b) => b.hostIp === ip && b.hostPort === hostPort && b.proto === proto);
    return match(hostIp) ?? match('0.0.0.0');
  }

  /** NetworkSettings.Ports for a container: "80/tcp": [{HostIp, HostPort}], both families when unbound. */
  portsJson(containerId: string): Record<string, { HostIp: string; HostPort: string }[]> {
    const out: Record<string, { HostIp: string; HostPort: string }[]> = {};
    for (const b of this.list.filter((x) => x.containerId === containerId)) {
      const key = `${b.containerPort}/${b.proto}`;
      const list = (out[key] ??= []);
      list.push({ HostIp: b.hostIp, HostPort: String(b.hostPort) });
      if (b.allAddresses) list.push({ HostIp: '::', HostPort: String(b.hostPort) });
    }
    return out;
  }
}
