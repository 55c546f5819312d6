/**
 * IPAM as libnetwork's default driver does it in Engine 20.10 (ipam/allocator.go, bitseq), one
 * address space ("LocalDefault"):
 *
 * - Pools. A network without --subnet gets the next free default pool (ipamutils: 172.17-172.31 as
 *   /16s, then 192.168.0.0/16 as /20s). The allocator keeps a cursor: each pool handed out moves it
 *   past that pool, so within one daemon's life a removed network's subnet is NOT reused until the
 *   cursor wraps round (measured on the engine here: net p1 172.18, rm p1, next net 172.20; after the
 *   last 192.168.240.0/20 it starts again at 172.18). A pool that overlaps any pool in use is skipped
 *   (for defaults) or refused (for --subnet: "Pool overlaps with other one on this address space").
 * - Addresses. One bitmap per subnet; the network address (ordinal 0) and, for IPv4, the broadcast
 *   address are reserved at creation. A request without a preferred address takes the LOWEST free
 *   ordinal (inside --ip-range when there is one); a preferred address anywhere in the subnet is taken
 *   as is or refused ("Address already in use"). Measured: run c1 c2 c3, stop c2, run c4: c4 gets
 *   c2's address; c2 restarted gets the next lowest free.
 */
import {
  contains,
  formatAddress,
  formatSubnet,
  overlaps,
  parseSubnet,
  splitSubnet,
  subnetSize,
  addressValue,
  type Family,
  type Subnet,
} from './addr.js';
import { SparseBitmap } from './bitmap.js';
import { NetworkError } from './errors.js';

export const ADDRESS_SPACE = 'LocalDefault';

/** ipamutils.GetLocalScopeDefaultNetworks in 20.10: 31 pools, in this order. */
export function localDefaultPools(): Subnet[] {
  const out: Subnet[] = [];
  for (let second = 17; second <= 31; second++) out.push(parseSubnet(`172.${second}.0.0/16`));
  out.push(...splitSubnet(parseSubnet('192.168.0.0/16'), 20));
  return out;
}

/** libnetwork 20.10 keeps at most 32 host bits of an IPv6 pool in its bitmap (a /64 counts as a /96). */
const MAX_V6_HOST_BITS = 32;

export interface PoolRequest {
  /** --subnet; without it the next default pool is taken. */
  subnet?: string;
  /** --ip-range: addresses handed out without a preference come from here. */
  ipRange?: string;
  family?: Family;
  /** A restored network's pool keeps whether the user configured it (default: whether `subnet` is given). */
  userConfigured?: boolean;
}

export interface PoolInfo {
  /** libnetwork's pool ID: `LocalDefault/<subnet>[/<range>]`. */
  readonly id: string;
  readonly subnet: Subnet;
  readonly range?: Subnet;
  /** True when the subnet came from --subnet, not from the default pools. */
  readonly userConfigured: boolean;
}

interface PoolState extends PoolInfo {
  readonly bitmap: SparseBitmap;
  readonly first: number;
  readonly last: number;
  /** For serial allocation (swarm's mode; local networks use lowest-free): the next ordinal to try. */
  cursor: number;
  reserved: number;
}

export interface IpamOptions {
  /** The default pools in order (default: localDefaultPools()). */
  predefined?: readonly Subnet[];
  /** Host routes and nameservers a default pool must not overlap (netutils.CheckRouteOverlaps). */
  avoid?: readonly string[];
}

export class Ipam {
  private readonly predefined: readonly Subnet[];
  private readonly avoid: readonly Subnet[];
  /** Index into `predefined` where the next search for a default pool starts. */
  private startIndex = 0;
  private readonly pools = new Map<string, PoolState>();

  constructor(opts: IpamOptions = {}) {
    this.predefined = opts.predefined ?? localDefaultPools();
    this.avoid = (opts.avoid ?? []).map(parseSubnet);
  }

  /** Reserve a subnet for a network: the given --subnet, or the next free default pool. */
  requestPool(req: PoolRequest = {}): PoolInfo {
    const userConfigured = req.userConfigured ?? req.subnet !== undefined;
    const subnet = req.subnet !== undefined ? this.checkedUserSubnet(req.subnet) : this.nextDefaultPool(req.family ?? 4);
    let range: Subnet | undefined;
    if (req.ipRange !== undefined) {
      range = parseSubnet(req.ipRange);
      if (range.prefix < subnet.prefix || !contains(subnet, range.family, range.base)) {
        throw new NetworkError('InvalidSubnetConfig', `ip-range ${req.ipRange} is not within ${formatSubnet(subnet)}`, {
          subnet: formatSubnet(subnet),
          address: req.ipRange,
        });
      }
    }
    const state = newPoolState(subnet, range, userConfigured);
    this.pools.set(state.id, state);
    return publicInfo(state);
  }

  releasePool(id: string): void {
    this.pools.delete(id);
  }

  pool(id: string): PoolInfo {
    return publicInfo(this.state(id));
  }

  listPools(): PoolInfo[] {
    return [...this.pools.values()].map(publicInfo);
  }

