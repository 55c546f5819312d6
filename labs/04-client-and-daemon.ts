/**
 * Lab 04: Docker is a client and a daemon.
 *
 * The seeds teach Docker as a client that "talks to the daemon, which listens for API requests and
 * manages Docker objects". This lab starts boxlab's daemon on a unix socket, then plays the client
 * by hand: the socket file and its mode, one request and the JSON that comes back (what `docker
 * version` reads), a load sent as an HTTP body, the events stream that `docker events` prints,
 * filled by a tag and a removal made by another request, and (handshake.ts) the TLS handshake that
 * lets a remote client in or keeps it out. The real docker CLI speaks exactly this:
 * `DOCKER_HOST=unix://SOCK docker images` against `npx boxlab daemon -H unix://SOCK`.
 *
 *   npx tsx labs/04-client-and-daemon.ts
 */
import * as fs from 'node:fs';
import { request } from 'node:http';
import * as path from 'node:path';
import { Daemon } from '../src/api/daemon.js';
import { tlsStep } from './handshake.js';
import { heading, IMAGES_DIR, isMain, labEngine, line, note, stdout, type LabOutput } from './lib.js';

/** One request over the socket; the status line, the headers that matter, and the body. */
function call(sock: string, method: string, p: string, body?: Buffer): Promise<{ head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: sock, method, path: p, headers: body ? { 'Content-Type': 'application/x-tar' } : {} }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => {
        const shown = ['api-version', 'content-type', 'ostype', 'server'].filter((h) => res.headers[h]).map((h) => `${h}: ${String(res.headers[h])}`);
        resolve({ head: [`HTTP/1.1 ${res.statusCode} ${res.statusMessage}`, ...shown].join('\n'), body: text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function run(out: LabOutput = stdout): Promise<void> {
  const lab = await labEngine();
  const sock = path.join(lab.root, 'docker.sock');
  const daemon = await Daemon.start(lab.engine, { hosts: [{ kind: 'unix', path: sock }], log: (l) => line(out, `daemon: ${l}`) });
  try {
    heading(out, 'The socket: where the daemon listens');
    const st = fs.statSync(sock);
    line(out, `${sock}  type=socket mode=${(st.mode & 0o777).toString(8)}`);
    note(out, 'A unix socket is a file: whoever may open it drives the daemon (and, with Docker, root on the host).\nMode 0660, group docker, as dockerd makes it: that group is as powerful as root.');

    heading(out, 'One request, its JSON: GET /v1.41/version');
    const v = await call(sock, 'GET', '/v1.41/version');
    line(out, v.head);
    line(out, JSON.stringify(JSON.parse(v.body), null, 2).split('\n').slice(0, 12).join('\n') + '\n  ...');
    note(out, '`docker version` sends this request and formats the JSON. The path carries the API version the\nclient speaks; the daemon answers with the newest it has (Api-Version) and refuses a newer one.');

    heading(out, 'A load is an HTTP body: POST /v1.41/images/load');
    const loaded = await call(sock, 'POST', '/v1.41/images/load?quiet=1', fs.readFileSync(path.join(IMAGES_DIR, 'alpine.oci.tar')));
    line(out, loaded.head);
    line(out, loaded.body.trimEnd());
    note(out, 'The answer is a stream of JSON messages, status 200 sent before the work starts: an archive that\nturns out bad is reported inside the stream ({"error": ...}), not with a 4xx.');

    heading(out, 'The events stream: GET /v1.41/events, while another client tags and removes');
    const name = JSON.parse(loaded.body).stream.replace(/^Loaded image: /, '').trim() as string;
    const events: string[] = [];
    const since = Math.floor(Date.now() / 1000) - 1;
    const stream = new Promise<void>((resolve) => {
      request({ socketPath: sock, path: `/v1.41/events?since=${since}&until=${since + 3}` }, (res) => {
        res.on('data', (c: Buffer) => events.push(...c.toString().trim().split('\n')));
        res.on('end', resolve);
      }).end();
    });
    await call(sock, 'POST', `/v1.41/images/${name}/tag?repo=lab/copy&tag=1`);
    await call(sock, 'DELETE', '/v1.41/images/lab/copy:1');
    await stream;
    for (const e of events) {
      const m = JSON.parse(e) as { Type: string; Action: string; Actor: { Attributes: Record<string, string> } };
      line(out, `${m.Type} ${m.Action} ${JSON.stringify(m.Actor.Attributes)}`);
    }
    note(
      out,
      'Every service reports what it did on one event bus; /events replays what happened since `since` and\nthen streams until `until`. Docker names an untag by the image ID, a tag by the new name.',
    );
  } finally {
    await daemon.stop();
  }
  try {
    await tlsStep(out, lab.engine, lab.root);
  } finally {
    lab.cleanup();
  }
}

if (isMain(import.meta.url)) await run();
