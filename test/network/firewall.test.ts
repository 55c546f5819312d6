/**
 * The model's iptables rules against the engine's own `iptables-save` (fixtures/iptables-save.txt,
 * taken with two user networks, an internal one, the default bridge and three published ports), and
 * the reachability those rules give (fixtures/transcripts/iptables.txt: w1 cannot ping w2).
 */
import { describe, expect, it } from 'vitest';
import { iptablesSave, reach, reachPublished, type Attachment } from '../../src/network/firewall.js';
import { PortMapper } from '../../src/network/ports.js';
import { NetworkController, type Sandbox } from '../../src/network/sandbox.js';
import { fixture, step } from './transcript.js';

/** Network IDs whose first 12 hex digits are the engine's, so bridge names match br-<id12>. */
const IDS = ['a55de635b48b', '3f6dc7b530b3', '360c9448b430'];

function scenario() {
  let n = 0;
  const queue: string[] = [];
  const ctl = new NetworkController({ newId: () => queue.shift() ?? (++n).toString(16).padStart(64, 'f') });
  // The engine's daemon had handed out 172.18-172.21 before; so does the model, to land on 172.22.
  for (const name of ['front', 'back', 'third', 'w']) ctl.create({ name });
  ctl.prune();
  const create = (name: string, internal = false) => {
    queue.push((IDS[['n1', 'n2', 'in1'].indexOf(name)] as string).padEnd(64, '0'));
    return ctl.create({ name, internal });
  };
  create('n1');
  create('n2');
  create('in1', true);
  const ports = new PortMapper();
  const start = (name: string, network: string): Sandbox => {
    const sb = ctl.createSandbox({ containerId: name.padEnd(64, '9'), containerName: name });
    ctl.join(sb, network);
    return sb;
  };
  const w1 = start('w1', 'n1');
  const w2 = start('w2', 'n2');
  const w3 = start('w3', 'in1');
  const w4 = start('w4', 'bridge');
  const ip = (sb: Sandbox): string => sb.endpoints[0]?.ipv4 as string;
  ports.mapAll('w1', 'br-a55de635b48b', ip(w1), [{ containerPort: 80, hostIp: '127.0.0.1', hostPort: 18081 }]);
  ports.mapAll('w2', 'br-3f6dc7b530b3', ip(w2), [
    { containerPort: 8080, hostPort: 18082 },
    { containerPort: 53, proto: 'udp', hostIp: '127.0.0.1', hostPort: 18083 },
  ]);
  return { ctl, ports, w1, w2, w3, w4 };
}

function attachments(ctl: NetworkController, sb: Sandbox): { from: Attachment[]; gateway?: Attachment } {
  const from = sb.endpoints.map((ep) => ({ network: ctl.get(ep.networkId), ip: ep.ipv4 as string, ifName: ep.ifName as string }));
  const gw = ctl.gatewayEndpoint(sb);
  return { from, gateway: from.find((a) => a.ip === gw?.ipv4) };
}

describe('iptables-save', () => {
  it('equals the engine’s filter and nat tables for the same networks and ports', () => {
    const { ctl, ports } = scenario();
    const want = fixture('iptables-save.txt')
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .join('\n');
    expect(iptablesSave(ctl.list(), ports.bindings()).trimEnd()).toBe(want);
  });

  it('drops a removed network’s rules and puts a new network’s above the older ones', () => {
    const { ctl, ports } = scenario();
    ctl.create({ name: 'late' });
    const text = iptablesSave(ctl.list(), ports.bindings());
    const late = ctl.get('late').bridge as string;
    const forward = text.split('\n').filter((l) => l.startsWith('-A FORWARD -o'));
    expect(forward[0]).toContain(late);
    ctl.remove('late');
    expect(iptablesSave(ctl.list(), ports.bindings())).not.toContain(late);
  });

  it('turns off masquerade and inter-container traffic with the bridge options', () => {
    const ctl = new NetworkController();
    const n = ctl.create({
      name: 'quiet',
      options: { 'com.docker.network.bridge.enable_icc': 'false', 'com.docker.network.bridge.enable_ip_masquerade': 'false' },
    });
    const text = iptablesSave(ctl.list(), []);
    expect(text).toContain(`-A FORWARD -i ${n.bridge as string} -o ${n.bridge as string} -j DROP`);
    expect(text).not.toContain(`! -o ${n.bridge as string} -j MASQUERADE`);
  });
});

