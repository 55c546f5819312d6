/**
 * The eight kinds of namespace a process is in, each known by the inode number /proc/PID/ns/KIND
 * links to (`readlink /proc/self/ns/pid` → `pid:[4026532252]`). The kernel gives the initial
 * namespaces fixed numbers (include/linux/proc_ns.h: PROC_IPC_INIT_INO ...) and every later one the
 * next number of one shared counter (proc_alloc_inum), so a container's new namespaces have
 * consecutive numbers in the order runc makes them (measured: mnt, uts, ipc, pid, net).
 */
import type { MountNamespace } from '../vfs/namespace.js';

export type NsKind = 'cgroup' | 'ipc' | 'mnt' | 'net' | 'pid' | 'time' | 'user' | 'uts';

/** What /proc/PID/ns lists, in its order; the *_for_children links show the kind before `_`. */
export const NS_ENTRIES = ['cgroup', 'ipc', 'mnt', 'net', 'pid', 'pid_for_children', 'time', 'time_for_children', 'user', 'uts'] as const;

/** The initial namespaces' numbers (proc_ns.h; mnt and net as measured on the host here). */
export const HOST_NS_IDS: Readonly<Record<NsKind, number>> = {
  cgroup: 4026531835,
  ipc: 4026531839,
  mnt: 4026531832,
  net: 4026531833,
  pid: 4026531836,
  time: 4026531834,
  user: 4026531837,
  uts: 4026531838,
};

/** The first numbers proc_alloc_inum hands out after boot (measured: a first container's mnt is 4026532249). */
let nextInode = 4026532160;

/** proc_alloc_inum: a new namespace's number. */
export function allocNsInode(): number {
  return nextInode++;
}

/** The namespaces of a process: their numbers, and the mount table of its mount namespace. */
export interface NsSet {
  readonly ids: Readonly<Record<NsKind, number>>;
  /** The mount namespace, for /proc/PID/mounts; absent for the host's processes of the model. */
  readonly mounts?: MountNamespace;
}

export const HOST_NS_SET: NsSet = { ids: HOST_NS_IDS };

/** The link /proc/PID/ns/NAME holds. */
export function nsLink(set: NsSet, entry: (typeof NS_ENTRIES)[number]): string {
  const kind = entry.split('_')[0] as NsKind;
  return `${kind}:[${set.ids[kind]}]`;
}
