/**
 * The JSON the model gives for `docker network inspect` and a container's NetworkSettings, held to
 * the engine's own (fixtures/*.json), IDs and times normalised.
 */
import { describe, expect, it } from 'vitest';
import { networkInspect, networkSettings } from '../../src/network/inspect.js';
import { NetworkController } from '../../src/network/sandbox.js';
import { fixtureJson } from './transcript.js';

const B5 = '9f3f33c9e1db60a91d65bb14630dcc958c408aa54f086eb36f9697d8da24eb76';
const X2 = '750185de38988da47eb266bcc928f795bbb74ccb26eb61c8fcfd55fe0039da76';

let counter = 0;
const fakeId = (): string => (++counter).toString(16).padStart(64, 'b');

/** IDs, times and the sandbox key's short ID vary between runs; everything else must match. */
function normalise(v: unknown): unknown {
  return JSON.parse(
    JSON.stringify(v)
      .replace(/[0-9a-f]{64}/g, '<ID>')
      .replace(/netns\/[0-9a-f]{12}/g, 'netns/<ID12>')
      .replace(/"Created":"[^"]+"/g, '"Created":"<TIME>"'),
  );
}

type Json = Record<string, unknown>;

/** b5 on the default bridge, then connected to back and front; x2 on front with alias db. */
function measuredState(): { ctl: NetworkController; b5: ReturnType<NetworkController['createSandbox']> } {
  const ctl = new NetworkController({ newId: fakeId, hostResolvConf: 'nameserver 10.255.255.53\n' });
  ctl.create({ name: 'front' });
  ctl.create({ name: 'back' });
  const b5 = ctl.createSandbox({ containerId: B5, containerName: 'b5' });
  ctl.join(b5, 'bridge');
  const x2 = ctl.createSandbox({ containerId: X2, containerName: 'x2' });
  ctl.join(x2, 'front', { aliases: ['db'] });
  ctl.join(b5, 'back', { fromConnect: true });
  ctl.join(b5, 'front', { fromConnect: true });
  return { ctl, b5 };
}

describe('network inspect', () => {
  it('shows bridge, host and none as the engine does after start', () => {
    const want = fixtureJson<Json[]>('network-inspect-predefined.json');
    const ctl = new NetworkController({ newId: fakeId });
    const got = ['bridge', 'host', 'none'].map((n) => networkInspect(ctl.get(n)));
    expect(normalise(got)).toEqual(normalise(want));
  });

  it('shows a user network with its Containers map, IPAM.Config and empty Options', () => {
    const { ctl } = measuredState();
    const want = fixtureJson<Json[]>('network-inspect-user.json')[0];
    expect(normalise(networkInspect(ctl.get('front')))).toEqual(normalise(want));
  });

  it('shows --internal, -o and --label as given, and a --subnet without --gateway without one', () => {
    const want = fixtureJson<Json[]>('network-inspect-options-labels.json');
    const ctl = new NetworkController({ newId: fakeId });
    ctl.create({ name: 'intl', internal: true, ipam: { config: [{ subnet: '10.72.0.0/24' }] } });
    const opts = ctl.create({ name: 'opts', options: { 'com.docker.network.bridge.name': 'mybr0' }, labels: { team: 'a' } });
    expect(opts.bridge).toBe('mybr0');
    const got = normalise([networkInspect(ctl.get('opts')), networkInspect(ctl.get('intl'))]) as Json[];
    // The engine had walked its pools to 192.168.240.0/20 by then; a fresh model starts at 172.18.
    const wantOpts = want[0] as { IPAM: { Config: unknown } };
    wantOpts.IPAM.Config = [{ Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }];
    expect(got).toEqual(normalise(want));
  });

  it('lists a none or host container with an endpoint but no addresses', () => {
    const ctl = new NetworkController({ newId: fakeId });
    const nn = ctl.createSandbox({ containerId: '8d4b990b47b825bddad244c143f5d37fd9586beece2d455860ae02b3d241b32a', containerName: 'nn' });
    ctl.join(nn, 'none');
    const want = fixtureJson<Json[]>('network-inspect-none-with-container.json')[0];
    expect(normalise(networkInspect(ctl.get('none')))).toEqual(normalise(want));
  });
});

describe('NetworkSettings', () => {
  it('matches b5 on bridge, back and front: top level from the default bridge, {} for connected ones', () => {
    const { ctl, b5 } = measuredState();
    const want = fixtureJson<Json[]>('container-inspect-three-networks.json')[0]?.NetworkSettings;
    const got = networkSettings(ctl, b5, { execRoot: '/tmp/netm-dk.X/exec' });
    expect(normalise(got)).toEqual(normalise(want));
  });

  it('shows a --ip as IPAMConfig.IPv4Address and DriverOpts null for a run-time endpoint', () => {
    const ctl = new NetworkController({ newId: fakeId });
    ctl.create({ name: 'st', ipam: { config: [{ subnet: '10.91.0.0/24' }] } });
    const sb = ctl.createSandbox({ containerId: '6e1ea44bc811' + 'c'.repeat(52), containerName: 'stc' });
    ctl.join(sb, 'st', { ipv4: '10.91.0.9' });
    const want = (fixtureJson<Json[]>('container-inspect-static-ip.json')[0] as { NetworkSettings: Json }).NetworkSettings;
    const got = networkSettings(ctl, sb, { execRoot: '/tmp/netm-dk.X/exec' });
    expect(normalise(got.Networks)).toEqual(normalise(want.Networks));
  });
});
