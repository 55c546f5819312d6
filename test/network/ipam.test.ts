/**
 * IPAM against what the engine here (Docker 20.10) did: test/network/fixtures/transcripts/pools.txt and
 * addresses.txt are the transcripts these expectations come from.
 */
import { describe, expect, it } from 'vitest';
import { formatSubnet } from '../../src/network/addr.js';
import { SparseBitmap } from '../../src/network/bitmap.js';
import { isNetworkError } from '../../src/network/errors.js';
import { Ipam, localDefaultPools } from '../../src/network/ipam.js';

/** A daemon's IPAM after start: docker0 holds 172.17.0.0/16 with its gateway. */
function daemonIpam(): Ipam {
  const ipam = new Ipam();
  const bridge = ipam.requestPool({ subnet: '172.17.0.0/16' });
  ipam.requestAddress(bridge.id, { preferred: '172.17.0.1' });
  return ipam;
}

const subnetOf = (ipam: Ipam): string => formatSubnet(ipam.requestPool().subnet);

describe('default pools', () => {
  it('are 172.17-172.31 as /16s then 192.168.0.0/16 as sixteen /20s', () => {
    const pools = localDefaultPools().map(formatSubnet);
    expect(pools).toHaveLength(31);
    expect(pools.slice(0, 2)).toEqual(['172.17.0.0/16', '172.18.0.0/16']);
    expect(pools[14]).toBe('172.31.0.0/16');
    expect(pools.slice(15, 17)).toEqual(['192.168.0.0/20', '192.168.16.0/20']);
    expect(pools[30]).toBe('192.168.240.0/20');
  });

  it('does not reuse a removed network subnet: the cursor moves on (p1 172.18, rm p1, p3 172.20)', () => {
    const ipam = daemonIpam();
    const p1 = ipam.requestPool();
    expect(formatSubnet(p1.subnet)).toBe('172.18.0.0/16');
    expect(subnetOf(ipam)).toBe('172.19.0.0/16');
    ipam.releasePool(p1.id);
    expect(subnetOf(ipam)).toBe('172.20.0.0/16');
  });

  it('walks to 192.168.240.0/20, wraps round to 172.18, then is exhausted', () => {
    const ipam = daemonIpam();
    const got = Array.from({ length: 30 }, () => subnetOf(ipam));
    expect(got[6]).toBe('172.24.0.0/16');
    expect(got[13]).toBe('172.31.0.0/16');
    expect(got[14]).toBe('192.168.0.0/20');
    expect(got[29]).toBe('192.168.240.0/20');
    expect(() => ipam.requestPool()).toThrow(expect.objectContaining({ reason: 'PoolsExhausted' }));
  });

  it('after exhaustion takes a freed pool, and the cursor follows it (e5 freed, then e20)', () => {
    // The measured run: p1..p4 and d1, d2 moved the cursor to 172.24; e1..e24 to the end, e25..e30
    // wrapped to 172.18..172.23; rm e5 (172.28) → next 172.28; rm e20 (192.168.176) → next that;
    // prune all → the next is 192.168.192.0/20, after the last one taken.
    const ipam = daemonIpam();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ipam.releasePool(ipam.requestPool().id); // p1..p4, d1, d2 (172.18-172.23)
    for (let i = 0; i < 30; i++) ids.push(ipam.requestPool().id);
    expect(formatSubnet(ipam.pool(ids[0] as string).subnet)).toBe('172.24.0.0/16');
    expect(formatSubnet(ipam.pool(ids[24] as string).subnet)).toBe('172.18.0.0/16');
    ipam.releasePool(ids[4] as string);
    expect(subnetOf(ipam)).toBe('172.28.0.0/16');
    ipam.releasePool(ids[19] as string);
    expect(subnetOf(ipam)).toBe('192.168.176.0/20');
    for (const p of ipam.listPools()) if (p.userConfigured === false) ipam.releasePool(p.id);
    expect(subnetOf(ipam)).toBe('192.168.192.0/20');
  });

  it('skips a default pool that overlaps a user subnet', () => {
    const ipam = daemonIpam();
    ipam.requestPool({ subnet: '172.18.5.0/24' });
    expect(subnetOf(ipam)).toBe('172.19.0.0/16');
  });

  it('skips a default pool that overlaps a host route', () => {
    const ipam = new Ipam({ avoid: ['172.17.0.0/16', '172.18.0.0/20'] });
    expect(subnetOf(ipam)).toBe('172.19.0.0/16');
  });
});

