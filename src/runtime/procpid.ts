/**
 * /proc/PID: the files of one process as fs/proc/base.c and fs/proc/array.c write them, for what
 * the model knows of a process (its pids in each namespace, parent, argv, environment, credentials,
 * signal dispositions, state, namespaces, cgroup, mount table). Memory figures (Vm*, RSS) are not
 * modelled: the model's processes have no address space, so status leaves those lines out and stat
 * shows 0 in those fields.
 */
import { NS_ENTRIES, nsLink } from './nsids.js';
import { fdLimitsNode } from './procfd.js';
import { taskComm, type PidNamespace, type Proc } from './process.js';
import { dirOf, fileOf, type SynthNode } from '../vfs/synthfs.js';

/** What a process's files need from the /proc they are in. */
export interface PidView {
  /** The PID namespace /proc was mounted from: pids are shown as seen from it. */
  readonly pidNs: PidNamespace;
  /** Clock ticks (USER_HZ, 100 a second) since boot at `ms`. */
  ticks(ms: number): number;
  readonly ncpu: number;
  readonly cgroupVersion: 1 | 2;
}

/** The entries of /proc/PID the model writes. */
export const PID_ENTRIES = ['cgroup', 'cmdline', 'comm', 'cwd', 'environ', 'fd', 'limits', 'mounts', 'ns', 'root', 'stat', 'status'];

/** The v1 hierarchies in /proc/PID/cgroup's order, with their ids (measured on this host). */
const V1_HIERARCHIES = ['9:name=systemd', '8:pids', '7:blkio', '6:freezer', '5:devices', '4:memory', '3:cpuset', '2:cpuacct', '1:cpu', '0:'];

/** Docker's default capability set (moby oci/caps/defaults.go) as the status masks show it (measured). */
const DEFAULT_CAPS = '00000000a80425fb';

const STATE_NAME = { R: 'R (running)', S: 'S (sleeping)', T: 'T (stopped)', Z: 'Z (zombie)' } as const;

/** comm: the task's name, at most 15 bytes (TASK_COMM_LEN). */
export function comm(p: Proc): string {
  return taskComm(p);
}

function mask(p: Proc, which: 'ignore' | 'catch'): string {
  let m = 0n;
  p.dispositions.forEach((d, sig) => {
    if (d === which && sig > 0) m |= 1n << BigInt(sig - 1);
  });
  return m.toString(16).padStart(16, '0');
}

/** The pids of `p` from `from` down to its own namespace (NStgid, NSpid). */
function nsPids(p: Proc, from: PidNamespace): string {
  const out: number[] = [];
  for (let n: PidNamespace | null = p.ns; n; n = n.parent) {
    out.unshift(p.pidIn(n));
    if (n === from) break;
  }
  return out.join('\t');
}

function status(p: Proc, v: PidView): string {
  const info = p.info(v.pidNs);
  const { uid, gid, groups } = p.cred;
  const lines: [string, string | number][] = [
    ['Name', comm(p)],
    ['Umask', '0022'],
    ['State', STATE_NAME[info.state]],
    ['Tgid', info.pid],
    ['Ngid', 0],
    ['Pid', info.pid],
    ['PPid', info.ppid],
    ['TracerPid', 0],
    ['Uid', `${uid}\t${uid}\t${uid}\t${uid}`],
    ['Gid', `${gid}\t${gid}\t${gid}\t${gid}`],
    ['FDSize', 64],
    ['Groups', `${[...new Set([gid, ...groups])].join(' ')} `],
    ['NStgid', nsPids(p, v.pidNs)],
    ['NSpid', nsPids(p, v.pidNs)],
    ['Threads', 1],
    ['SigPnd', '0000000000000000'],
    ['ShdPnd', '0000000000000000'],
    ['SigBlk', '0000000000000000'],
    ['SigIgn', mask(p, 'ignore')],
    ['SigCgt', mask(p, 'catch')],
    ['CapInh', '0000000000000000'],
    ['CapPrm', uid === 0 ? (p.cred.capBnd ?? DEFAULT_CAPS) : '0000000000000000'],
    ['CapEff', uid === 0 ? (p.cred.capBnd ?? DEFAULT_CAPS) : '0000000000000000'],
    ['CapBnd', p.cred.capBnd ?? DEFAULT_CAPS],
    ['CapAmb', '0000000000000000'],
    ['NoNewPrivs', 0],
    ['Seccomp', 2],
    ['Cpus_allowed_list', v.ncpu > 1 ? `0-${v.ncpu - 1}` : '0'],
  ];
  return lines.map(([k, val]) => `${k}:\t${val}\n`).join('');
}

/** /proc/PID/stat: the 52 fields of do_task_stat; what the model does not know is 0. */
function stat(p: Proc, v: PidView): string {
  const info = p.info(v.pidNs);
  let root = p.ns;
  while (root.parent) root = root.parent;
  const pgrp = root.procs.get(p.pgid)?.pidIn(v.pidNs) ?? 0;
  const f: (string | number)[] = [info.pid, `(${comm(p)})`, info.state, info.ppid, pgrp, pgrp, 0, -1, 4194560];
  f.push(0, 0, 0, 0, 0, 0, 0, 0, 20, 0, 1, 0, v.ticks(p.startTime), 0, 0, '18446744073709551615');
  while (f.length < 52) f.push(0);
  f[37] = 17; // exit_signal: SIGCHLD
  return `${f.join(' ')}\n`;
}

function cgroupFile(p: Proc, v: PidView): string {
  const path = p.cgroup?.path ?? '/';
  if (v.cgroupVersion === 2) return `0::/\n`;
  return V1_HIERARCHIES.map((h) => `${h}:${path}\n`).join('');
}

/** The node at `rest` under /proc/PID for `p`. */
export function pidNode(p: Proc, rest: readonly string[], v: PidView): SynthNode | null {
  if (rest.length === 0) return { type: 'dir', entries: () => [...PID_ENTRIES], nlink: 9 };
  const [name, sub] = rest;
  const fdOrLimits = fdLimitsNode(p, rest);
  if (fdOrLimits !== undefined) return fdOrLimits;
  if (name === 'ns') {
    if (rest.length === 1) return dirOf([...NS_ENTRIES], 0o511);
    const e = NS_ENTRIES.find((x) => x === sub);
    return e && rest.length === 2 ? { type: 'symlink', target: () => nsLink(p.nsset, e) } : null;
  }
  if (rest.length > 1) return null;
  switch (name) {
    case 'cmdline':
      return fileOf(() => (p.state === 'zombie' ? '' : (p.cmdline ?? p.argv).map((a) => `${a}\0`).join('')));
    case 'comm':
      return { type: 'file', mode: 0o644, content: () => `${comm(p)}\n` };
    case 'environ':
      return fileOf(() => [...p.env].map(([k, val]) => `${k}=${val}\0`).join(''), 0o400);
    case 'status':
      return fileOf(() => status(p, v));
    case 'stat':
      return fileOf(() => stat(p, v));
    case 'mounts':
      return fileOf(() => p.nsset.mounts?.mounts() ?? '');
    case 'cgroup':
      return fileOf(() => cgroupFile(p, v));
    case 'cwd':
      return { type: 'symlink', target: () => p.cwd };
    case 'root':
      return { type: 'symlink', target: () => '/' };
    default:
      return null;
  }
}