  /**
   * One address from the pool: `preferred` exactly (--ip, --gateway), else the lowest free one in the
   * range (or, with `serial`, the next free one after the last handed out, as bitseq's SetAny(serial)).
   */
  requestAddress(poolId: string, opts: { preferred?: string; serial?: boolean } = {}): string {
    const p = this.state(poolId);
    let ordinal: number;
    if (opts.preferred !== undefined) {
      ordinal = this.ordinalOf(p, opts.preferred);
      if (!p.bitmap.set(ordinal)) {
        throw new NetworkError('AddressInUse', `${opts.preferred} is already allocated`, { address: opts.preferred });
      }
    } else {
      const found = opts.serial ? this.nextSerial(p) : p.bitmap.firstClear(p.first, p.last);
      if (found === undefined) {
        throw new NetworkError('NoAvailableAddresses', `no free address in ${formatSubnet(p.range ?? p.subnet)}`, {
          subnet: formatSubnet(p.subnet),
        });
      }
      p.bitmap.set(found);
      ordinal = found;
    }
    p.cursor = ordinal + 1 > p.last ? p.first : ordinal + 1;
    return formatAddress(p.subnet.family, p.subnet.base + BigInt(ordinal));
  }

  releaseAddress(poolId: string, address: string): void {
    const p = this.state(poolId);
    const ordinal = this.ordinalOf(p, address);
    if (ordinal === 0 || (p.subnet.family === 4 && ordinal === p.bitmap.size - 1)) return; // reserved stay
    p.bitmap.unset(ordinal);
  }

  isAllocated(poolId: string, address: string): boolean {
    const p = this.state(poolId);
    return p.bitmap.isSet(this.ordinalOf(p, address));
  }

  /** Addresses handed out (gateway included, network and broadcast not) and the bitmap's runs. */
  usage(poolId: string): { inUse: number; runs: number } {
    const p = this.state(poolId);
    return { inUse: p.bitmap.count - p.reserved, runs: p.bitmap.runs };
  }

  private state(id: string): PoolState {
    const p = this.pools.get(id);
    if (!p) throw new NetworkError('NetworkNotFound', `no pool ${id}`);
    return p;
  }

  private ordinalOf(p: PoolState, address: string): number {
    const { family, value } = addressValue(address);
    if (!contains(p.subnet, family, value) || value - p.subnet.base >= BigInt(p.bitmap.size)) {
      throw new NetworkError('AddressOutsidePool', `${address} is outside ${formatSubnet(p.subnet)}`, {
        address,
        subnet: formatSubnet(p.subnet),
      });
    }
    return Number(value - p.subnet.base);
  }

  private nextSerial(p: PoolState): number | undefined {
    return p.bitmap.firstClear(p.cursor, p.last) ?? p.bitmap.firstClear(p.first, p.cursor - 1);
  }

  private overlapsInUse(s: Subnet): boolean {
    for (const p of this.pools.values()) if (overlaps(p.subnet, s)) return true;
    return false;
  }

  private checkedUserSubnet(text: string): Subnet {
    const s = parseSubnet(text);
    if (this.overlapsInUse(s)) {
      throw new NetworkError('PoolOverlap', `pool ${formatSubnet(s)} overlaps a pool in use`, { subnet: text });
    }
    return s;
  }

  /** Search the defaults from the cursor round to it again; the cursor then moves past the pool taken. */
  private nextDefaultPool(family: Family): Subnet {
    const n = this.predefined.length;
    for (let k = 0; k < n; k++) {
      const i = (this.startIndex + k) % n;
      const s = this.predefined[i] as Subnet;
      if (s.family !== family || this.overlapsInUse(s)) continue;
      if (this.avoid.some((a) => overlaps(a, s))) continue;
      this.startIndex = (i + 1) % n;
      return s;
    }
    throw new NetworkError('PoolsExhausted', `no free default IPv${family} pool`, { family });
  }
}

function newPoolState(subnet: Subnet, range: Subnet | undefined, userConfigured: boolean): PoolState {
  const hostBits = subnet.bits - subnet.prefix;
  const size = subnet.family === 6 && hostBits > MAX_V6_HOST_BITS ? 2 ** MAX_V6_HOST_BITS : Number(subnetSize(subnet));
  const bitmap = new SparseBitmap(size);
  // ipam/allocator.go insertBitMask: ordinal 0 (the network) always, the last (broadcast) for IPv4.
  bitmap.set(0);
  if (subnet.family === 4 && size > 1) bitmap.set(size - 1);
  let first = 0;
  let last = size - 1;
  if (range) {
    first = Number(range.base - subnet.base);
    last = Math.min(size - 1, first + Number(subnetSize(range)) - 1);
  }
  const id = `${ADDRESS_SPACE}/${formatSubnet(subnet)}${range ? '/' + formatSubnet(range) : ''}`;
  return { id, subnet, range, userConfigured, bitmap, first, last, cursor: first, reserved: bitmap.count };
}

function publicInfo(p: PoolState): PoolInfo {
  return { id: p.id, subnet: p.subnet, range: p.range, userConfigured: p.userConfigured };
}
