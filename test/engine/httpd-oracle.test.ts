/**
 * The model's busybox httpd beside the real one (busybox-static on this machine): the same files,
 * the same raw requests, the same bytes back, once the Date, Last-Modified and ETag values (times)
 * are set aside. The model's httpd is reached through a published port of a container, so the host
 * listener and the forwarding are in the comparison too. Both listen on 127.0.0.1 only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { describeWithTool, needTool } from '../support/tools.js';

const TAR = path.join(import.meta.dirname, '../fixtures/corpus/dk-build.dsave.tar');

const REQUESTS = [
  'GET / HTTP/1.0',
  'GET /f.txt HTTP/1.0',
  'GET /noext HTTP/1.0',
  'GET /style.css HTTP/1.1',
  'GET /sub HTTP/1.0',
  'GET /sub/ HTTP/1.0',
  'GET /nope HTTP/1.0',
  'HEAD /f.txt HTTP/1.0',
  'POST /f.txt HTTP/1.0',
  'BREW / HTTP/1.0',
  'GET /f.txt',
  'GET /../etc/passwd HTTP/1.0',
  'GET /f.txt?x=1 HTTP/1.0',
  'garbage',
];

/** The files, made the same way on the host and in the container. */
const FILES = "mkdir -p W/sub && echo hello > W/index.html && echo data > W/f.txt && echo x > W/noext && echo 'p{}' > W/style.css";

function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => s.write(`${request}\r\nHost: x\r\n\r\n`));
    const chunks: Buffer[] = [];
    s.on('data', (d) => chunks.push(d));
    s.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    s.on('error', reject);
  });
}

const timeless = (s: string) => s.replace(/^(Date|Last-Modified|ETag): .*\r$/gm, '$1: <T>\r');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

describeWithTool(needTool('busybox', 'apt-get install busybox-static'), 'busybox httpd: the model beside the real one', () => {
  let dir: string;
  let real: ChildProcess;
  let realPort: number;
  let modelPort: number;
  let engine: Engine;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bx-httpd-'));
    await new Promise<void>((resolve, reject) => spawn('sh', ['-c', FILES.replace(/W/g, `${dir}/www`)]).on('close', (c) => (c === 0 ? resolve() : reject(new Error(`files: ${c}`)))));
    realPort = await freePort();
    real = spawn('busybox', ['httpd', '-f', '-p', `127.0.0.1:${realPort}`, '-h', `${dir}/www`], { stdio: 'ignore' });
    engine = await Engine.open({ root: path.join(dir, 'root') });
    await engine.images.load(TAR);
    await engine.init();
    modelPort = await freePort();
    const { id } = await engine.containers.create(
      { Image: 'dk-build', Cmd: ['sh', '-c', `${FILES.replace(/W/g, '/www')} && httpd -f -p 80 -h /www`], HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(modelPort) }] } } },
      'httpd',
    );
    await engine.containers.start(id);
    for (let i = 0; i < 100 && !engine.ports.socketsOf(id).listening().length; i++) await new Promise((r) => setTimeout(r, 20));
    for (let i = 0; i < 100; i++) {
      if (await raw(realPort, 'GET / HTTP/1.0').then(() => true, () => false)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
  }, 60_000);
  afterAll(async () => {
    real?.kill();
    if (engine) for (const c of engine.containers.all()) await engine.containers.remove(c.id, { force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const req of REQUESTS)
    it(`answers ${JSON.stringify(req)} byte for byte as busybox does`, async () => {
      expect(timeless(await raw(modelPort, req))).toBe(timeless(await raw(realPort, req)));
    });
});
