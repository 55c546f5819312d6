/**
 * The engine's own session (fixtures/transcripts/bridge.txt), replayed on the model: addresses on the
 * default bridge, a container connected to two more networks, disconnected from two, with its
 * interfaces, routes, /etc/hosts and resolv.conf as the engine's container printed them.
 */
import { describe, expect, it } from 'vitest';
import { isNetworkError } from '../../src/network/errors.js';
import { NetworkController, type Sandbox } from '../../src/network/sandbox.js';
import { ipAddr, ipAddrOneline4, ipLink, ipRoute } from '../../src/network/render.js';
import { normaliseIfIndex, step } from './transcript.js';

const HOST_RESOLV = 'nameserver 10.255.255.53\n';
const B5 = '9f3f33c9e1db60a91d65bb14630dcc958c408aa54f086eb36f9697d8da24eb76';
const X2 = '750185de38988da47eb266bcc928f795bbb74ccb26eb61c8fcfd55fe0039da76';

let counter = 0;
const fakeId = (): string => (++counter).toString(16).padStart(64, 'a');
const controller = (): NetworkController => new NetworkController({ hostResolvConf: HOST_RESOLV, newId: fakeId });

function run(ctl: NetworkController, name: string, id: string, network = 'bridge', aliases?: string[]): Sandbox {
  const sb = ctl.createSandbox({ containerId: id, containerName: name });
  ctl.join(sb, network, { aliases });
  return sb;
}

const ipv4 = (sb: Sandbox): string[] => sb.endpoints.map((e) => e.ipv4 ?? '');

/** The measured session up to `docker network connect front b5`. */
function session() {
  const ctl = controller();
  const b1 = run(ctl, 'b1', fakeId());
  let b2 = run(ctl, 'b2', fakeId());
  const b3 = run(ctl, 'b3', fakeId());
  ctl.deleteSandbox(b2); // docker stop b2
  const b4 = run(ctl, 'b4', fakeId());
  b2 = run(ctl, 'b2', b2.containerId); // docker start b2
  ctl.deleteSandbox(b1); // docker rm -f b1
  const b5 = run(ctl, 'b5', B5);
  ctl.create({ name: 'front' });
  ctl.create({ name: 'back' });
  const x2 = run(ctl, 'x2', X2, 'front', ['db']);
  return { ctl, b2, b3, b4, b5, x2 };
}

describe('a container on the default bridge', () => {
  it('gets the addresses and MACs the engine gave b1..b5 (lowest free, reused at once)', () => {
    const { b2, b3, b4, b5 } = session();
    expect([ipv4(b3), ipv4(b4), ipv4(b2), ipv4(b5)]).toEqual([['172.17.0.4'], ['172.17.0.3'], ['172.17.0.5'], ['172.17.0.2']]);
    expect(b5.endpoints[0]?.mac).toBe('02:42:ac:11:00:02');
    expect(b5.endpoints[0]?.vethHost).toMatch(/^veth[0-9a-f]{7}$/);
  });

  it('shows the interfaces, routes and files the engine showed in b5', () => {
    const ctl = controller();
    const b5 = run(ctl, 'b5', B5);
    const want = step('bridge.txt', 'exec b5 sh -c ip addr; ip route; ip link; cat /etc/hosts').stdout;
    const got =
      ipAddr(b5.endpoints) +
      ipRoute(ctl.routes(b5)) +
      ipLink(b5.endpoints) +
      b5.hosts +
      '---\n' +
      ctl.resolvConf(b5) +
      '---\n' +
      ctl.hostnameFile(b5);
    expect(normaliseIfIndex(got)).toBe(normaliseIfIndex(want));
  });
});

describe('network connect and disconnect of a running container', () => {
  it('adds eth1 and eth2, moves the default route to the alphabetically first network, appends hosts lines', () => {
    const { ctl, b5 } = session();
    ctl.join(b5, 'back');
    ctl.join(b5, 'front');
    const want = step('bridge.txt', 'exec b5 sh -c ip addr; ip route; cat /etc/hosts; echo ---; cat /etc/resolv.conf').stdout;
    const got = ipAddr(b5.endpoints) + ipRoute(ctl.routes(b5)) + b5.hosts + '---\n' + ctl.resolvConf(b5);
    expect(normaliseIfIndex(got)).toBe(normaliseIfIndex(want));
  });

  it('never reuses an interface number, and leaving a user network drops all hostname lines', () => {
    const { ctl, b5 } = session();
    ctl.join(b5, 'back');
    ctl.join(b5, 'front');
    ctl.leave(b5, 'back');
    ctl.create({ name: 'third' });
    ctl.join(b5, 'third');
    const afterThird = step('bridge.txt', 'exec b5 sh -c ip -o -4 addr; ip route', 0).stdout;
    expect(normaliseIfIndex(ipAddrOneline4(b5.endpoints) + ipRoute(ctl.routes(b5)))).toBe(normaliseIfIndex(afterThird));
    ctl.leave(b5, 'bridge');
    const last = step('bridge.txt', 'exec b5 sh -c ip -o -4 addr; ip route; cat /etc/hosts').stdout;
    const got = ipAddrOneline4(b5.endpoints) + ipRoute(ctl.routes(b5)) + b5.hosts + '---\n' + ctl.resolvConf(b5);
    expect(normaliseIfIndex(got)).toBe(normaliseIfIndex(last));
  });

  it('drops a custom hostname line for every network too when leaving a user network (measured: h1 myhost)', () => {
    const ctl = controller();
    ctl.create({ name: 'front' });
    const sb = ctl.createSandbox({ containerId: fakeId(), containerName: 'h1', hostname: 'myhost' });
    ctl.join(sb, 'bridge');
    ctl.join(sb, 'front', { fromConnect: true });
    ctl.leave(sb, 'front');
    const [before, after] = [0, 1].map((i) => step('more.txt', 'exec h1 cat /etc/hosts', i).stdout);
    expect(after).toBe(sb.hosts);
    expect(before).toContain('\tmyhost\n');
    expect(sb.hosts).not.toContain('myhost');
  });
});

