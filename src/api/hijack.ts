/**
 * Hijacked connections and multiplexed streams, as moby's attach and exec start answer
 * (api/server/router/container, pkg/stdcopy):
 * - the client asks `Connection: Upgrade`, `Upgrade: tcp`; the daemon answers `101 UPGRADED` with
 *   `Content-Type: application/vnd.docker.raw-stream` (`200 OK` to a client that did not ask), and the
 *   connection becomes raw bytes both ways: stdin from the client, output to it;
 * - without a TTY, output is multiplexed: each frame an 8-byte header (stream 0 stdin, 1 stdout,
 *   2 stderr; three zero bytes; the payload's length, big-endian) then the payload. With a TTY it is
 *   the raw bytes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { SERVER_HEADER } from './server.js';
import { API_VERSION } from './version.js';

export type StdStream = 'stdin' | 'stdout' | 'stderr';
const STREAM_ID: Record<StdStream, number> = { stdin: 0, stdout: 1, stderr: 2 };

/** One stdcopy frame. */
export function frame(stream: StdStream, data: Uint8Array): Buffer {
  const h = Buffer.alloc(8);
  h[0] = STREAM_ID[stream];
  h.writeUInt32BE(data.length, 4);
  return Buffer.concat([h, data]);
}

/**
 * The body of a request that asks for an upgrade (`POST /exec/{id}/start` with its JSON): Node's
 * parser leaves it on the socket, ahead of the stdin that follows; this takes exactly
 * Content-Length bytes and leaves the rest for the stream. Null when the request is no upgrade.
 */
export async function upgradeBody(req: IncomingMessage): Promise<Buffer | null> {
  if (!req.headers.upgrade) return null;
  const want = Number(req.headers['content-length'] ?? 0);
  const socket = req.socket as Socket;
  const parts: Buffer[] = [];
  let got = 0;
  while (got < want) {
    const chunk = socket.read() as Buffer | null;
    if (chunk === null) {
      if (socket.readableEnded || socket.destroyed) break;
      await new Promise<void>((r) => {
        const done = () => {
          socket.off('readable', done);
          socket.off('end', done);
          socket.off('close', done);
          r();
        };
        socket.on('readable', done).on('end', done).on('close', done);
      });
      continue;
    }
    const take = Math.min(chunk.length, want - got);
    parts.push(chunk.subarray(0, take));
    got += take;
    if (take < chunk.length) socket.unshift(chunk.subarray(take));
  }
  return Buffer.concat(parts);
}

export interface Hijacked {
  socket: Socket;
  /** Writes output: framed without a TTY, raw with one. Ignored once the connection is gone. */
  write(stream: 'stdout' | 'stderr', data: Uint8Array): void;
  /** Ends the connection (the process ended). */
  end(): void;
  /** Resolves when the client closes its side (stdin done) or goes away. */
  readonly clientDone: Promise<void>;
  /**
   * Hands what the client sends (the process's stdin) to `input`; `closed` is called when the
   * client closes its side (docker's CloseWrite after its stdin ended) or goes away.
   */
  readInput(input: (data: Buffer) => void, closed: () => void): void;
}

/** Takes the connection over from HTTP and answers as dockerd does before the raw stream. */
export function hijack(req: IncomingMessage, res: ServerResponse, opts: { tty: boolean }): Hijacked {
  const socket = req.socket as Socket;
  const upgrade = /upgrade/i.test(String(req.headers.connection ?? '')) && /^tcp$/i.test(String(req.headers.upgrade ?? ''));
  const head = upgrade
    ? 'HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n'
    : 'HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n';
  socket.write(`${head}Api-Version: ${API_VERSION}\r\nDocker-Experimental: false\r\nOstype: linux\r\nServer: ${SERVER_HEADER}\r\n\r\n`);
  // the response object must never write to the socket again
  res.detachSocket(socket);
  let open = true;
  const clientDone = new Promise<void>((resolve) => {
    socket.once('end', () => resolve());
    socket.once('close', () => {
      open = false;
      resolve();
    });
    socket.once('error', () => {
      open = false;
      resolve();
    });
  });
  socket.allowHalfOpen = true;
  return {
    socket,
    clientDone,
    write(stream, data) {
      if (!open || socket.destroyed) return;
      socket.write(opts.tty ? Buffer.from(data) : frame(stream, data));
    },
    end() {
      // read on to the client's EOF: a paused socket never sees it, and the connection would stay
      // open after the client is gone (the daemon could then never stop)
      if (!socket.destroyed) socket.end().resume();
      open = false;
    },
    readInput(input, closed) {
      socket.on('data', (d: Buffer) => input(d));
      void clientDone.then(closed);
    },
  };
}