describe('user-configured pools', () => {
  it('refuses an overlapping --subnet, including docker0 and an equal one', () => {
    const ipam = daemonIpam();
    ipam.requestPool({ subnet: '10.77.0.0/29' });
    for (const s of ['10.77.0.0/24', '10.77.0.0/29', '172.17.5.0/24', '10.0.0.0/8']) {
      expect(() => ipam.requestPool({ subnet: s }), s).toThrow(expect.objectContaining({ reason: 'PoolOverlap' }));
    }
  });

  it('keeps the canonical subnet of a --subnet with host bits (10.75.0.5/24)', () => {
    expect(formatSubnet(new Ipam().requestPool({ subnet: '10.75.0.5/24' }).subnet)).toBe('10.75.0.0/24');
  });

  it('refuses an --ip-range outside its --subnet', () => {
    expect(() => new Ipam().requestPool({ subnet: '10.75.0.0/24', ipRange: '10.74.0.0/25' })).toThrow(
      expect.objectContaining({ reason: 'InvalidSubnetConfig' }),
    );
  });
});

describe('addresses', () => {
  it('gives the gateway .1, then .2, .3, .4 (MAC-free order on the default bridge: b1 b2 b3)', () => {
    const ipam = new Ipam();
    const p = ipam.requestPool({ subnet: '172.17.0.0/16' });
    expect(['gw', 'b1', 'b2', 'b3'].map(() => ipam.requestAddress(p.id))).toEqual([
      '172.17.0.1',
      '172.17.0.2',
      '172.17.0.3',
      '172.17.0.4',
    ]);
  });

  it('reuses the lowest free address: stop b2 (.3), b4 gets .3, b2 restarted gets .5', () => {
    const ipam = new Ipam();
    const p = ipam.requestPool({ subnet: '172.17.0.0/16' });
    for (let i = 0; i < 4; i++) ipam.requestAddress(p.id);
    ipam.releaseAddress(p.id, '172.17.0.3');
    expect(ipam.requestAddress(p.id)).toBe('172.17.0.3');
    expect(ipam.requestAddress(p.id)).toBe('172.17.0.5');
    ipam.releaseAddress(p.id, '172.17.0.2');
    expect(ipam.requestAddress(p.id)).toBe('172.17.0.2');
  });

  it('hands out the next free one after the last with serial allocation (swarm mode)', () => {
    const ipam = new Ipam();
    const p = ipam.requestPool({ subnet: '10.0.0.0/24' });
    for (let i = 0; i < 4; i++) ipam.requestAddress(p.id, { serial: true });
    ipam.releaseAddress(p.id, '10.0.0.2');
    expect(ipam.requestAddress(p.id, { serial: true })).toBe('10.0.0.5');
  });

  it('fills a /29 with .2-.6 and then has none left; a /30 holds one container', () => {
    const ipam = new Ipam();
    const tiny = ipam.requestPool({ subnet: '10.77.0.0/29' });
    const got = Array.from({ length: 6 }, () => ipam.requestAddress(tiny.id));
    expect(got).toEqual(['10.77.0.1', '10.77.0.2', '10.77.0.3', '10.77.0.4', '10.77.0.5', '10.77.0.6']);
    expect(() => ipam.requestAddress(tiny.id)).toThrow(expect.objectContaining({ reason: 'NoAvailableAddresses' }));
    const full = ipam.requestPool({ subnet: '10.79.0.0/30' });
    ipam.requestAddress(full.id);
    expect(ipam.requestAddress(full.id)).toBe('10.79.0.2');
    expect(() => ipam.requestAddress(full.id)).toThrow(expect.objectContaining({ reason: 'NoAvailableAddresses' }));
  });

  it('refuses a taken, gateway, network or broadcast --ip with AddressInUse, and one outside the subnet', () => {
    const ipam = new Ipam();
    const tiny = ipam.requestPool({ subnet: '10.77.0.0/29' });
    ipam.requestAddress(tiny.id);
    ipam.requestAddress(tiny.id);
    for (const ip of ['10.77.0.2', '10.77.0.1', '10.77.0.0', '10.77.0.7']) {
      expect(() => ipam.requestAddress(tiny.id, { preferred: ip }), ip).toThrow(
        expect.objectContaining({ reason: 'AddressInUse' }),
      );
    }
    expect(() => ipam.requestAddress(tiny.id, { preferred: '10.77.0.9' })).toThrow(
      expect.objectContaining({ reason: 'AddressOutsidePool' }),
    );
  });

  it('takes from --ip-range first address on (.128 of 10.78.0.128/25), --ip anywhere in the subnet', () => {
    const ipam = new Ipam();
    const rng = ipam.requestPool({ subnet: '10.78.0.0/24', ipRange: '10.78.0.128/25' });
    expect(ipam.requestAddress(rng.id, { preferred: '10.78.0.254' })).toBe('10.78.0.254');
    expect(ipam.requestAddress(rng.id)).toBe('10.78.0.128');
    expect(ipam.requestAddress(rng.id)).toBe('10.78.0.129');
    expect(ipam.requestAddress(rng.id, { preferred: '10.78.0.5' })).toBe('10.78.0.5');
  });

  it('counts a range starting at the subnet start without its network address (10.76.0.0/30: gw, .2, .3)', () => {
    const ipam = new Ipam();
    const p = ipam.requestPool({ subnet: '10.76.0.0/24', ipRange: '10.76.0.0/30' });
    expect([ipam.requestAddress(p.id), ipam.requestAddress(p.id), ipam.requestAddress(p.id)]).toEqual([
      '10.76.0.1',
      '10.76.0.2',
      '10.76.0.3',
    ]);
    expect(() => ipam.requestAddress(p.id)).toThrow(expect.objectContaining({ reason: 'NoAvailableAddresses' }));
  });

  it('has no address for a gateway on a /31 or a /32', () => {
    const ipam = new Ipam();
    for (const s of ['10.73.0.0/31', '10.73.1.0/32']) {
      const p = ipam.requestPool({ subnet: s });
      let err: unknown;
      try {
        ipam.requestAddress(p.id);
      } catch (e) {
        err = e;
      }
      expect(isNetworkError(err, 'NoAvailableAddresses'), s).toBe(true);
    }
  });

  it('allocates on a 10.0.0.0/8 with memory in runs, not a 16M bitmap', () => {
    const ipam = new Ipam();
    const big = ipam.requestPool({ subnet: '10.0.0.0/8' });
    expect(ipam.usage(big.id)).toEqual({ inUse: 0, runs: 2 });
    expect([ipam.requestAddress(big.id), ipam.requestAddress(big.id), ipam.requestAddress(big.id)]).toEqual([
      '10.0.0.1',
      '10.0.0.2',
      '10.0.0.3',
    ]);
    expect(ipam.usage(big.id)).toEqual({ inUse: 3, runs: 2 });
  });

  it('handles an IPv6 subnet (gateway ::1, then ::2)', () => {
    const ipam = new Ipam();
    const p = ipam.requestPool({ subnet: '2001:db8:1::/64' });
    expect(ipam.requestAddress(p.id)).toBe('2001:db8:1::1');
    expect(ipam.requestAddress(p.id)).toBe('2001:db8:1::2');
  });
});

describe('SparseBitmap', () => {
  it('merges adjacent runs and splits on release', () => {
    const b = new SparseBitmap(100);
    for (const o of [1, 3, 2, 10]) b.set(o);
    expect(b.runs).toBe(2);
    b.unset(2);
    expect(b.runs).toBe(3);
    expect(b.firstClear(1, 99)).toBe(2);
    expect(b.firstClear(10, 10)).toBeUndefined();
    expect(b.set(3)).toBe(false);
    expect(b.count).toBe(3);
  });

  it('agrees with a plain Set under random set/unset', () => {
    const b = new SparseBitmap(64);
    const ref = new Set<number>();
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 64;
    for (let i = 0; i < 2000; i++) {
      const o = rnd();
      if (i % 3 === 0) expect(b.unset(o)).toBe(ref.delete(o));
      else {
        expect(b.set(o)).toBe(!ref.has(o));
        ref.add(o);
      }
      const from = rnd();
      let want: number | undefined;
      for (let k = from; k < 64; k++) if (!ref.has(k)) { want = k; break; }
      expect(b.firstClear(from, 63)).toBe(want);
    }
    expect(b.count).toBe(ref.size);
  });
});