describe('join checks', () => {
  const reasonOf = (f: () => unknown): string | undefined => {
    try {
      f();
    } catch (e) {
      return isNetworkError(e) ? e.reason : String(e);
    }
    return undefined;
  };

  it('refuses what the engine refused, with the data its message needs', () => {
    const ctl = controller();
    ctl.create({ name: 'addr' });
    ctl.create({ name: 'tiny', ipam: { config: [{ subnet: '10.77.0.0/29' }] } });
    ctl.create({ name: 'full', ipam: { config: [{ subnet: '10.79.0.0/30' }] } });
    const sb = (): Sandbox => ctl.createSandbox({ containerId: fakeId(), containerName: `c${counter}` });
    const c1 = sb();
    ctl.join(c1, 'addr');
    ctl.join(sb(), 'full');
    expect(reasonOf(() => ctl.join(sb(), 'addr', { ipv4: '172.18.0.50' }))).toBe('StaticIpNeedsUserSubnet');
    expect(reasonOf(() => ctl.join(sb(), 'bridge', { ipv4: '172.17.0.9' }))).toBe('StaticIpOnDefaultNetwork');
    expect(reasonOf(() => ctl.join(sb(), 'bridge', { aliases: ['foo'] }))).toBe('AliasOnDefaultNetwork');
    expect(reasonOf(() => ctl.join(sb(), 'tiny', { ipv4: '10.77.0.1' }))).toBe('AddressInUse');
    expect(reasonOf(() => ctl.join(sb(), 'tiny', { ipv4: '10.77.0.9' }))).toBe('AddressOutsidePool');
    expect(reasonOf(() => ctl.join(c1, 'addr'))).toBe('EndpointExists');
    expect(reasonOf(() => ctl.leave(c1, 'bridge'))).toBe('NotConnected');
    expect(reasonOf(() => ctl.join(sb(), 'nosuch'))).toBe('NetworkNotFound');
    let full: unknown;
    try {
      ctl.join(sb(), 'full');
    } catch (e) {
      full = e;
    }
    expect(full).toMatchObject({ reason: 'NoAvailableAddresses', data: { network: 'full', networkId: ctl.get('full').id } });
  });

  it('re-applies a static --ip on restart and fails when another took it meanwhile', () => {
    const ctl = controller();
    ctl.create({ name: 'stat', ipam: { config: [{ subnet: '10.90.0.0/24' }] } });
    const s2 = ctl.createSandbox({ containerId: fakeId(), containerName: 's2' });
    ctl.join(s2, 'stat', { ipv4: '10.90.0.10' });
    ctl.deleteSandbox(s2);
    for (let i = 0; i < 9; i++) ctl.join(ctl.createSandbox({ containerId: fakeId(), containerName: `s${i}` }), 'stat');
    const again = ctl.createSandbox({ containerId: s2.containerId, containerName: 's2' });
    expect(() => ctl.join(again, 'stat', { ipv4: '10.90.0.10' })).toThrow(expect.objectContaining({ reason: 'AddressInUse' }));
  });
});

describe('host and none', () => {
  it('keeps a none or host container off every other network, and host cannot be left', () => {
    const ctl = controller();
    ctl.create({ name: 'front' });
    const nn = ctl.createSandbox({ containerId: fakeId(), containerName: 'nn' });
    ctl.join(nn, 'none');
    expect(() => ctl.join(nn, 'front')).toThrow(expect.objectContaining({ reason: 'PrivateNetworkMode' }));
    const hh = ctl.createSandbox({ containerId: fakeId(), containerName: 'hh' });
    ctl.join(hh, 'host');
    expect(() => ctl.join(hh, 'front')).toThrow(expect.objectContaining({ reason: 'SharedNetworkNamespace' }));
    expect(() => ctl.leave(hh, 'host')).toThrow(expect.objectContaining({ reason: 'HostNetworkChange' }));
    expect(() => ctl.create({ name: 'host2', driver: 'host' })).toThrow(expect.objectContaining({ reason: 'SingleInstanceDriver' }));
    expect(ctl.routes(nn)).toEqual([]);
    expect(ctl.resolvConf(nn)).toBe(HOST_RESOLV);
  });
});
