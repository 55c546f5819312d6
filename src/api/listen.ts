/**
 * Where the daemon listens, as dockerd's `-H` says (daemon/listeners): a unix socket created 0660
 * (group `docker` when there is one, as dockerd does), or TCP, with mutual TLS under --tlsverify
 * (the server asks for a client certificate and accepts only one its CA signed). A TCP listener on
 * an address other than loopback without --tlsverify is refused: anyone who reaches it would drive
 * the daemon (dockerd 20.10 only warns, and newer ones refuse too).
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { Server } from 'node:net';
import { Address4, Address6 } from 'ip-address';
import { BoxlabError } from '../errors.js';

export type Host = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

export interface TlsFiles {
  ca: string;
  cert: string;
  key: string;
}

/** `unix:///path`, `tcp://host:port` (port 2375, or 2376 with TLS, when missing), as dockerd parses -H. */
export function parseHost(spec: string, tls: boolean): Host {
  if (spec.startsWith('unix://')) {
    const path = spec.slice('unix://'.length);
    if (!path.startsWith('/')) throw new BoxlabError('InvalidArgument', `invalid unix socket path in -H ${spec}: it must be absolute`);
    return { kind: 'unix', path };
  }
  if (spec.startsWith('tcp://')) {
    const rest = spec.slice('tcp://'.length);
    const m = /^(\[[^\]]+\]|[^:]*)(?::(\d+))?$/.exec(rest);
    if (!m) throw new BoxlabError('InvalidArgument', `invalid tcp address in -H ${spec}`);
    const host = (m[1] || '127.0.0.1').replace(/^\[|\]$/g, '');
    return { kind: 'tcp', host, port: m[2] ? Number(m[2]) : tls ? 2376 : 2375 };
  }
  throw new BoxlabError('InvalidArgument', `unsupported -H ${spec}: boxlab listens on unix://PATH or tcp://HOST:PORT`);
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (Address4.isValid(host)) return new Address4(host).isLoopback();
  if (Address6.isValid(host)) return new Address6(host).isLoopback();
  return false;
}

export function hostString(h: Host): string {
  return h.kind === 'unix' ? h.path : `${h.host.includes(':') ? `[${h.host}]` : h.host}:${h.port}`;
}

/** The group dockerd gives its socket: `docker`, when the machine has one. */
function dockerGid(): number | undefined {
  try {
    const line = fs
      .readFileSync('/etc/group', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('docker:'));
    const gid = Number(line?.split(':')[2]);
    return Number.isInteger(gid) ? gid : undefined;
  } catch {
    return undefined;
  }
}

function listening(server: Server, arg: string | { host: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const done = () => {
      server.off('error', reject);
      resolve();
    };
    if (typeof arg === 'string') server.listen(arg, done);
    else server.listen(arg.port, arg.host, done);
  });
}

/** Starts one listener; the socket file is made with mode 0660 from the start (umask), as dockerd's. */
export async function listen(
  h: Host,
  handler: http.RequestListener,
  opts: { tls?: TlsFiles; tlsVerify: boolean },
): Promise<Server> {
  if (h.kind === 'tcp' && !opts.tlsVerify && !isLoopback(h.host))
    throw new BoxlabError(
      'InvalidArgument',
      `refusing to listen on tcp://${hostString(h)} without --tlsverify: anyone who can reach that address would control the daemon; ` +
        'listen on a loopback address (127.0.0.1), or give --tlsverify with --tlscacert, --tlscert and --tlskey',
    );
  // Go's http.Server reads request headers up to 1 MB (DefaultMaxHeaderBytes), then answers 431
  const maxHeaderSize = 1 << 20;
  const server = opts.tls
    ? https.createServer({
        maxHeaderSize,
        ca: fs.readFileSync(opts.tls.ca),
        cert: fs.readFileSync(opts.tls.cert),
        key: fs.readFileSync(opts.tls.key),
        requestCert: opts.tlsVerify,
        rejectUnauthorized: opts.tlsVerify,
        minVersion: 'TLSv1.2',
      }, handler)
    : http.createServer({ maxHeaderSize }, handler);
  // `Connection: Upgrade` (attach, exec start): Node hands those to 'upgrade'; route them like any
  // request, with a response bound to the socket, so the handler can answer an error or hijack it
  server.on('upgrade', (req: http.IncomingMessage, socket: import('node:net').Socket, head: Buffer) => {
    if (head.length) socket.unshift(head);
    const res = new http.ServerResponse(req);
    res.assignSocket(socket);
    res.shouldKeepAlive = false;
    handler(req, res);
  });
  if (h.kind === 'tcp') {
    await listening(server, { host: h.host, port: h.port });
    return server;
  }
  fs.rmSync(h.path, { force: true }); // a socket left by a daemon that died (dockerd removes it too)
  const old = process.umask(0o117);
  try {
    await listening(server, h.path);
  } finally {
    process.umask(old);
  }
  fs.chmodSync(h.path, 0o660);
  const gid = dockerGid();
  if (gid !== undefined && process.getuid?.() === 0) fs.chownSync(h.path, 0, gid);
  return server;
}
