/**
 * Published ports, made real: the port allocator (network/ports.ts) picks the host ports, and for
 * each binding the daemon opens a real TCP listener on the host, as docker-proxy (the userland
 * proxy, moby/libnetwork cmd/proxy/tcp_proxy.go) does for every binding in 20.10. Each accepted
 * connection is forwarded as a byte stream to the container's model listener on the container port
 * (runtime/tcp.ts); when nothing listens there the proxy's dial fails and it closes the client's
 * connection, as tcp_proxy.go's clientLoop does. The listeners close when the container's network
 * goes (stop, kill, death, rm) and open again at its next start.
 *
 * This service also holds each running container's TCP sockets, so that a container's `wget` can
 * reach another's `httpd` and a published port can reach either.
 */
import * as net from 'node:net';
import { BoxlabError } from '../errors.js';
import { PortMapper, type PortBinding, type PortRequest, type Proto } from '../network/index.js';
import { SysError } from '../runtime/errno.js';
import { TcpSockets, type TcpEnd } from '../runtime/tcp.js';
import type { ContainerRecord } from './containers/record.js';

/** GET /containers/json's Ports entries (moby types.Port). */
export interface ApiPort {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: string;
}

type PortsJson = Record<string, { HostIp: string; HostPort: string }[] | null>;

export class PublishedPorts {
  readonly mapper = new PortMapper();
  /** dockerd --ip: where a binding without a host IP listens (default 0.0.0.0, and [::] with it). */
  defaultIp = '0.0.0.0';
  private readonly sockets = new Map<string, TcpSockets>();
  private readonly servers = new Map<string, net.Server[]>();
  /** The proxied connections of each container: docker-proxy's death at stop ends them all. */
  private readonly conns = new Map<string, Set<net.Socket>>();
  /** Where the proxy's connections come from: the gateway of each container's published network. */
  private readonly gateways = new Map<string, string>();
  private ephemeral = 32767;

  /** The TCP sockets of a running container's network namespace. */
  socketsOf(containerId: string): TcpSockets {
    let s = this.sockets.get(containerId);
    if (!s) this.sockets.set(containerId, (s = new TcpSockets()));
    return s;
  }

  /** A source port for a connection the model makes (ip_local_port_range's first, then on). */
  nextEphemeral(): number {
    this.ephemeral = this.ephemeral >= 60999 ? 32768 : this.ephemeral + 1;
    return this.ephemeral;
  }

  /**
   * At start, after the endpoints exist: allocate the host ports and listen on them for real. All or
   * nothing: a failure releases what was taken and fails the start.
   */
  async publish(rec: ContainerRecord, bridge: string, containerIp: string, gateway = ''): Promise<void> {
    const reqs = portRequests(rec, this.defaultIp);
    // a start that follows a death the runtime has not cleaned up yet (a restart policy) rebinds its own ports
    await this.unpublish(rec.id);
    if (reqs.length === 0) return;
    this.gateways.set(rec.id, gateway);
    const bindings = this.mapper.mapAll(rec.id, bridge, containerIp, reqs);
    const servers: net.Server[] = [];
    this.servers.set(rec.id, servers);
    try {
      for (const b of bindings) if (b.proto === 'tcp') servers.push(...(await this.listenFor(rec.id, b)));
    } catch (e) {
      await this.unpublish(rec.id);
      throw e;
    }
  }

  private async listenFor(containerId: string, b: PortBinding): Promise<net.Server[]> {
    const forward = (sock: net.Socket) => this.forward(containerId, b, sock);
    const first = await listenOn(b.hostIp, b.hostPort, forward);
    if (!b.allAddresses) return [first];
    // docker-proxy listens on [::] too when the host has IPv6; without it only the IPv4 one counts
    const v6 = await listenOn('::', b.hostPort, forward, true).catch(() => undefined);
    return v6 ? [first, v6] : [first];
  }

  /** One proxied connection: the host socket's bytes into the container's listener and back. */
  private forward(containerId: string, b: PortBinding, sock: net.Socket): void {
    const live = this.conns.get(containerId) ?? new Set<net.Socket>();
    this.conns.set(containerId, live);
    live.add(sock);
    sock.on('close', () => live.delete(sock));
    let end: TcpEnd;
    try {
      end = this.socketsOf(containerId).connect(b.containerIp, b.containerPort, `${this.gateways.get(containerId) ?? ''}:${this.nextEphemeral()}`);
    } catch {
      sock.resetAndDestroy(); // the proxy's dial failed: the client reads a reset (measured: curl (56) Connection reset by peer)
      return;
    }
    pump(sock, end);
  }

