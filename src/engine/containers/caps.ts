/**
 * Linux capabilities as the engine grants them to a container's processes: moby oci/caps
 * (DefaultCapabilities, TweakCapabilities) over the kernel's list (include/uapi/linux/capability.h,
 * bit = index). The set is shown as /proc/PID/status masks (CapPrm, CapEff, CapBnd).
 */

/** capability.h, in bit order (0 = CAP_CHOWN ... 40 = CAP_CHECKPOINT_RESTORE). */
const NAMES = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP',
  'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER',
  'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE',
  'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP',
  'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF',
  'CHECKPOINT_RESTORE',
].map((n) => `CAP_${n}`);

/** moby oci/caps/defaults.go DefaultCapabilities. */
const DEFAULTS = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

export function capabilityNames(): readonly string[] {
  return NAMES;
}

/** NormalizeLegacyCapabilities: upper case, CAP_ prefix ("ALL" stays). */
function normalise(list: readonly string[]): string[] {
  return list.map((c) => {
    const up = c.toUpperCase();
    return up === 'ALL' || up.startsWith('CAP_') ? up : `CAP_${up}`;
  });
}

/**
 * TweakCapabilities: privileged or `--cap-add ALL` start from every capability, `--cap-drop ALL`
 * from none, anything else from the defaults; then the drops go and the adds come.
 */
export function containerCaps(h: Readonly<Record<string, unknown>>): Set<string> {
  if (h.Privileged === true) return new Set(NAMES);
  const adds = normalise(Array.isArray(h.CapAdd) ? (h.CapAdd as string[]) : []);
  const drops = normalise(Array.isArray(h.CapDrop) ? (h.CapDrop as string[]) : []);
  let base: string[];
  if (adds.includes('ALL')) base = NAMES;
  else if (drops.includes('ALL')) base = [];
  else base = DEFAULTS;
  const out = new Set(base.filter((c) => !drops.includes(c)));
  if (!adds.includes('ALL')) for (const c of adds) if (NAMES.includes(c)) out.add(c);
  return out;
}

/** The 16-hex-digit mask /proc/PID/status prints for a set. */
export function capMask(caps: ReadonlySet<string>): string {
  let mask = 0n;
  NAMES.forEach((n, bit) => {
    if (caps.has(n)) mask |= 1n << BigInt(bit);
  });
  return mask.toString(16).padStart(16, '0');
}
