/**
 * The docker CLI's own floor for section 5 of `npm run bench`: a server on a unix socket that
 * answers, with canned replies and no work at all, exactly the requests `docker run --rm IMG true`
 * and `docker exec C true` make (seen in a daemon's debug log; BOXLAB_TRACE_REQUESTS=1 times them
 * in boxlab's daemon):
 *
 *   run --rm: HEAD /_ping, POST /containers/create, POST /containers/{id}/attach (hijacked),
 *             POST /containers/{id}/wait?condition=removed, POST /containers/{id}/start
 *   exec:     HEAD /_ping, GET /containers/{name}/json, POST /containers/{name}/exec,
 *             POST /exec/{id}/start (hijacked), GET /exec/{id}/json
 *
 * The one ordering a daemon cannot skip is kept: the attach stream ends and the wait answers only
 * once the container was started (the CLI starts it after attaching and waiting). What the CLI
 * takes against this server is what no daemon can go under: its process start-up, its requests'
 * round trips and its own handling of the answers.
 */
import * as http from 'node:http';
import type { Socket } from 'node:net';
import * as fs from 'node:fs';

const API = '1.41';
const ID = 'f'.repeat(64);
const EXEC_ID = 'e'.repeat(64);

/** What a canned container's inspect needs to carry for `docker exec` (the CLI reads State and Config). */
function inspect(name: string): Record<string, unknown> {
  return {
    Id: ID,
    Name: `/${name}`,
    State: { Status: 'running', Running: true, Paused: false, Restarting: false, OOMKilled: false, Dead: false, Pid: 1, ExitCode: 0, Error: '' },
    Config: { Tty: false, OpenStdin: false, AttachStdin: false, AttachStdout: false, AttachStderr: false, Image: 'img', Cmd: ['sh'] },
    HostConfig: {},
  };
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Api-Version': API, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** The raw stream a hijacked request becomes (hijack.ts answers the same way). */
function hijack(req: http.IncomingMessage, res: http.ServerResponse): Socket {
  const socket = req.socket as Socket;
  socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nApi-Version: ${API}\r\n\r\n`);
  res.detachSocket(socket);
  socket.allowHalfOpen = true;
  socket.resume();
  return socket;
}

export interface FloorServer {
  host: string;
  close(): Promise<void>;
}

/** Starts the canned server on `sock` (a path); DOCKER_HOST=unix://<sock> points the CLI at it. */
export async function startFloorServer(sock: string): Promise<FloorServer> {
  fs.rmSync(sock, { force: true });
  // one container at a time: its attach streams and waits end when it starts
  let started = false;
  const attached: Socket[] = [];
  const waiting: http.ServerResponse[] = [];
  const finish = () => {
    for (const s of attached.splice(0)) s.end();
    for (const w of waiting.splice(0)) w.end('{"Error":null,"StatusCode":0}\n');
  };
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    const p = url.replace(/^\/v[0-9.]+/, '').split('?')[0]!;
    req.resume();
    if (p === '/_ping') {
      res.writeHead(200, { 'Api-Version': API, Ostype: 'linux', 'Docker-Experimental': 'false', 'Content-Length': req.method === 'HEAD' ? 0 : 2 });
      return void res.end(req.method === 'HEAD' ? '' : 'OK');
    }
    if (p === '/containers/create') {
      started = false;
      return json(res, 201, { Id: ID, Warnings: [] });
    }
    let m = /^\/containers\/([^/]+)\/(attach|wait|start|json|exec)$/.exec(p);
    if (m) {
      switch (m[2]) {
        case 'attach':
          attached.push(hijack(req, res));
          if (started) finish();
          return;
        case 'wait':
          res.writeHead(200, { 'Content-Type': 'application/json', 'Api-Version': API });
          res.flushHeaders();
          waiting.push(res);
          if (started) finish();
          return;
        case 'start':
          started = true;
          res.writeHead(204, { 'Api-Version': API });
          res.end();
          return finish();
        case 'json':
          return json(res, 200, inspect(m[1]!));
        case 'exec':
          return json(res, 201, { Id: EXEC_ID });
      }
    }
    m = /^\/exec\/([^/]+)\/(start|json)$/.exec(p);
    if (m?.[2] === 'start') return void hijack(req, res).end();
    if (m?.[2] === 'json') return json(res, 200, { ID: EXEC_ID, Running: false, ExitCode: 0, Pid: 0, ProcessConfig: {}, OpenStdin: false, OpenStdout: true, OpenStderr: true, ContainerID: ID });
    json(res, 404, { message: 'page not found' });
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(sock, () => resolve()));
  return {
    host: `unix://${sock}`,
    close: () =>
      new Promise<void>((resolve) => {
        finish();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
