/**
 * What some applets need from the kernel beyond program.ts's System port, as an optional extension
 * of it (a kernel that has these adds them to the object it passes as `sys`; without them the applet
 * uses the defaults below or reports that the model lacks the call). Proposed for program.ts:
 *
 *   System.uname(): Utsname            uname(2): `uname`, `hostname -f`, `/proc/version`
 *   System.statfs(path): StatFs        statfs(2): `df`, `stat -f`
 *   System.sysinfo(): SysInfo          sysinfo(2): `free` (busybox reads /proc/meminfo too, for cache)
 *   System.nproc(): number             sched_getaffinity(2): `nproc` (a `--cpus` limit does not change it)
 *   System.umask(mask?): number        umask(2): `umask`, and what mkdir/cp/chmod +w apply
 *   FileStat.dev, atime, ctime         st_dev, st_atim, st_ctim: `stat`, `find -xdev`, `du -x`
 *
 * `mount` and `df` take the mount table from /proc/mounts in the process's filesystem, as busybox
 * does (getmntent), so the kernel provides that file rather than a call.
 */
import type { ProcessContext } from '../program.js';

export interface Utsname {
  sysname: string;
  nodename: string;
  release: string;
  version: string;
  machine: string;
}

export interface StatFs {
  /** f_type's name as `stat -f` prints it (`ext2/ext3`, `tmpfs`, `overlayfs`, `proc`). */
  type: string;
  /** f_type as a number (stat -f -c %t). */
  magic: number;
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
  namelen: number;
  /** f_fsid as 16 hex digits. */
  fsid: string;
}

/** What `free` shows, in bytes (sysinfo(2) plus /proc/meminfo's Cached and MemAvailable). */
export interface SysInfo {
  total: number;
  free: number;
  shared: number;
  buffers: number;
  cached: number;
  available: number;
  swapTotal: number;
  swapFree: number;
}

export interface SystemExt {
  uname?(): Utsname;
  statfs?(path: string): Promise<StatFs>;
  sysinfo?(): SysInfo;
  nproc?(): number;
  umask?(mask?: number): number;
}

export function ext(p: ProcessContext): SystemExt {
  return p.sys as SystemExt;
}

/** uname(2) of a kernel that does not say: a Linux 5.x x86-64 host, with the process's hostname. */
export function uname(p: ProcessContext): Utsname {
  const u = ext(p).uname?.();
  if (u) return u;
  return { sysname: 'Linux', nodename: p.sys.hostname(), release: '5.10.0', version: '#1 SMP', machine: 'x86_64' };
}
