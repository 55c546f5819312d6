/**
 * Lab 08: networking. docker0 and a container's eth0, a second bridge on 172.18.0.0/16, `network
 * connect` giving one container two addresses, the isolation between bridges and its fix, names
 * on a user network, a published port reached from the host, and the rules the engine would program,
 * with the bridges, veths and addresses drawn. Everything else is the engine's model: no interface is
 * made and no packet leaves; the published port is the one real thing, a listener on 127.0.0.1 that
 * the daemon opens as docker-proxy does, and the lab sends it a real HTTP GET.
 *
 *   npx tsx labs/08-networking.ts
 */
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { iptablesSave } from '../src/network/index.js';
import { Engine as EngineClass, type Engine } from '../src/engine/engine.js';
import { firewallView, traceFrom } from '../src/engine/firewall-view.js';
import { formatTrace } from '../src/cli/commands/trace.js';
import { heading, isMain, labEngine, line, note, stdout, type LabOutput } from './lib.js';

/** A busybox image (Debian's busybox-static), whose applets the model runs: ip, ping, nslookup. */
const IMAGE_TAR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'corpus', 'dk-build.dsave.tar');
const IMAGE = 'dk-build:latest';

async function run1(engine: Engine, name: string, network?: string): Promise<void> {
  const net = network ? { HostConfig: { NetworkMode: network }, NetworkingConfig: { EndpointsConfig: { [network]: {} } } } : {};
  const { id } = await engine.containers.create({ Image: IMAGE, Cmd: ['sh', '-c', 'sleep 3600'], ...net }, name);
  await engine.containers.start(id);
}

async function sh(engine: Engine, ref: string, cmd: string): Promise<string> {
  const id = engine.execs.create(ref, { Cmd: ['sh', '-c', cmd], AttachStdout: true, AttachStderr: true });
  let text = '';
  await engine.execs.start(id, (_s, d) => (text += Buffer.from(d).toString()));
  return text.trimEnd();
}

/** The bridges with their gateways, and per endpoint the veth pair and the container's address. */
function draw(engine: Engine, out: LabOutput): void {
  const names = new Map(engine.containers.all().map((c) => [c.id, c.name.slice(1)]));
  for (const n of engine.networks.list().filter((x) => x.driver === 'bridge')) {
    const pool = n.pools[0];
    line(out, `${n.bridge ?? '?'} (${n.name}) ${pool?.gateway ?? ''}/${pool?.subnet.prefix ?? ''}`);
    const eps = [...n.endpoints.values()];
    eps.forEach((ep, i) => {
      const branch = i === eps.length - 1 ? '└─' : '├─';
      line(out, `  ${branch} ${ep.vethHost ?? ''} ⇄ ${ep.ifName ?? ''} of ${names.get(ep.containerId) ?? ep.name}: ${ep.ipv4 ?? ''} ${ep.mac ?? ''}`);
    });
  }
}

/** A port on 127.0.0.1 the kernel says is free now (the lab's host port). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** A real GET over a real socket: the status line, the Content-type and the body. */
function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve(`HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage}\nContent-type: ${res.headers['content-type'] ?? ''}\n\n${body}`));
      })
      .on('error', reject);
  });
}

/**
 * A published port reached from the host: `docker run -p 127.0.0.1:PORT:80` of a container whose
 * busybox httpd serves a file; the daemon listens on the host port for real and forwards each
 * connection to the container's listener on port 80, and the lab's GET comes back with the file.
 */
async function publishedPort(engine: Engine, out: LabOutput): Promise<void> {
  heading(out, 'A published port reached from the host: docker run -p 127.0.0.1:PORT:80');
  const port = await freePort();
  const cmd = 'mkdir -p /www && echo "hello from web, through 127.0.0.1:' + port + '" > /www/index.html && httpd -p 80 -h /www && sleep 3600';
  const { id } = await engine.containers.create({ Image: IMAGE, Cmd: ['sh', '-c', cmd], ExposedPorts: { '80/tcp': {} }, HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] } } }, 'web');
  await engine.containers.start(id);
  for (let i = 0; i < 100 && !engine.ports.socketsOf(id).listening().some((l) => l.port === 80); i++) await new Promise((r) => setTimeout(r, 20));
  const rec = engine.containers.get(id);
  line(out, `NetworkSettings.Ports: ${JSON.stringify(engine.ports.portsJson(rec))}`);
  line(out, `GET http://127.0.0.1:${port}/ from the lab (a real socket):`);
  line(out, (await get(`http://127.0.0.1:${port}/`)).trimEnd());
  const ip = rec.networks.bridge?.IPAddress ?? '';
  line(out);
  line(out, `  lab ──GET──▶ 127.0.0.1:${port} (the daemon's listener: docker-proxy's role)`);
  line(out, `                 └─▶ docker0 ─▶ ${ip}:80 eth0 of web ─▶ httpd -h /www`);
  note(out, "The one real listener here is the daemon's, on the host port; each connection it accepts is\nforwarded as a byte stream to the model's TCP listener of web (httpd, port 80). At stop the\nlistener closes, at start it opens again; a second container asking for the same port is\nrefused with the engine's words: 'Bind for 127.0.0.1:PORT failed: port is already allocated'.");
}

