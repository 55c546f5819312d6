/**
 * The embedded DNS model against the engine's answers (fixtures/transcripts/bridge.txt: nslookup from
 * inside b5 and x2), and the files that point a container at it.
 */
import { describe, expect, it } from 'vitest';
import { hasEmbeddedDns, resolveName, reverseLookup } from '../../src/network/dns.js';
import { bridgeResolvConf, buildHosts, deleteHosts, embeddedResolvConf } from '../../src/network/files.js';
import { NetworkController } from '../../src/network/sandbox.js';
import { step } from './transcript.js';

const B5 = '9f3f33c9e1db60a91d65bb14630dcc958c408aa54f086eb36f9697d8da24eb76';
const X2 = '750185de38988da47eb266bcc928f795bbb74ccb26eb61c8fcfd55fe0039da76';

function world() {
  const ctl = new NetworkController({ hostResolvConf: 'nameserver 10.255.255.53\n' });
  ctl.create({ name: 'front' });
  ctl.create({ name: 'back' });
  const b4 = ctl.createSandbox({ containerId: 'b4'.padEnd(64, '0'), containerName: 'b4' });
  ctl.join(b4, 'bridge');
  const b5 = ctl.createSandbox({ containerId: B5, containerName: 'b5' });
  ctl.join(b5, 'bridge');
  const x2 = ctl.createSandbox({ containerId: X2, containerName: 'x2' });
  ctl.join(x2, 'front', { aliases: ['db'] });
  ctl.join(b5, 'back', { fromConnect: true });
  ctl.join(b5, 'front', { fromConnect: true });
  return { ctl, b4, b5, x2 };
}

/** "Name:\tx\nAddress: 1.2.3.4" pairs from busybox nslookup output. */
function answers(text: string): [string, string][] {
  return [...text.matchAll(/Name:\t(\S+)\nAddress: (\S+)/g)].map((m) => [m[1] as string, m[2] as string]);
}

describe('embedded DNS', () => {
  it('answers names, aliases, short IDs and name.network as the engine did', () => {
    const { ctl, b5, x2 } = world();
    const fromB5 = [
      ...answers(step('bridge.txt', 'exec b5 sh -c nslookup x2 127.0.0.11').stdout),
      ...answers(step('bridge.txt', 'exec b5 sh -c nslookup 750185de3898').stdout),
    ];
    expect(fromB5.length).toBe(5);
    for (const [name, address] of fromB5) {
      expect(resolveName(ctl, b5, name), name).toMatchObject({ rcode: 'NOERROR', addresses: [address] });
    }
    const fromX2 = answers(step('bridge.txt', 'exec x2 sh -c nslookup b5').stdout);
    expect(fromX2).toEqual([['b5', '172.18.0.3']]);
    expect(resolveName(ctl, x2, 'b5')).toMatchObject({ addresses: ['172.18.0.3'], network: 'front' });
  });

  it('answers a name on two shared networks from the first in gateway order (b5 sees itself on back)', () => {
    const { ctl, b5 } = world();
    expect(resolveName(ctl, b5, 'b5')).toMatchObject({ addresses: ['172.19.0.2'], network: 'back' });
    expect(resolveName(ctl, b5, 'b5.front')).toMatchObject({ addresses: ['172.18.0.3'] });
  });

  it('gives NXDOMAIN for names on networks the asker does not share, and for the outside world', () => {
    const { ctl, x2, b5 } = world();
    expect(step('bridge.txt', 'exec x2 sh -c nslookup b5 127.0.0.11; ping').stderr).toBe("ping: bad address 'b4'");
    expect(resolveName(ctl, x2, 'b4')).toEqual({ rcode: 'NXDOMAIN' });
    expect(resolveName(ctl, b5, 'example.com')).toEqual({ rcode: 'NXDOMAIN' });
    expect(resolveName(ctl, b5, 'x2.back')).toEqual({ rcode: 'NXDOMAIN' });
  });

  it('is case-insensitive and ignores a trailing dot', () => {
    const { ctl, b5 } = world();
    expect(resolveName(ctl, b5, 'DB.')).toMatchObject({ addresses: ['172.18.0.2'] });
  });

  it('returns every address of an alias two containers share', () => {
    const { ctl, b5 } = world();
    const y = ctl.createSandbox({ containerId: 'y'.padEnd(64, '1'), containerName: 'y' });
    ctl.join(y, 'front', { aliases: ['db'] });
    expect(resolveName(ctl, b5, 'db')).toMatchObject({ addresses: ['172.18.0.2', '172.18.0.4'] });
  });

  it('exists only for containers on a user network; the default bridge has none', () => {
    const { ctl, b4, b5 } = world();
    expect(hasEmbeddedDns(ctl, b4)).toBe(false);
    expect(hasEmbeddedDns(ctl, b5)).toBe(true);
    expect(reverseLookup(ctl, b5, '172.18.0.2')).toBe('x2.front');
    expect(ctl.resolvConf(b4)).toBe(step('bridge.txt', 'exec b4 sh -c ping').stdout);
  });
});

describe('resolv.conf and hosts files', () => {
  it('keeps the host search domains and options with the embedded server, adds ndots:0', () => {
    const host = '# comment\nsearch corp.example\nnameserver 10.0.0.2\noptions edns0 ndots:3\n';
    expect(embeddedResolvConf(host)).toBe('search corp.example\nnameserver 127.0.0.11\noptions edns0 ndots:0\n');
    expect(embeddedResolvConf('nameserver 10.255.255.53\n')).toBe('nameserver 127.0.0.11\noptions ndots:0\n');
  });

  it('drops loopback and (without IPv6) IPv6 nameservers on the default bridge, falling back to 8.8.8.8/8.8.4.4', () => {
    expect(bridgeResolvConf('nameserver 127.0.0.53\nnameserver 10.1.1.1\n')).toBe('nameserver 10.1.1.1\n');
    expect(bridgeResolvConf('nameserver 127.0.0.53\nnameserver ::1\nnameserver fd00::1\n')).toBe(
      'nameserver 8.8.8.8\nnameserver 8.8.4.4\n',
    );
  });

  it('deletes hosts lines by name suffix only, keeping comments (etchosts.Delete)', () => {
    const text = buildHosts([{ ip: '10.0.0.9', hosts: 'extra' }]) + '# note\n172.18.0.2\tabc\n172.19.0.2\tabc\n';
    const out = deleteHosts(text, [{ ip: '172.18.0.2', hosts: 'abc' }]);
    expect(out).not.toContain('\tabc');
    expect(out).toContain('# note\n');
    expect(out).toContain('10.0.0.9\textra\n');
  });
});
