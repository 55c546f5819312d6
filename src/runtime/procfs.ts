/**
 * procfs as a container sees it: a directory per process of the PID namespace it was mounted from
 * (only that namespace's processes, numbered as it numbers them), `self` naming the caller, and the
 * system-wide files. The top level lists what the kernel here lists (measured with `ls /proc` in a
 * container of the engine here); the files the model writes are cgroups, cmdline, cpuinfo,
 * filesystems, loadavg, meminfo, mounts (-> self/mounts), stat, swaps, uptime and version; the
 * others are present and read as empty (the model has no interrupts, slabs or zones to show).
 */
import { currentProc } from './current.js';
import { PID_ENTRIES, pidNode, type PidView } from './procpid.js';
import type { PidNamespace, Proc } from './process.js';
import type { Clock } from './clock.js';
import { SynthFs, dirOf, fileOf, type SynthNode } from '../vfs/synthfs.js';

/** The machine the model's kernel runs on: what /proc/meminfo, cpuinfo and version report. */
export interface Machine {
  /** MemTotal, bytes. */
  memTotal: number;
  ncpu: number;
  /** uname -r. */
  release: string;
  /** The /proc/version line after `Linux version RELEASE `. */
  build: string;
  cpuModel: string;
  /** Boot time, ms since the epoch on the kernel's clock. */
  bootTime: number;
  /** The host's name (what a container with `--uts=host` sees). */
  hostname: string;
  /** The disk under the engine's data root (statfs: 4 KiB blocks), for df of the overlay and binds. */
  disk: { blocks: number; bfree: number; bavail: number; files: number; ffree: number };
}

export interface ProcFsOptions {
  pidNs: PidNamespace;
  clock: Clock;
  machine: Machine;
  cgroupVersion: 1 | 2;
  /** Bytes charged to memory cgroups (what MemFree leaves out). */
  memoryUsed?: () => number;
}

const DIRS = ['acpi', 'bus', 'driver', 'fs', 'irq', 'pressure', 'sys', 'sysvipc', 'tty'];
const EMPTY_FILES = [
  'buddyinfo', 'config.gz', 'consoles', 'crypto', 'devices', 'diskstats', 'dma', 'execdomains', 'interrupts', 'iomem',
  'ioports', 'kallsyms', 'key-users', 'keys', 'kmsg', 'kpagecgroup', 'kpagecount', 'kpageflags', 'locks', 'misc',
  'pagetypeinfo', 'partitions', 'slabinfo', 'softirqs', 'timer_list', 'vmallocinfo', 'vmstat', 'zoneinfo',
]; // no sysrq-trigger on this kernel (measured), so runc skips its read-only bind
const LINKS = ['mounts', 'net', 'self', 'thread-self'];
const FILES = ['cgroups', 'cmdline', 'cpuinfo', 'filesystems', 'loadavg', 'meminfo', 'stat', 'swaps', 'uptime', 'version'];

/** /proc/cgroups: the v1 controllers and their hierarchy ids on this host (measured). */
const CGROUPS_V1: [string, number][] = [
  ['cpuset', 3], ['cpu', 1], ['cpuacct', 2], ['blkio', 7], ['memory', 4], ['devices', 5], ['freezer', 6],
  ['net_cls', 0], ['perf_event', 0], ['net_prio', 0], ['hugetlb', 0], ['pids', 8],
];
const FILESYSTEMS = ['nodev\tsysfs', 'nodev\ttmpfs', 'nodev\tproc', 'nodev\tcgroup', 'nodev\tcgroup2', 'nodev\tdevpts', 'nodev\tmqueue', '\text4', 'nodev\toverlay'];

const kb = (label: string, bytes: number) => `${`${label}:`.padEnd(16)}${String(Math.floor(bytes / 1024)).padStart(8)} kB\n`;

export class ProcFs extends SynthFs implements PidView {
  readonly pidNs: PidNamespace;
  readonly ncpu: number;
  readonly cgroupVersion: 1 | 2;

  constructor(private readonly o: ProcFsOptions) {
    super({ fsType: 'proc', mtime: Math.floor(o.clock.now() / 1000) });
    this.pidNs = o.pidNs;
    this.ncpu = o.machine.ncpu;
    this.cgroupVersion = o.cgroupVersion;
  }

  ticks(ms: number): number {
    return Math.max(0, Math.floor((ms - this.o.machine.bootTime) / 10));
  }

  /** The processes this /proc shows, by the pid its namespace gives them. */
  private visible(): Map<number, Proc> {
    const out = new Map<number, Proc>();
    for (const [pid, p] of this.pidNs.procs) if (p.state !== 'reaped') out.set(pid, p);
    return out;
  }

