/**
 * Networks as the daemon holds them: predefined ones, create/remove/prune, lookups, IPAM.Config as
 * inspect shows it, IPv6 (fixtures/transcripts/more.txt and addresses.txt).
 */
import { describe, expect, it } from 'vitest';
import { formatSubnet } from '../../src/network/addr.js';
import { NetworkController } from '../../src/network/sandbox.js';
import { macFromIPv4, vethName } from '../../src/network/names.js';

let n = 0;
const id = (): string => (++n).toString(16).padEnd(64, 'd');

describe('networks', () => {
  it('starts with bridge (docker0, 172.17.0.0/16, gateway 172.17.0.1), host and none', () => {
    const ctl = new NetworkController({ newId: id });
    const bridge = ctl.get('bridge');
    expect(ctl.list().map((x) => `${x.name}/${x.driver}`).sort()).toEqual(['bridge/bridge', 'host/host', 'none/null']);
    expect([bridge.bridge, formatSubnet(bridge.pools[0]!.subnet), bridge.pools[0]!.gateway]).toEqual(['docker0', '172.17.0.0/16', '172.17.0.1']);
    expect(() => ctl.remove('none')).toThrow(expect.objectContaining({ reason: 'PredefinedNetwork' }));
  });

  it('names a user bridge br-<12 hex of its ID> and finds it by ID, name or unique prefix', () => {
    const ctl = new NetworkController({ newId: id });
    const front = ctl.create({ name: 'front' });
    expect(front.bridge).toBe(`br-${front.id.slice(0, 12)}`);
    expect(ctl.get(front.id.slice(0, 20))).toBe(front);
    expect(ctl.get('front')).toBe(front);
    expect(() => ctl.create({ name: 'front' })).toThrow(expect.objectContaining({ reason: 'NetworkNameExists' }));
    expect(() => ctl.get('nosuch')).toThrow(expect.objectContaining({ reason: 'NetworkNotFound', data: { network: 'nosuch' } }));
  });

  it('does not move the default-pool cursor for a --subnet (172.25 given: next two are 172.18, 172.19)', () => {
    const ctl = new NetworkController({ newId: id });
    ctl.create({ name: 'u25', ipam: { config: [{ subnet: '172.25.0.0/16' }] } });
    const subnets = ['a1', 'a2'].map((name) => ctl.create({ name }).ipamConfig[0]?.subnet);
    expect(subnets).toEqual(['172.18.0.0/16', '172.19.0.0/16']);
  });

  it('gives the gateway the first address of an --ip-range and shows no Gateway in IPAM.Config', () => {
    const ctl = new NetworkController({ newId: id });
    const rng = ctl.create({ name: 'rng', ipam: { config: [{ subnet: '10.78.0.0/24', ipRange: '10.78.0.128/25' }] } });
    expect(rng.pools[0]?.gateway).toBe('10.78.0.128');
    expect(rng.ipamConfig).toEqual([{ subnet: '10.78.0.0/24', ipRange: '10.78.0.128/25' }]);
    const r1 = ctl.createSandbox({ containerId: id(), containerName: 'r1' });
    expect(ctl.join(r1, 'rng')).toMatchObject({ ipv4: '10.78.0.129', mac: '02:42:0a:4e:00:81' });
  });

  it('refuses a network whose subnet leaves no gateway, and gives its pool back', () => {
    const ctl = new NetworkController({ newId: id });
    expect(() => ctl.create({ name: 's31', ipam: { config: [{ subnet: '10.73.0.0/31' }] } })).toThrow(
      expect.objectContaining({ reason: 'GatewayUnavailable' }),
    );
    expect(() => ctl.create({ name: 'badgw', ipam: { config: [{ subnet: '10.75.0.0/24', gateway: '10.74.0.1' }] } })).toThrow(
      expect.objectContaining({ reason: 'InvalidSubnetConfig' }),
    );
    expect(ctl.create({ name: 'again', ipam: { config: [{ subnet: '10.73.0.0/24' }] } }).pools[0]?.gateway).toBe('10.73.0.1');
  });

  it('refuses --ipv6 without an IPv6 subnet (its IPv4 pool still moved the cursor); with one, adds an IPv4 pool first', () => {
    // Measured (more.txt): after front took 172.20, v6a failed and v6b got 172.22: 172.21 was spent.
    const ctl = new NetworkController({ newId: id });
    expect(() => ctl.create({ name: 'v6a', enableIPv6: true })).toThrow(
      expect.objectContaining({ reason: 'PoolsExhausted', data: { family: 6 } }),
    );
    const v6b = ctl.create({ name: 'v6b', enableIPv6: true, ipam: { config: [{ subnet: '2001:db8:1::/64' }] } });
    expect(v6b.ipamConfig).toEqual([{ subnet: '172.19.0.0/16', gateway: '172.19.0.1' }, { subnet: '2001:db8:1::/64' }]);
    const c = ctl.createSandbox({ containerId: id(), containerName: 'v6c' });
    expect(ctl.join(c, 'v6b')).toMatchObject({ ipv4: '172.19.0.2', ipv6: '2001:db8:1::2', ipv6Gateway: '2001:db8:1::1', ipv6PrefixLen: 64 });
  });

  it('removes only networks without endpoints, and prune keeps those in use', () => {
    const ctl = new NetworkController({ newId: id });
    ctl.create({ name: 'used' });
    ctl.create({ name: 'idle' });
    const sb = ctl.createSandbox({ containerId: id(), containerName: 'c1' });
    const ep = ctl.join(sb, 'used');
    expect(() => ctl.remove('used')).toThrow(
      expect.objectContaining({ reason: 'ActiveEndpoints', data: expect.objectContaining({ endpoints: [{ name: 'c1', id: ep.id }] }) }),
    );
    expect(ctl.prune()).toEqual(['idle']);
    ctl.deleteSandbox(sb);
    expect(ctl.prune()).toEqual(['used']);
  });
});

describe('names', () => {
  it('derives the MAC from the IPv4 address as 20.10 does', () => {
    expect(macFromIPv4('172.17.0.2')).toBe('02:42:ac:11:00:02');
    expect(macFromIPv4('192.168.208.3')).toBe('02:42:c0:a8:d0:03');
  });

  it('names host veths veth + 7 hex', () => {
    expect(vethName(() => Buffer.from('c8da21a5', 'hex'))).toBe('vethc8da21a');
  });
});
