/**
 * Published ports and the TCP model in the engine: busybox httpd, nc and wget inside containers
 * reaching each other along the network model, and a published port that really listens on the host
 * (127.0.0.1 only) and forwards to the container's httpd. Texts are busybox's and the engine's,
 * measured (src/engine/publish-task.ts, src/runtime/busybox/wget.ts).
 */
import { describe, expect, it } from 'vitest';
import * as net from 'node:net';
import { Engine } from '../../src/engine/engine.js';
import { engineFixture } from '../helpers/engine.js';

const setup = engineFixture('bx-ports-');

const SERVE = "mkdir -p /www && echo hello-from-box > /www/index.html && httpd -p 80 -h /www && sleep 3600";

async function run(e: Engine, name: string, cmd = 'sleep 3600', extra: Record<string, unknown> = {}): Promise<string> {
  const { id } = await e.containers.create({ Image: 'dk-build', Cmd: ['sh', '-c', cmd], ...extra }, name);
  await e.containers.start(id);
  return id;
}

async function exec(e: Engine, ref: string, cmd: string): Promise<{ code: number; out: string; err: string }> {
  const id = e.execs.create(ref, { Cmd: ['sh', '-c', cmd], AttachStdout: true, AttachStderr: true });
  let out = '';
  let err = '';
  const code = await e.execs.start(id, (s, d) => {
    if (s === 'stdout') out += Buffer.from(d).toString();
    else err += Buffer.from(d).toString();
  });
  return { code, out, err };
}

/** A real HTTP GET over a real socket, as curl sends it. */
function httpGet(port: number, pathName = '/'): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => s.write(`GET ${pathName} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`));
    const chunks: Buffer[] = [];
    s.on('data', (d) => chunks.push(d));
    s.on('end', () => resolve(Buffer.concat(chunks).toString()));
    s.on('error', reject);
  });
}

