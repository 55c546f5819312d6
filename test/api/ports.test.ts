/**
 * A published port through `boxlab daemon` and the real docker CLI: `docker run -p 127.0.0.1:PORT:80`
 * of a container running busybox httpd, then a real `curl` on the host gets its file, `wget` from
 * another container gets it too, `docker port` and the PORTS column read as the engine's, and a port
 * taken by another container or by another host process fails with the engine's message.
 * Everything binds 127.0.0.1 only.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Daemon } from '../../src/api/daemon.js';
import { Engine } from '../../src/engine/engine.js';
import { describeWithTool, needTool } from '../support/tools.js';

const ARCHIVE = join(import.meta.dirname, '..', 'fixtures', 'corpus', 'dk-build.dsave.tar');

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

const SERVE = 'mkdir -p /www && echo hello-through-the-proxy > /www/index.html && httpd -p 80 -h /www && sleep 3600';

describeWithTool([needTool('docker', 'apt-get install docker.io'), needTool('curl', 'apt-get install curl')], 'published ports through boxlab daemon and the docker CLI', () => {
  let dir: string;
  let daemon: Daemon;
  let env: NodeJS.ProcessEnv;
  const docker = (...args: string[]) => run('docker', args, env);

  beforeAll(async () => {
    dir = fs.mkdtempSync(join(tmpdir(), 'bx-ports-api-'));
    const sock = join(dir, 'docker.sock');
    daemon = await Daemon.start(await Engine.open({ root: join(dir, 'root') }), { hosts: [{ kind: 'unix', path: sock }], log: () => {} });
    env = { ...process.env, DOCKER_HOST: `unix://${sock}`, DOCKER_CLI_HINTS: 'false' };
    expect((await docker('load', '-q', '-i', ARCHIVE)).code).toBe(0);
  }, 60_000);
  afterAll(async () => {
    if (daemon) {
      for (const id of (await docker('ps', '-aq')).stdout.split('\n').filter(Boolean)) await docker('rm', '-f', id);
      await daemon.stop();
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('curl on the host and wget in another container get the file of a container\'s httpd', async () => {
    const port = await freePort();
    const r = await docker('run', '-d', '--name', 'pweb', '-p', `127.0.0.1:${port}:80`, 'dk-build', 'sh', '-c', SERVE);
    expect(r.code).toBe(0);
    const curl = await run('curl', ['-s', '--retry', '5', '--retry-all-errors', '--retry-delay', '1', '--max-time', '5', `http://127.0.0.1:${port}/`]);
    expect(curl).toEqual({ code: 0, stdout: 'hello-through-the-proxy\n', stderr: '' });
    expect((await docker('port', 'pweb')).stdout).toBe(`80/tcp -> 127.0.0.1:${port}\n`);
    expect((await docker('port', 'pweb', '80')).stdout).toBe(`127.0.0.1:${port}\n`);
    expect(await docker('port', 'pweb', '81')).toMatchObject({ code: 1, stderr: "Error: No public port '81' published for pweb\n" });
    expect((await docker('ps', '--format', '{{.Names}} {{.Ports}}', '--filter', 'name=pweb')).stdout).toBe(`pweb 127.0.0.1:${port}->80/tcp\n`);
    const ip = (await docker('inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'pweb')).stdout.trim();
    const w = await docker('run', '--rm', 'dk-build', 'sh', '-c', `wget -q -O- http://${ip}/`);
    expect(w).toEqual({ code: 0, stdout: 'hello-through-the-proxy\n', stderr: '' });
  });

  it('refuses a port another container holds and one another host process holds', async () => {
    const port = await freePort();
    expect((await docker('run', '-d', '--name', 'pa1', '-p', `127.0.0.1:${port}:80`, 'dk-build', 'sh', '-c', 'sleep 3600')).code).toBe(0);
    const taken = await docker('run', '-d', '--name', 'pa2', '-p', `127.0.0.1:${port}:80`, 'dk-build', 'sh', '-c', 'sleep 3600');
    expect(taken.code).toBe(125);
    expect(taken.stderr).toMatch(
      new RegExp(`^docker: Error response from daemon: driver failed programming external connectivity on endpoint pa2 \\([0-9a-f]{64}\\): Bind for 127\\.0\\.0\\.1:${port} failed: port is already allocated\\.?\n`),
    );
    const other = await freePort();
    const holder = net.createServer().listen(other, '127.0.0.1');
    await new Promise((r) => holder.once('listening', r));
    try {
      const busy = await docker('run', '-d', '--name', 'pa3', '-p', `127.0.0.1:${other}:80`, 'dk-build', 'sh', '-c', 'sleep 3600');
      expect(busy.code).toBe(125);
      expect(busy.stderr).toContain(`: Error starting userland proxy: listen tcp4 127.0.0.1:${other}: bind: address already in use`);
    } finally {
      holder.close();
    }
  });
});
