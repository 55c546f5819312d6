/**
 * Capability checks on a process's bounding-set mask (Credentials.capBnd, as /proc/PID/status
 * prints it). Bits are the kernel's (include/uapi/linux/capability.h). A process without a mask
 * (the model's host, or a caller that never set one) holds every capability.
 */

export const CAP_NET_RAW = 13;

export function hasCapability(mask: string | undefined, bit: number): boolean {
  if (mask === undefined) return true;
  return ((BigInt(`0x${mask}`) >> BigInt(bit)) & 1n) === 1n;
}