/** A free port on 127.0.0.1, as the kernel hands one out. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

const until = async (f: () => Promise<boolean>) => {
  for (let i = 0; i < 100 && !(await f()); i++) await new Promise((r) => setTimeout(r, 20));
};
const served = (e: Engine, id: string, port = 80) => until(async () => e.ports.socketsOf(id).listening().some((l) => l.port === port));

describe('TCP between containers', () => {
  it('wget gets a file from another container\'s httpd by name, with busybox\'s words', async () => {
    const e = await setup();
    await e.networks.create({ Name: 'web' });
    const onWeb = { HostConfig: { NetworkMode: 'web' } };
    const s = await run(e, 'srv', SERVE, onWeb);
    await served(e, s);
    await run(e, 'cli', 'sleep 3600', onWeb);
    expect(await exec(e, 'cli', 'wget -q -O- http://srv/')).toEqual({ code: 0, out: 'hello-from-box\n', err: '' });
    const saved = await exec(e, 'cli', 'cd /tmp && wget http://srv:80/ && cat index.html');
    expect(saved.err).toBe(
      "Connecting to srv:80 (172.18.0.2:80)\nsaving to 'index.html'\nindex.html           100% |********************************|    15  0:00:00 ETA\n'index.html' saved\n",
    );
    expect(saved.out).toBe('hello-from-box\n');
    expect(await exec(e, 'cli', 'wget -O- http://srv/nope')).toMatchObject({ code: 1, err: 'Connecting to srv:80 (172.18.0.2:80)\nwget: server returned error: HTTP/1.1 404 Not Found\n' });
    expect(await exec(e, 'cli', 'wget http://srv:81/')).toMatchObject({ code: 1, err: "Connecting to srv:81 (172.18.0.2:81)\nwget: can't connect to remote host (172.18.0.2): Connection refused\n" });
    expect(await exec(e, 'cli', 'wget http://nosuch.example/')).toMatchObject({ code: 1, err: "wget: bad address 'nosuch.example'\n" });
    // httpd a second time on the same port: busybox's bind error
    expect(await exec(e, 'srv', 'httpd -p 80 -h /www; echo rc=$?')).toEqual({ code: 0, out: 'rc=1\n', err: 'httpd: bind: Address already in use\n' });
  });

  it('closes the port when the daemonized httpd is killed', async () => {
    const e = await setup();
    const id = await run(e, 'k1');
    expect(await exec(e, 'k1', 'httpd -p 81 -h /etc && wget -q -O /dev/null http://127.0.0.1:81/hostname && echo up')).toEqual({ code: 0, out: 'up\n', err: '' });
    const pids = e.ports.socketsOf(id).listening();
    expect(pids).toEqual([{ ip: '0.0.0.0', port: 81 }]);
    const r = await exec(e, 'k1', "kill $(ps -o pid,args | awk '$2 == \"httpd\" {print $1}'); sleep 0.1; wget -q -O- http://127.0.0.1:81/hostname");
    expect(r.err).toBe("wget: can't connect to remote host (127.0.0.1): Connection refused\n");
  });

  it('nc carries bytes from a client to nc -l in the same container', async () => {
    const e = await setup();
    await run(e, 'n1');
    const r = await exec(e, 'n1', 'nc -l -p 99 > /tmp/got & sleep 0.2; echo hi | nc -w 1 127.0.0.1 99; echo rc=$?; wait; cat /tmp/got');
    expect(r).toEqual({ code: 0, out: 'rc=0\nhi\n', err: '' });
    expect(await exec(e, 'n1', 'echo x | nc 127.0.0.1 98')).toMatchObject({ code: 1, err: "nc: can't connect to remote host (127.0.0.1): Connection refused\n" });
  });

  it('does not reach a container on another bridge', async () => {
    const e = await setup();
    await e.networks.create({ Name: 'web' });
    const s = await run(e, 'srv', SERVE, { HostConfig: { NetworkMode: 'web' } });
    await served(e, s);
    await run(e, 'other');
    const r = await exec(e, 'other', 'wget -q -O- http://172.18.0.2/');
    expect(r.code).toBe(1);
    expect(r.err).toBe("wget: can't connect to remote host (172.18.0.2): Connection timed out\n");
    // an address off the machine: boxlab sends nothing there, so the model has no route for it
    expect((await exec(e, 'other', 'wget -q -O- http://172.17.0.5/')).err).toBe("wget: can't connect to remote host (172.17.0.5): Connection refused\n");
    const off = await exec(e, 'other', 'wget -q -O- http://203.0.113.5/; nc 203.0.113.5 80');
    expect(off.err).toBe("wget: can't connect to remote host (203.0.113.5): Network is unreachable\nnc: can't connect to remote host (203.0.113.5): Network is unreachable\n");
  });
});

describe('published ports', () => {
  it('a real GET on the host port gets the container\'s file; stop closes the listener, start reopens it', async () => {
    const e = await setup();
    const port = await freePort();
    const id = await run(e, 'web1', SERVE, { ExposedPorts: { '80/tcp': {} }, HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] } } });
    await served(e, id);
    const reply = await httpGet(port);
    expect(reply).toMatch(/^HTTP\/1\.1 200 OK\r\nDate: .* GMT\r\nConnection: close\r\nContent-type: text\/html\r\nAccept-Ranges: bytes\r\nLast-Modified: .* GMT\r\nETag: "[0-9a-f]+-f"\r\nContent-Length: 15\r\n\r\nhello-from-box\n$/);
    expect(e.ports.portsJson(e.containers.get(id))).toEqual({ '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] });
    expect(e.ports.apiPorts(e.containers.get(id), true)).toEqual([{ IP: '127.0.0.1', PrivatePort: 80, PublicPort: port, Type: 'tcp' }]);
    // from another container through the gateway: the binding is on 127.0.0.1 only, so refused (measured)
    await run(e, 'peer');
    expect((await exec(e, 'peer', `wget -q -O- http://172.17.0.1:${port}/`)).err).toBe("wget: can't connect to remote host (172.17.0.1): Connection refused\n");
    await e.containers.stop(id, 0);
    await expect(httpGet(port)).rejects.toThrow(/ECONNREFUSED/);
    await e.containers.start(id);
    await served(e, id);
    expect(await httpGet(port)).toContain('hello-from-box');
  });

  it('closes the host listener when the container dies by itself', async () => {
    const e = await setup();
    const port = await freePort();
    const id = await run(e, 'quick', 'sleep 0.3; exit 3', { HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] } } });
    await e.containers.wait(id).done;
    await expect(httpGet(port)).rejects.toThrow(/ECONNREFUSED/);
    await e.containers.start(id);
    await expect(httpGet(port)).rejects.toThrow(/ECONNRESET/);
  });

  it('closes the listener of a restarted container whose command fails at once', async () => {
    const e = await setup();
    const port = await freePort();
    const id = await run(e, 'again', SERVE.replace('mkdir -p', 'mkdir'), { HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] } } });
    await served(e, id);
    await e.containers.stop(id, 0);
    await e.containers.start(id);
    await e.containers.wait(id).done;
    expect(e.containers.get(id).state.ExitCode).toBe(1);
    await expect(httpGet(port)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('keeps its port across the restarts of a restart policy', async () => {
    const e = await setup();
    const port = await freePort();
    const id = await run(e, 'flappy', 'httpd -p 80 -h / ; sleep 0.2; exit 1', {
      HostConfig: { RestartPolicy: { Name: 'always' }, PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] } },
    });
    await until(async () => e.containers.get(id).restartCount >= 2);
    await until(async () => e.containers.get(id).state.Running && e.ports.socketsOf(id).listening().length > 0);
    expect(e.containers.get(id).state.Error).toBe('');
    expect(await httpGet(port, '/nope')).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
    // a manual stop ends the restarts before the store goes
    await e.containers.stop(id, 0);
    await new Promise((r) => setTimeout(r, 300));
  });

  it('ends a held connection at stop, as the proxy\'s death does, so the stop does not wait on the client', async () => {
    const e = await setup();
    const port = await freePort();
    const id = await run(e, 'held', SERVE, { HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] } } });
    await served(e, id);
    const s = net.connect({ host: '127.0.0.1', port });
    await new Promise((r) => s.once('connect', r));
    const closed = new Promise((r) => s.once('close', r));
    s.on('error', () => {});
    await e.containers.stop(id, 0);
    await closed;
    await expect(httpGet(port)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('resets the connection when nothing listens in the container', async () => {
    const e = await setup();
    const port = await freePort();
    await run(e, 'idle', 'sleep 3600', { HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] } } });
    await expect(httpGet(port)).rejects.toThrow(/ECONNRESET/);
  });

  it('refuses a port another container holds, and one another host process holds, in the engine\'s words', async () => {
    const e = await setup();
    const port = await freePort();
    const bind = { HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] } } };
    await run(e, 'first', 'sleep 3600', bind);
    const { id } = await e.containers.create({ Image: 'dk-build', Cmd: ['sh', '-c', 'sleep 3600'], ...bind }, 'second');
    const ep = () => e.networks.ctl.sandboxOf(id);
    await expect(e.containers.start(id)).rejects.toThrow(
      new RegExp(`^driver failed programming external connectivity on endpoint second \\([0-9a-f]{64}\\): Bind for 127\\.0\\.0\\.1:${port} failed: port is already allocated$`),
    );
    expect(ep()).toBeUndefined();
    expect(e.containers.get(id).state.Status).toBe('created');
    const other = await freePort();
    const holder = net.createServer().listen(other, '127.0.0.1');
    await new Promise((r) => holder.once('listening', r));
    try {
      const third = { HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(other) }] } } };
      const c3 = await e.containers.create({ Image: 'dk-build', Cmd: ['sh', '-c', 'sleep 3600'], ...third }, 'third');
      await expect(e.containers.start(c3.id)).rejects.toThrow(
        new RegExp(`: Error starting userland proxy: listen tcp4 127\\.0\\.0\\.1:${other}: bind: address already in use$`),
      );
    } finally {
      holder.close();
    }
  });

  it('allocates host ports for -P from the ephemeral range, on the daemon\'s --ip', async () => {
    const e = await setup();
    e.ports.defaultIp = '127.0.0.1';
    const id = await run(e, 'pall', 'sleep 3600', { ExposedPorts: { '80/tcp': {}, '90/udp': {} }, HostConfig: { PublishAllPorts: true } });
    const ports = e.ports.portsJson(e.containers.get(id));
    expect(Object.keys(ports).sort()).toEqual(['80/tcp', '90/udp']);
    for (const list of Object.values(ports)) {
      expect(list?.[0]?.HostIp).toBe('127.0.0.1');
      expect(Number(list?.[0]?.HostPort)).toBeGreaterThanOrEqual(32768);
    }
  });
});
