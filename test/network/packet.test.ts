/**
 * A packet's path through the model (packet.ts), in the cases the firewall decides beyond isolation:
 * inter-container traffic turned off on a bridge, an address nobody holds, a container with only lo,
 * and a published port reached through the host's address on a bridge.
 */
import { describe, expect, it } from 'vitest';
import { iptablesSave } from '../../src/network/firewall.js';
import { packetPath, type Attachment } from '../../src/network/packet.js';
import { PortMapper } from '../../src/network/ports.js';
import { NetworkController, type Sandbox } from '../../src/network/sandbox.js';

function on(ctl: NetworkController, name: string, network: string): Sandbox {
  const sb = ctl.createSandbox({ containerId: name.padEnd(64, '7'), containerName: name });
  ctl.join(sb, network);
  return sb;
}

function from(ctl: NetworkController, sb: Sandbox): [Attachment[], Attachment | undefined] {
  const att = sb.endpoints.map((e) => ({ network: ctl.get(e.networkId), ip: e.ipv4 as string, ifName: e.ifName as string, veth: e.vethHost }));
  return [att, att.find((a) => a.network.id === ctl.gatewayEndpoint(sb)?.networkId)];
}

const ip = (sb: Sandbox) => sb.endpoints[0]?.ipv4 as string;

describe('a packet’s path', () => {
  it('is dropped on a bridge whose inter-container traffic is off, by the icc rule', () => {
    const ctl = new NetworkController();
    const quiet = ctl.create({ name: 'quiet', options: { 'com.docker.network.bridge.enable_icc': 'false' } });
    const a = on(ctl, 'a', 'quiet');
    const b = on(ctl, 'b', 'quiet');
    const p = packetPath(ctl.list(), [], iptablesSave(ctl.list(), []), ...from(ctl, a), { dst: ip(b) });
    expect(p).toMatchObject({ verdict: 'dropped', by: `FORWARD -i ${quiet.bridge as string} -o ${quiet.bridge as string} -j DROP` });
  });

  it('finds nobody at an address of the bridge no container holds, and no route without an interface', () => {
    const ctl = new NetworkController();
    const n = ctl.create({ name: 'n' });
    const a = on(ctl, 'a', 'n');
    expect(packetPath(ctl.list(), [], iptablesSave(ctl.list(), []), ...from(ctl, a), { dst: '172.18.0.99' })).toMatchObject({
      verdict: 'dropped',
      by: `no host answers ARP for 172.18.0.99 on ${n.bridge as string}`,
    });
    expect(packetPath(ctl.list(), [], '', [], undefined, { dst: ip(a) }).by).toMatch(/^no route to host/);
  });

  it('reaches a port published on every address through docker-proxy at the host’s address, even from another bridge', () => {
    const ctl = new NetworkController();
    ctl.create({ name: 'n1' });
    const n2 = ctl.create({ name: 'n2' });
    const a = on(ctl, 'a', 'n1');
    const web = on(ctl, 'web', 'n2');
    const ports = new PortMapper();
    ports.mapAll(web.containerId, n2.bridge as string, ip(web), [{ containerPort: 80, hostPort: 18490 }]);
    const gw = a.endpoints[0]?.gateway as string;
    const p = packetPath(ctl.list(), ports.bindings(), iptablesSave(ctl.list(), ports.bindings()), ...from(ctl, a), { dst: gw, port: 18490 });
    expect(p).toMatchObject({ verdict: 'delivered', by: `docker-proxy 0.0.0.0:18490 → ${ip(web)}:80`, endpoint: { name: 'web' } });
    expect(p.hops.map((h) => h.at)).toContain('docker-proxy');
    // the same port by the container's own address crosses the bridges and is dropped
    const direct = packetPath(ctl.list(), ports.bindings(), iptablesSave(ctl.list(), ports.bindings()), ...from(ctl, a), { dst: ip(web), port: 80 });
    expect(direct).toMatchObject({ verdict: 'dropped', by: `DOCKER-ISOLATION-STAGE-2 -o ${n2.bridge as string} -j DROP` });
  });
});
