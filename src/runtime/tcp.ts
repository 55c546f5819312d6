/**
 * TCP in a network namespace, as the model runs it: a socket bound to a port listens, a connect to
 * that port is queued on its backlog (the kernel completes the handshake before accept(2) is
 * called), and an accepted connection is a pair of byte streams, one pipe each way (stream.ts), so
 * that closing one side's reading end makes the other's writes fail (EPIPE) and closing one side's
 * writing end is the FIN the other reads as end of file. Nothing here is a real socket: a published
 * port's real listener lives in the daemon (engine/published.ts) and feeds these streams.
 *
 * Binding follows inet_csk_get_port without SO_REUSEADDR subtleties: a port is taken in a namespace
 * if a socket holds it on the same address or on the wildcard 0.0.0.0 (EADDRINUSE, as busybox
 * reports "bind: Address already in use").
 */
import { SysError } from './errno.js';
import { Pipe, until, type Sink, type Source } from './stream.js';

/** One side of an established connection. */
export interface TcpEnd {
  readonly reader: Source;
  readonly writer: Sink;
  /** The peer's address and port ("172.17.0.3:41234"), as accept(2) or getpeername(2) gives them. */
  readonly remote: string;
  /** Both directions closed (the socket's last descriptor went). */
  close(): void;
}

/** A pipe end closed at most once, however many ways its socket is shut (shutdown, close, reset). */
function once<T extends Source | Sink>(x: T): T {
  let closed = false;
  return Object.assign(Object.create(x) as T, {
    close: () => {
      if (closed) return;
      closed = true;
      x.close();
    },
  });
}

/** A connection: the client's end and the server's end of two pipes. */
function connection(client: string, server: string): { client: TcpEnd; server: TcpEnd } {
  const up = new Pipe();
  const down = new Pipe();
  const end = (r: Source, w: Sink, remote: string): TcpEnd => {
    const reader = once(r);
    const writer = once(w);
    return {
      reader,
      writer,
      remote,
      close: () => {
        reader.close();
        writer.close();
      },
    };
  };
  return { client: end(down.reader, up.writer, server), server: end(up.reader, down.writer, client) };
}

/** A socket in LISTEN: connections wait in its backlog until accepted. */
export class TcpListener {
  private readonly backlog: TcpEnd[] = [];
  private closedFlag = false;
  private wake!: () => void;
  private changed!: Promise<void>;

  constructor(
    readonly ip: string,
    readonly port: number,
    private readonly onClose: (l: TcpListener) => void,
  ) {
    this.renew();
  }
  private renew(): void {
    this.changed = new Promise((r) => (this.wake = r));
  }
  private notify(): void {
    this.wake();
    this.renew();
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** A client's connect: queued, its end returned at once (the handshake is the kernel's). */
  enqueue(from: string): TcpEnd {
    if (this.closedFlag) throw new SysError('ECONNREFUSED');
    const c = connection(from, `${this.ip}:${this.port}`);
    this.backlog.push(c.server);
    this.notify();
    return c.client;
  }

  /** accept(2): the oldest queued connection, waiting for one; EINVAL once the socket is closed. */
  async accept(abort?: AbortSignal): Promise<TcpEnd> {
    for (;;) {
      if (abort?.aborted) throw abort.reason;
      const next = this.backlog.shift();
      if (next) return next;
      if (this.closedFlag) throw new SysError('EINVAL', 'accept');
      await until(this.changed, abort);
    }
  }

  /** close(2) of the listening socket: connections not yet accepted are reset. */
  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    for (const c of this.backlog.splice(0)) c.close();
    this.onClose(this);
    this.notify();
  }
}

/** The TCP sockets of one network namespace. */
export class TcpSockets {
  private readonly listeners = new Set<TcpListener>();

  /** bind(2) + listen(2) on ip:port (0.0.0.0: every address of the namespace). */
  listen(port: number, ip = '0.0.0.0'): TcpListener {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new SysError('EINVAL', 'bind');
    for (const l of this.listeners) {
      if (l.port === port && (l.ip === ip || l.ip === '0.0.0.0' || ip === '0.0.0.0')) throw new SysError('EADDRINUSE', 'bind');
    }
    const l = new TcpListener(ip, port, (x) => this.listeners.delete(x));
    this.listeners.add(l);
    return l;
  }

  /** Which socket a SYN to ip:port finds (its own address first, then the wildcard). */
  listenerFor(ip: string, port: number): TcpListener | undefined {
    const all = [...this.listeners].filter((l) => l.port === port);
    return all.find((l) => l.ip === ip) ?? all.find((l) => l.ip === '0.0.0.0');
  }

  /** A connect from `from` to ip:port of this namespace; ECONNREFUSED when nothing listens (RST). */
  connect(ip: string, port: number, from: string): TcpEnd {
    const l = this.listenerFor(ip, port);
    if (!l) throw new SysError('ECONNREFUSED');
    return l.enqueue(from);
  }

  /** Ports in LISTEN, as /proc/net/tcp or `netstat -ltn` would list them. */
  listening(): { ip: string; port: number }[] {
    return [...this.listeners].map((l) => ({ ip: l.ip, port: l.port }));
  }

  /** The namespace goes (the container stopped): every socket closes. */
  closeAll(): void {
    for (const l of [...this.listeners]) l.close();
  }
}
