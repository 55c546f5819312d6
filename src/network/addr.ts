/**
 * Addresses and subnets for the network model. All parsing and arithmetic goes through `ip-address`
 * (Address4/Address6); this file only wraps it in the small value the IPAM needs: a subnet as its
 * first address (a bigint), its prefix length and its family.
 */
import { Address4, Address6 } from 'ip-address';
import { BoxlabError } from '../errors.js';

export type Family = 4 | 6;

/** A canonical subnet: `base` has no host bits set (10.75.0.5/24 becomes 10.75.0.0/24). */
export interface Subnet {
  readonly family: Family;
  readonly base: bigint;
  readonly prefix: number;
  /** Address bits of the family: 32 or 128. */
  readonly bits: number;
}

export function familyOf(text: string): Family | undefined {
  if (Address4.isValid(text)) return 4;
  if (Address6.isValid(text)) return 6;
  return undefined;
}

/** One parse: Address4 unless the text has a colon (ip-address throws AddressError when invalid). */
function parseAddress(text: string): Address4 | Address6 {
  try {
    return text.includes(':') ? new Address6(text) : new Address4(text);
  } catch {
    throw new BoxlabError('InvalidArgument', `invalid address ${text}`, { member: text });
  }
}

/** An address (no suffix) as a bigint of its family. */
export function addressValue(text: string): { family: Family; value: bigint } {
  if (text.includes('/')) throw new BoxlabError('InvalidArgument', `invalid address ${text}`, { member: text });
  const a = parseAddress(text);
  return { family: a instanceof Address4 ? 4 : 6, value: a.bigInt() };
}

/** `10.75.0.5/24` → the subnet 10.75.0.0/24 (libnetwork keeps the canonical pool, not the typed text). */
export function parseSubnet(text: string): Subnet {
  if (!text.includes('/')) throw new BoxlabError('InvalidArgument', `invalid CIDR address: ${text}`, { member: text });
  const a = parseAddress(text);
  const bits = a instanceof Address4 ? 32 : 128;
  return { family: bits === 32 ? 4 : 6, base: a._startAddress(), prefix: a.subnetMask, bits };
}

export function formatAddress(family: Family, value: bigint): string {
  return family === 4 ? Address4.fromBigInt(value).correctForm() : Address6.fromBigInt(value).correctForm();
}

export function formatSubnet(s: Subnet): string {
  return `${formatAddress(s.family, s.base)}/${s.prefix}`;
}

/** Number of addresses in the subnet, as a bigint (a /64 has 2^64). */
export function subnetSize(s: Subnet): bigint {
  return 1n << BigInt(s.bits - s.prefix);
}

export function lastAddress(s: Subnet): bigint {
  return s.base + subnetSize(s) - 1n;
}

export function contains(s: Subnet, family: Family, value: bigint): boolean {
  return family === s.family && value >= s.base && value <= lastAddress(s);
}

export function overlaps(a: Subnet, b: Subnet): boolean {
  return a.family === b.family && a.base <= lastAddress(b) && b.base <= lastAddress(a);
}

/** The address `n` places after the subnet's first address, formatted. */
export function addressAt(s: Subnet, n: number): string {
  return formatAddress(s.family, s.base + BigInt(n));
}

/** Split a base subnet into consecutive subnets of `size` bits of prefix (172.20.0.0/14 → four /16s). */
export function splitSubnet(base: Subnet, prefix: number): Subnet[] {
  if (prefix < base.prefix) throw new BoxlabError('InvalidArgument', `cannot split /${base.prefix} into /${prefix}`);
  const step = 1n << BigInt(base.bits - prefix);
  const count = 1 << (prefix - base.prefix);
  return Array.from({ length: count }, (_, i) => ({ ...base, base: base.base + step * BigInt(i), prefix }));
}
