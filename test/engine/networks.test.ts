/**
 * The network service inside the engine: containers joined at start, released at stop, connected and
 * disconnected while running, the /etc files and the applets inside reading the model, networks kept
 * across a daemon restart. Expected values are the engine's (test/network/FACTS.md).
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../../src/engine/engine.js';
import { isNetworkError } from '../../src/network/errors.js';

const dirs: string[] = [];
const engines: Engine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) for (const c of e.containers.all()) await e.containers.remove(c.id, { force: true });
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const TAR = path.join(import.meta.dirname, '../fixtures/corpus/dk-build.dsave.tar');

async function engineAt(root: string, load = true): Promise<Engine> {
  const engine = await Engine.open({ root });
  if (load) await engine.images.load(TAR);
  await engine.init();
  engines.push(engine);
  return engine;
}

async function setup() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bx-net-'));
  dirs.push(root);
  return { root, engine: await engineAt(root) };
}

async function run(e: Engine, name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const { id } = await e.containers.create({ Image: 'dk-build', Cmd: ['sh', '-c', 'sleep 3600'], ...extra }, name);
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

const onNet = (network: string, extra: Record<string, unknown> = {}) => ({
  HostConfig: { NetworkMode: network },
  NetworkingConfig: { EndpointsConfig: { [network]: extra } },
});

describe('networks in the engine', () => {
  it('puts a container on the default bridge at start and takes its address back at stop', async () => {
    const { engine } = await setup();
    const a = await run(engine, 'a1');
    const rec = engine.containers.get(a);
    expect(rec.networks.bridge?.IPAddress).toBe('172.17.0.2');
    expect(rec.networks.bridge?.MacAddress).toBe('02:42:ac:11:00:02');
    expect(rec.networks.bridge?.Aliases).toBeNull();
    expect((await exec(engine, 'a1', 'cat /etc/hosts')).out).toContain(`172.17.0.2\t${a.slice(0, 12)}\n`);
    await engine.containers.kill(a);
    expect(engine.containers.get(a).networks.bridge?.IPAddress).toBe('');
    expect(engine.containers.get(a).networks.bridge?.NetworkID).toBe(engine.networks.get('bridge').id);
    await run(engine, 'b1');
    expect(engine.containers.get('b1').networks.bridge?.IPAddress).toBe('172.17.0.2');
  });

  it('resolves names and aliases on a user network and pings them; other bridges are unreachable', async () => {
    const { engine } = await setup();
    await engine.networks.create({ Name: 'front' });
    await run(engine, 'x1', onNet('front'));
    const y = await run(engine, 'y1', onNet('front', { Aliases: ['db'] }));
    await run(engine, 'z1');
    expect(engine.containers.get('y1').networks.front?.Aliases).toEqual(['db', y.slice(0, 12)]);
    const p = await exec(engine, 'x1', 'ping -c 1 -W 1 db');
    expect(p.code).toBe(0);
    expect(p.out).toMatch(/^PING db \(172\.18\.0\.3\): 56 data bytes\n64 bytes from 172\.18\.0\.3: seq=0 ttl=64 time=[\d.]+ ms\n\n--- db ping statistics ---\n1 packets transmitted, 1 packets received, 0% packet loss\n/);
    expect((await exec(engine, 'x1', 'cat /etc/resolv.conf')).out).toBe('nameserver 127.0.0.11\noptions ndots:0\n');
    expect((await exec(engine, 'z1', 'ping -c 1 -W 1 y1')).err).toBe("ping: bad address 'y1'\n");
    const iso = await exec(engine, 'z1', 'ping -c 1 -W 0 172.18.0.3');
    expect(iso.code).toBe(1);
    expect(iso.out).toContain('1 packets transmitted, 0 packets received, 100% packet loss');
    expect((await exec(engine, 'x1', 'nslookup y1 | tail -n 4')).out).toBe('Address: 172.18.0.3\n\nNon-authoritative answer:\n\n');
    expect((await exec(engine, 'x1', 'hostname -i')).out).toBe('172.18.0.2\n');
  });

  it('connects and disconnects a running container: interfaces in order, hosts edited', async () => {
    const { engine } = await setup();
    await engine.networks.create({ Name: 'front' });
    await engine.networks.create({ Name: 'back' });
    await run(engine, 'b1', onNet('front'));
    await engine.networks.connect('back', 'b1');
    const ip = await exec(engine, 'b1', 'ip -4 -o addr show | awk "{print \\$2, \\$4}"');
    expect(ip.out).toBe('lo 127.0.0.1/8\neth0 172.18.0.2/16\neth1 172.19.0.2/16\n');
    expect((await exec(engine, 'b1', 'ip route')).out).toBe(
      'default via 172.19.0.1 dev eth1 \n172.18.0.0/16 dev eth0 scope link  src 172.18.0.2 \n172.19.0.0/16 dev eth1 scope link  src 172.19.0.2 \n',
    );
    await expect(engine.networks.remove('front')).rejects.toSatisfy((e) => isNetworkError(e, 'ActiveEndpoints'));
    await engine.networks.disconnect('front', 'b1');
    expect(Object.keys(engine.containers.get('b1').networks)).toEqual(['back']);
    await expect(engine.networks.disconnect('front', 'b1')).rejects.toSatisfy((e) => isNetworkError(e, 'NotConnected'));
    await engine.networks.remove('front');
  });

  it('refuses a taken --ip and an --ip on a network from the default pools, leaving the container created', async () => {
    const { engine } = await setup();
    await engine.networks.create({ Name: 'tiny', IPAM: { Config: [{ Subnet: '10.77.0.0/29' }] } });
    await engine.networks.create({ Name: 'auto' });
    await run(engine, 't1', onNet('tiny'));
    await expect(run(engine, 't2', onNet('tiny', { IPAMConfig: { IPv4Address: '10.77.0.2' } }))).rejects.toSatisfy((e) => isNetworkError(e, 'AddressInUse'));
    expect(engine.containers.get('t2').state.Status).toBe('created');
    await expect(run(engine, 't3', onNet('auto', { IPAMConfig: { IPv4Address: '172.19.0.9' } }))).rejects.toSatisfy((e) =>
      isNetworkError(e, 'StaticIpNeedsUserSubnet'),
    );
  });

  it('keeps networks, their IDs and subnets across a restart of the daemon', async () => {
    const { root, engine } = await setup();
    const bridge = engine.networks.get('bridge').id;
    const { Id } = await engine.networks.create({ Name: 'front', Labels: { a: 'b' } });
    const again = await engineAt(root, false);
    expect(again.networks.get('bridge').id).toBe(bridge);
    expect(again.networks.get('front').id).toBe(Id);
    expect(again.networks.inspect('front')).toEqual(engine.networks.inspect('front'));
    await expect(again.networks.create({ Name: 'x', IPAM: { Config: [{ Subnet: '172.18.5.0/24' }] } })).rejects.toSatisfy((e) => isNetworkError(e, 'PoolOverlap'));
  });

  it('records connects of a stopped container without an endpoint, as the daemon does', async () => {
    const { engine } = await setup();
    await engine.networks.create({ Name: 'front' });
    const { id } = await engine.containers.create({ Image: 'dk-build', Cmd: ['sh', '-c', 'sleep 3600'] }, 's1');
    await engine.networks.connect('front', 's1', { Aliases: [] });
    await engine.networks.connect('nosuch', 's1', { Aliases: [] });
    const nets = engine.containers.get(id).networks;
    expect(Object.keys(nets)).toEqual(['bridge', 'front', 'nosuch']);
    expect(nets.front?.Aliases).toEqual([id.slice(0, 12)]);
    expect(nets.nosuch?.Aliases).toEqual([]);
    expect(nets.front?.IPAMConfig).toEqual({});
    await expect(engine.networks.connect('bridge', 's1', { Aliases: ['q'] })).rejects.toSatisfy((e) => isNetworkError(e, 'AliasOnDefaultNetwork'));
    await expect(engine.networks.disconnect('other', 's1')).rejects.toSatisfy((e) => isNetworkError(e, 'NotConnected') && !!e.data.stopped);
    // a network only created and stopped containers name can go
    await engine.networks.remove('front');
    await engine.networks.disconnect('nosuch', 's1');
    expect(Object.keys(engine.containers.get(id).networks)).toEqual(['bridge', 'front']);
  });

  it('gives a --network none container only lo, and the host network the host\'s name', async () => {
    const { engine } = await setup();
    await run(engine, 'n1', onNet('none'));
    expect((await exec(engine, 'n1', 'ip route; ip -4 -o addr | wc -l')).out).toBe('1\n');
    const p = await exec(engine, 'n1', 'ping -c 1 -W 1 172.17.0.1');
    expect([p.code, p.err]).toEqual([1, 'ping: sendto: Network is unreachable\n']);
    expect((await exec(engine, 'n1', 'hostname -i')).err).toMatch(/: Host name lookup failure\n$/);
    await expect(engine.networks.connect('bridge', 'n1')).rejects.toSatisfy((e) => isNetworkError(e, 'PrivateNetworkMode'));
    await run(engine, 'h1', onNet('host'));
    expect(engine.containers.get('h1').config.Hostname).toBe(os.hostname());
    expect(engine.containers.get('h1').networks.host?.IPAddress).toBe('');
  });
});