export async function run(out: LabOutput = stdout): Promise<void> {
  const { engine, cleanup } = await labEngine();
  try {
    await engine.images.load(IMAGE_TAR);
    await engine.init();

    heading(out, 'docker0: the default bridge and eth0');
    await run1(engine, 'c1');
    line(out, await sh(engine, 'c1', 'ip addr; ip route'));
    note(out, 'c1 got the first free address after the gateway (172.17.0.1 is docker0 itself);\nits MAC is 02:42 followed by the four bytes of that address, as Engine 20.10 derives it.');

    heading(out, 'A second network: docker network create app');
    await engine.networks.create({ Name: 'app' });
    await run1(engine, 'c2', 'app');
    line(out, `app: ${JSON.stringify(engine.networks.inspect('app').IPAM)}`);
    line(out, await sh(engine, 'c2', 'ip -4 -o addr; cat /etc/resolv.conf'));
    note(out, 'The next default pool is 172.18.0.0/16. A user network has the embedded DNS at 127.0.0.11.');

    heading(out, 'Isolation: c1 (bridge) cannot reach c2 (app)');
    line(out, await sh(engine, 'c1', 'ping -c 1 -W 1 172.18.0.2 | tail -n 2; ping -c 1 -W 1 c2'));
    note(out, "Between two bridges, DOCKER-ISOLATION-STAGE-2 drops the packet; and the default bridge\nhas no DNS, so the name c2 is a 'bad address' there.");

    heading(out, 'The fix: docker network connect app c1 gives c1 a second address');
    await engine.networks.connect('app', 'c1');
    line(out, await sh(engine, 'c1', 'ip -4 -o addr; ip route'));
    line(out, await sh(engine, 'c1', 'ping -c 1 -W 1 c2 | head -n 2'));
    note(out, 'eth1 joined app; the default route now goes via app (libnetwork sorts endpoints by network\nname), and c2 answers by name because c1 now shares a user network with it.');

    await publishedPort(engine, out);

    heading(out, 'The picture: bridges, veth pairs, addresses');
    draw(engine, out);

    heading(out, 'The rules the engine would program (iptables-save, filter and nat)');
    line(out, iptablesSave(engine.networks.list(), engine.ports.mapper.bindings()).trimEnd());
    note(out, 'Each bridge has its FORWARD rules, an isolation rule and a MASQUERADE for its subnet; the\npublished port adds an ACCEPT in DOCKER and a DNAT to web:80 (docker-proxy carries the loopback traffic).');
    await traceStep(engine, out);
    for (const c of engine.containers.all()) await engine.containers.remove(c.id, { force: true });
  } finally {
    cleanup();
  }
}

/**
 * `boxlab trace`: one packet walked hop by hop through the same rules, delivered (c1 → c2, both on
 * app now) and dropped (c2 → c3, c3 only on the default bridge). As the command does, a second engine
 * opened on the store reads what this one (the daemon) wrote.
 */
async function traceStep(engine: Engine, out: LabOutput): Promise<void> {
  heading(out, 'boxlab trace: a packet hop by hop, delivered and dropped');
  await run1(engine, 'c3');
  const view = firewallView(await EngineClass.open({ root: engine.store.root }));
  line(out, formatTrace(traceFrom(view, 'c1', { dest: 'c2' })).trimEnd());
  line(out, '');
  line(out, formatTrace(traceFrom(view, 'c2', { dest: 'c3' })).trimEnd());
  note(
    out,
    'Same bridge: the frame is bridged, but br_netfilter shows it to FORWARD, where `-i br -o br -j ACCEPT`\n' +
      'lets it through. Across bridges: FORWARD jumps to DOCKER-ISOLATION-STAGE-1, which sends anything\n' +
      'leaving its bridge to STAGE-2, and STAGE-2 drops what goes out of another Docker bridge.',
  );
}

if (isMain(import.meta.url)) await run();