  protected node(parts: readonly string[]): SynthNode | null {
    if (parts.length === 0) {
      return { type: 'dir', entries: () => [...[...this.visible().keys()].map(String), ...DIRS, ...EMPTY_FILES, ...LINKS, ...FILES] };
    }
    const [top, ...rest] = parts as [string, ...string[]];
    if (/^[1-9][0-9]*$/.test(top)) {
      const p = this.visible().get(Number(top));
      return p ? pidNode(p, rest, this) : null;
    }
    if (rest.length > 0) return null;
    if (DIRS.includes(top)) return dirOf([]);
    if (EMPTY_FILES.includes(top)) return fileOf(() => '');
    switch (top) {
      case 'self':
        return this.selfLink('');
      case 'thread-self':
        return this.selfLink('task');
      case 'mounts':
        return { type: 'symlink', target: () => 'self/mounts', size: 11 };
      case 'net':
        return { type: 'symlink', target: () => 'self/net', size: 8 };
      default:
        return FILES.includes(top) ? fileOf(() => this.render(top)) : null;
    }
  }

  /** /proc/self: the caller's pid here; a caller this namespace cannot see finds nothing (ENOENT). */
  private selfLink(task: string): SynthNode | null {
    const me = currentProc();
    const pid = me ? me.pidIn(this.pidNs) : 0;
    if (!pid) return null;
    return { type: 'symlink', target: () => (task ? `${pid}/task/${pid}` : String(pid)) };
  }

  private render(name: string): string {
    const m = this.o.machine;
    const uptime = Math.max(0, (this.o.clock.now() - m.bootTime) / 1000);
    switch (name) {
      case 'uptime':
        // idle time: the model's processes never run on a CPU, so every CPU idles all the time
        return `${uptime.toFixed(2)} ${(uptime * m.ncpu).toFixed(2)}\n`;
      case 'loadavg':
        return this.loadavg();
      case 'meminfo':
        return this.meminfo();
      case 'version':
        return `Linux version ${m.release} ${m.build}\n`;
      case 'cgroups':
        return `#subsys_name\thierarchy\tnum_cgroups\tenabled\n${CGROUPS_V1.map(([n, h]) => `${n}\t${this.cgroupVersion === 1 ? h : 0}\t1\t1\n`).join('')}`;
      case 'filesystems':
        return FILESYSTEMS.map((l) => `${l}\n`).join('');
      case 'swaps':
        return 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n';
      case 'cpuinfo':
        return Array.from({ length: m.ncpu }, (_, i) => `processor\t: ${i}\nmodel name\t: ${m.cpuModel}\nsiblings\t: ${m.ncpu}\ncore id\t\t: ${i}\ncpu cores\t: ${m.ncpu}\n\n`).join('');
      case 'stat':
        return this.statFile(uptime);
      case 'cmdline':
        return 'console=ttyS0 root=/dev/vda rw\n';
      default:
        return '';
    }
  }

  /** Every process of the machine: the kernel's, whatever namespace /proc shows. */
  private everyone(): Proc[] {
    let root = this.pidNs;
    while (root.parent) root = root.parent;
    return [...root.procs.values()].filter((p) => p.state !== 'reaped');
  }

  private loadavg(): string {
    const all = this.everyone();
    const running = all.filter((p) => p.alive && p.blocked === 0 && p.state === 'run').length;
    const last = Math.max(0, ...all.map((p) => p.hostPid));
    return `0.00 0.00 0.00 ${running}/${all.length} ${last}\n`;
  }

  private meminfo(): string {
    const total = this.o.machine.memTotal;
    const used = this.o.memoryUsed?.() ?? 0;
    const free = Math.max(0, total - used);
    return [
      kb('MemTotal', total), kb('MemFree', free), kb('MemAvailable', free), kb('Buffers', 0), kb('Cached', used),
      kb('SwapCached', 0), kb('Shmem', used), kb('SwapTotal', 0), kb('SwapFree', 0),
    ].join('');
  }

  private statFile(uptime: number): string {
    const all = this.everyone();
    const idle = Math.floor(uptime * 100);
    const cpu = (n: string) => `${n} 0 0 0 ${idle} 0 0 0 0 0 0\n`;
    const lines = [cpu('cpu '), ...Array.from({ length: this.ncpu }, (_, i) => cpu(`cpu${i}`))];
    lines.push(`btime ${Math.floor(this.o.machine.bootTime / 1000)}\n`, `processes ${Math.max(0, ...all.map((p) => p.hostPid))}\n`);
    lines.push(`procs_running ${all.filter((p) => p.state === 'run' && p.blocked === 0).length}\n`, `procs_blocked 0\n`);
    return lines.join('');
  }
}

export { PID_ENTRIES };
