/**
 * Resource limits (getrlimit(2)): a soft and a hard value per resource, inherited at fork and kept
 * across execve. A container's processes start with the limits of the daemon that started them
 * (runc sets only the rlimits the OCI spec lists, and Docker lists only HostConfig.Ulimits, so the
 * rest come down from dockerd through containerd and the shim). The model reads its own process's
 * /proc/self/limits once as the daemon's. setrlimit lets anyone lower a value and raise the soft one
 * up to the hard one; raising a hard limit needs CAP_SYS_RESOURCE (kernel/sys.c do_prlimit), which
 * a container's root has not under Docker's default capability set.
 */
import { readFileSync } from 'node:fs';
import { SysError } from './errno.js';

/** RLIM_INFINITY. */
export const UNLIMITED = Infinity;

/** The resources in RLIMIT_* order (include/uapi/asm-generic/resource.h), as /proc/PID/limits rows them. */
export const RESOURCES = [
  { name: 'cpu', row: 'Max cpu time', unit: 'seconds' },
  { name: 'fsize', row: 'Max file size', unit: 'bytes' },
  { name: 'data', row: 'Max data size', unit: 'bytes' },
  { name: 'stack', row: 'Max stack size', unit: 'bytes' },
  { name: 'core', row: 'Max core file size', unit: 'bytes' },
  { name: 'rss', row: 'Max resident set', unit: 'bytes' },
  { name: 'nproc', row: 'Max processes', unit: 'processes' },
  { name: 'nofile', row: 'Max open files', unit: 'files' },
  { name: 'memlock', row: 'Max locked memory', unit: 'bytes' },
  { name: 'as', row: 'Max address space', unit: 'bytes' },
  { name: 'locks', row: 'Max file locks', unit: 'locks' },
  { name: 'sigpending', row: 'Max pending signals', unit: 'signals' },
  { name: 'msgqueue', row: 'Max msgqueue size', unit: 'bytes' },
  { name: 'nice', row: 'Max nice priority', unit: '' },
  { name: 'rtprio', row: 'Max realtime priority', unit: '' },
  { name: 'rttime', row: 'Max realtime timeout', unit: 'us' },
] as const;

export type Resource = (typeof RESOURCES)[number]['name'];

export interface Rlimit {
  soft: number;
  hard: number;
}

export type Rlimits = Map<Resource, Rlimit>;

/** A common Linux default, for a host whose /proc/self/limits cannot be read. */
const FALLBACK: Record<Resource, [number, number]> = {
  cpu: [UNLIMITED, UNLIMITED], fsize: [UNLIMITED, UNLIMITED], data: [UNLIMITED, UNLIMITED],
  stack: [8388608, UNLIMITED], core: [0, UNLIMITED], rss: [UNLIMITED, UNLIMITED], nproc: [63704, 63704],
  nofile: [1048576, 1048576], memlock: [8388608, 8388608], as: [UNLIMITED, UNLIMITED],
  locks: [UNLIMITED, UNLIMITED], sigpending: [63704, 63704], msgqueue: [819200, 819200], nice: [0, 0],
  rtprio: [0, 0], rttime: [UNLIMITED, UNLIMITED],
};

const value = (s: string | undefined): number => (s === undefined || s === 'unlimited' ? UNLIMITED : Number(s));

/** The limits a /proc/PID/limits text shows (fs/proc/base.c proc_pid_limits). */
export function parseLimits(text: string): Rlimits {
  const out: Rlimits = new Map();
  for (const r of RESOURCES) {
    const line = text.split('\n').find((l) => l.startsWith(r.row));
    const [soft, hard] = line ? line.slice(26).trim().split(/\s+/) : [];
    const f = FALLBACK[r.name];
    out.set(r.name, line ? { soft: value(soft), hard: value(hard) } : { soft: f[0], hard: f[1] });
  }
  return out;
}

let daemonLimits: Rlimits | null = null;

/** The daemon process's own limits (read once): what a container's processes inherit. */
export function hostLimits(): Rlimits {
  if (!daemonLimits) {
    let text = '';
    try {
      text = readFileSync('/proc/self/limits', 'utf8');
    } catch {
      // not Linux: the fallback figures
    }
    daemonLimits = parseLimits(text);
  }
  return new Map([...daemonLimits].map(([k, v]) => [k, { ...v }]));
}

/** HostConfig.Ulimits entries (`--ulimit nofile=100:200`) over `base`: runc's setrlimit of each. */
export function withUlimits(base: Rlimits, ulimits: readonly { Name: string; Soft: number; Hard: number }[] | null | undefined): Rlimits {
  const out: Rlimits = new Map([...base].map(([k, v]) => [k, { ...v }]));
  for (const u of ulimits ?? []) {
    const r = RESOURCES.find((x) => x.name === u.Name);
    if (r) out.set(r.name, { soft: u.Soft < 0 ? UNLIMITED : u.Soft, hard: u.Hard < 0 ? UNLIMITED : u.Hard });
  }
  return out;
}

/** setrlimit's checks: soft <= hard (EINVAL); raising the hard limit needs CAP_SYS_RESOURCE (EPERM). */
export function setLimit(limits: Rlimits, res: Resource, next: Rlimit, privileged: boolean): void {
  const cur = limits.get(res)!;
  if (next.soft > next.hard) throw new SysError('EINVAL', 'setrlimit');
  if (next.hard > cur.hard && !privileged) throw new SysError('EPERM', 'setrlimit');
  // RLIMIT_NOFILE above fs.nr_open (1048576 by default) is refused even to root
  if (res === 'nofile' && next.hard > 1048576) throw new SysError('EPERM', 'setrlimit');
  limits.set(res, { ...next });
}

/** /proc/PID/limits as proc_pid_limits prints it. */
export function limitsFile(limits: Rlimits): string {
  const show = (n: number) => (n === UNLIMITED ? 'unlimited' : String(n));
  const lines = [`${'Limit'.padEnd(25)} ${'Soft Limit'.padEnd(20)} ${'Hard Limit'.padEnd(20)} ${'Units'.padEnd(10)}\n`];
  for (const r of RESOURCES) {
    const l = limits.get(r.name)!;
    const row = `${r.row.padEnd(25)} ${show(l.soft).padEnd(20)} ${show(l.hard).padEnd(20)} `;
    lines.push(r.unit ? `${row}${r.unit.padEnd(10)}\n` : `${row}\n`);
  }
  return lines.join('');
}

/**
 * A container's limits: the daemon's with HostConfig.Ulimits (`docker run --ulimit`) over them, as
 * moby's oci spec (daemon/oci_linux.go setRlimits: RLIMIT_ + the upper-cased name) hands them to runc.
 * A `docker exec` process has its open-files soft limit at the hard one (measured with Docker 20.10:
 * `--ulimit nofile=100:200` shows 100 to the container's init and 200 to an exec'd shell): runc exec
 * sets the limits on `runc init` from outside before its Go runtime starts, and Go (1.19 on) raises
 * RLIMIT_NOFILE's soft limit to the hard one at startup, which the exec'd program then inherits.
 */
export function containerRlimits(ulimits: unknown, exec = false): Rlimits {
  const list = Array.isArray(ulimits)
    ? ulimits.filter((u): u is { Name: string; Soft: number; Hard: number } => typeof u === 'object' && u !== null && typeof (u as { Name?: unknown }).Name === 'string')
    : [];
  const out = withUlimits(hostLimits(), list);
  const nofile = out.get('nofile')!;
  if (exec) nofile.soft = nofile.hard;
  return out;
}
