/** The name-service text a container's own flags make (libnetwork setupDNS / rebuildDNS, resolvconf.Build). */
import { describe, expect, it } from 'vitest';
import { customResolvConf, embeddedOverCustom, extraHostRecords, hasCustomDns } from '../../src/network/dnsconf.js';

const HOST = 'search corp.test\nnameserver 10.255.255.53\noptions timeout:2\n';

describe('--dns, --dns-search, --dns-option', () => {
  it('replace only the lists the user gave; the others stay the host\'s', () => {
    expect(customResolvConf(HOST, { servers: ['10.0.0.53'], search: [], options: [] })).toBe('search corp.test\nnameserver 10.0.0.53\noptions timeout:2\n');
    expect(customResolvConf(HOST, { servers: [], search: ['a.test', 'b.test'], options: ['ndots:2'] })).toBe('search a.test b.test\nnameserver 10.255.255.53\noptions ndots:2\n');
    expect(customResolvConf(HOST, { servers: ['1.1.1.1'], search: ['.'], options: [] })).toBe('nameserver 1.1.1.1\noptions timeout:2\n');
  });

  it('on a user network keep the embedded server first and the user\'s ndots over ndots:0', () => {
    expect(embeddedOverCustom('search a.test\nnameserver 10.0.0.53\noptions ndots:2\n')).toBe('search a.test\nnameserver 127.0.0.11\noptions ndots:2\n');
    expect(embeddedOverCustom('nameserver 10.0.0.53\nnameserver fd00::53\n')).toBe('nameserver 127.0.0.11\nnameserver fd00::53\noptions ndots:0\n');
  });

  it('count as set only when a list is not empty', () => {
    expect(hasCustomDns({ servers: [], search: [], options: [] })).toBe(false);
    expect(hasCustomDns({ servers: [], search: [], options: ['ndots:1'] })).toBe(true);
  });
});

describe('--add-host', () => {
  it('splits NAME:IP at the first colon, so an IPv6 address stays whole', () => {
    expect(extraHostRecords(['db:10.1.2.3', 'six:::1'])).toEqual([{ hosts: 'db', ip: '10.1.2.3' }, { hosts: 'six', ip: '::1' }]);
    expect(extraHostRecords(null)).toEqual([]);
  });
});

describe('--add-host NAME:host-gateway', () => {
  it("names the daemon's host gateway (docker0's address)", () => {
    expect(extraHostRecords(['gw:host-gateway'], '172.17.0.1')).toEqual([{ hosts: 'gw', ip: '172.17.0.1' }]);
  });
});