describe('reachability', () => {
  it('isolates two bridges as STAGE-2 does (the engine: w1 → w2 unreachable)', () => {
    const { ctl, w1, w2 } = scenario();
    expect(step('iptables.txt', 'exec w1').stdout).toBe('unreachable\n');
    const a = attachments(ctl, w1);
    const r = reach(ctl.list(), a.from, a.gateway, w2.endpoints[0]?.ipv4 as string);
    expect(r).toMatchObject({ verdict: 'dropped', by: '-A DOCKER-ISOLATION-STAGE-2 -o br-3f6dc7b530b3 -j DROP'.slice(3) });
  });

  it('lets containers on one network reach each other and the host, and masquerades the way out', () => {
    const { ctl, w1 } = scenario();
    const peer = ctl.createSandbox({ containerId: 'p'.padEnd(64, '1'), containerName: 'peer' });
    ctl.join(peer, 'n1');
    const a = attachments(ctl, w1);
    expect(reach(ctl.list(), a.from, a.gateway, peer.endpoints[0]?.ipv4 as string).verdict).toBe('delivered');
    expect(reach(ctl.list(), a.from, a.gateway, '172.22.0.1').verdict).toBe('host');
    expect(reach(ctl.list(), a.from, a.gateway, '192.0.2.10')).toMatchObject({ verdict: 'outbound' });
  });

  it('gives an internal network no way out and no way in, but its own subnet', () => {
    const { ctl, w1, w3 } = scenario();
    const a3 = attachments(ctl, w3);
    expect(reach(ctl.list(), a3.from, a3.gateway, '192.0.2.10')).toMatchObject({
      verdict: 'dropped',
      by: 'DOCKER-ISOLATION-STAGE-1 ! -d 172.24.0.0/16 -i br-360c9448b430 -j DROP',
    });
    const a1 = attachments(ctl, w1);
    expect(reach(ctl.list(), a1.from, a1.gateway, w3.endpoints[0]?.ipv4 as string)).toMatchObject({
      verdict: 'dropped',
      by: 'DOCKER-ISOLATION-STAGE-1 ! -s 172.24.0.0/16 -o br-360c9448b430 -j DROP',
    });
  });

  it('fixes isolation by connecting the container to the other network', () => {
    const { ctl, w1, w2 } = scenario();
    ctl.join(w1, 'n2', { fromConnect: true });
    const a = attachments(ctl, w1);
    expect(reach(ctl.list(), a.from, a.gateway, w2.endpoints[0]?.ipv4 as string).verdict).toBe('delivered');
  });
});

describe('published ports', () => {
  it('refuses a host port already bound on that address, as the engine did', () => {
    const { ports } = scenario();
    expect(step('iptables.txt', 'run -d --pull never --name w5').stderr).toContain(
      'Bind for 127.0.0.1:18081 failed: port is already allocated',
    );
    expect(() => ports.map('w5', 'docker0', '172.17.0.3', { containerPort: 80, hostIp: '127.0.0.1', hostPort: 18081 })).toThrow(
      expect.objectContaining({ reason: 'PortAllocated', data: expect.objectContaining({ address: '127.0.0.1:18081' }) }),
    );
  });

  it('lists a port bound on every address for 0.0.0.0 and ::, as docker port showed', () => {
    const { ports } = scenario();
    expect(ports.portsJson('w2')).toEqual({
      '8080/tcp': [
        { HostIp: '0.0.0.0', HostPort: '18082' },
        { HostIp: '::', HostPort: '18082' },
      ],
      '53/udp': [{ HostIp: '127.0.0.1', HostPort: '18083' }],
    });
    expect(ports.lookup('192.0.2.2', 18082)?.containerPort).toBe(8080);
  });

  it('picks host ports from 32768 on, the next after the last, and frees them on stop', () => {
    const ports = new PortMapper();
    const a = ports.mapAll('rp', 'docker0', '172.17.0.2', [
      { containerPort: 81, hostIp: '127.0.0.1' },
      { containerPort: 80, hostIp: '127.0.0.1' },
    ]);
    expect(a.map((b) => b.hostPort)).toEqual([32768, 32769]);
    ports.unmap('rp');
    expect(ports.map('rp2', 'docker0', '172.17.0.3', { containerPort: 80, hostIp: '127.0.0.1' }).hostPort).toBe(32770);
    expect(() =>
      ports.mapAll('rp3', 'docker0', '172.17.0.4', [
        { containerPort: 80, hostIp: '127.0.0.1', hostPort: 18090 },
        { containerPort: 81, hostIp: '127.0.0.1', hostPort: 18090 },
      ]),
    ).toThrow(expect.objectContaining({ reason: 'PortAllocated' }));
    expect(ports.bindings().map((b) => b.containerId)).toEqual(['rp2']);
  });
});

describe('published ports from the host', () => {
  it('reaches the container through docker-proxy on loopback and DNAT elsewhere', () => {
    const { ports, w1, w2 } = scenario();
    const viaProxy = reachPublished(ports.bindings(), '127.0.0.1', 18081);
    expect(viaProxy).toMatchObject({ verdict: 'delivered', binding: { containerIp: w1.endpoints[0]?.ipv4, containerPort: 80 } });
    expect(viaProxy.by).toContain('docker-proxy');
    const viaNat = reachPublished(ports.bindings(), '192.0.2.2', 18082);
    expect(viaNat.by).toBe(`DOCKER -p tcp -m tcp --dport 18082 -j DNAT --to-destination ${w2.endpoints[0]?.ipv4 as string}:8080`);
    expect(reachPublished(ports.bindings(), '192.0.2.2', 18081).verdict).toBe('dropped');
    expect(reachPublished(ports.bindings(), '127.0.0.1', 18083, 'udp').verdict).toBe('delivered');
  });
});