  /** At stop, kill, death or rm: the host listeners close and the host ports are free again. */
  async unpublish(containerId: string): Promise<void> {
    const servers = this.servers.get(containerId) ?? [];
    this.servers.delete(containerId);
    this.gateways.delete(containerId);
    this.mapper.unmap(containerId);
    const closed = Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    for (const sock of this.conns.get(containerId) ?? []) sock.destroy();
    this.conns.delete(containerId);
    await closed;
  }

  /** The namespace went: its sockets close (a server's clients then read end of file). */
  closeSockets(containerId: string): void {
    this.sockets.get(containerId)?.closeAll();
    this.sockets.delete(containerId);
  }

  /**
   * A container's connect to a host address (the gateway): the published port's proxy answers it,
   * as the DOCKER chain's DNAT and docker-proxy do; nothing else listens on the host in the model.
   */
  hostConnect(ip: string, port: number, from: string): TcpEnd {
    const b = this.mapper.lookup(ip, port, 'tcp');
    if (!b) throw new SysError('ECONNREFUSED');
    return this.socketsOf(b.containerId).connect(b.containerIp, b.containerPort, from);
  }

  /** NetworkSettings.Ports of a running container: every exposed port, null when not published. */
  portsJson(rec: ContainerRecord): PortsJson {
    const out: PortsJson = {};
    for (const key of Object.keys(rec.config.ExposedPorts ?? {})) out[key] = null;
    for (const [key, list] of Object.entries(this.mapper.portsJson(rec.id))) out[key] = list;
    return out;
  }

  /**
   * GET /containers/json's Ports: a row per host address of a published port, one per exposed one;
   * none for a container that is not running (measured: a created one's PORTS column is empty).
   */
  apiPorts(rec: ContainerRecord, running: boolean): ApiPort[] {
    const out: ApiPort[] = [];
    if (!running) return out;
    for (const [key, list] of Object.entries(this.portsJson(rec))) {
      const [port, type = 'tcp'] = key.split('/');
      if (!list) out.push({ PrivatePort: Number(port), Type: type });
      else for (const h of list) out.push({ IP: h.HostIp, PrivatePort: Number(port), PublicPort: Number(h.HostPort), Type: type });
    }
    return out;
  }
}

/**
 * The bindings a start asks for (moby daemon/container_operations.go buildPortMapInfo): each
 * PortBindings entry, and with -P every exposed port without one gets a binding whose host port
 * the allocator picks. A binding without a host IP uses the daemon's --ip.
 */
export function portRequests(rec: ContainerRecord, defaultIp: string): PortRequest[] {
  const bindings = { ...(rec.hostConfig.PortBindings ?? {}) } as Record<string, { HostIp?: string; HostPort?: string }[] | null>;
  if (rec.hostConfig.PublishAllPorts) {
    for (const key of Object.keys(rec.config.ExposedPorts ?? {})) if (!bindings[key]?.length) bindings[key] = [{}];
  }
  const out: PortRequest[] = [];
  for (const [key, list] of Object.entries(bindings)) {
    const [port, proto = 'tcp'] = key.split('/');
    for (const b of list ?? []) {
      const hostIp = b.HostIp || (defaultIp === '0.0.0.0' ? undefined : defaultIp);
      out.push({ containerPort: Number(port), proto: proto as Proto, ...(hostIp ? { hostIp } : {}), hostPort: Number(b.HostPort || 0) });
    }
  }
  return out;
}

/** A real listen(2), failing as docker-proxy's does when something else holds the port. */
function listenOn(host: string, port: number, onConn: (s: net.Socket) => void, ipv6Only = false): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer(onConn);
    server.once('error', (e: NodeJS.ErrnoException) => {
      const fam = host.includes(':') ? 'tcp6' : 'tcp4';
      const addr = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
      reject(
        new BoxlabError('AlreadyExists', `listen ${fam} ${addr}: bind: ${e.code === 'EADDRINUSE' ? 'address already in use' : e.message}`, {
          member: 'userland-proxy',
        }),
      );
    });
    server.listen({ host, port, ipv6Only, exclusive: true }, () => resolve(server));
  });
}

/** Bytes both ways between a host socket and a model connection, with backpressure each way. */
function pump(sock: net.Socket, end: TcpEnd): void {
  sock.on('data', (chunk: Buffer) => {
    sock.pause();
    end.writer.write(new Uint8Array(chunk)).then(
      () => sock.resume(),
      () => sock.destroy(),
    );
  });
  sock.on('end', () => end.writer.close());
  sock.on('close', () => end.close());
  sock.on('error', () => end.close());
  void (async () => {
    for (;;) {
      const data = await end.reader.read(65536).catch(() => null);
      if (data === null) break;
      if (!sock.write(data)) await new Promise<void>((r) => sock.once('drain', () => r()));
    }
    sock.end();
  })();
}
