/**
 * The programs the model kernel runs in containers, by name: the shell (and the few programs the
 * runtime's own tests need) and busybox's applets. A file in a container's filesystem runs as one of
 * these: the kernel's loader knows busybox as the multi-call binary, whose applet is the name it was
 * called by.
 */
import { busyboxApplets } from '../runtime/busybox/index.js';
import { busyboxPrograms } from '../runtime/programs/index.js';
import { dockerInit } from '../runtime/programs/dockerinit.js';
import type { ProgramRegistry } from '../runtime/program.js';

export function defaultPrograms(): ProgramRegistry {
  const r = busyboxPrograms();
  // the applets are the fuller versions; the shell's own programs stay where there is none
  for (const [name, p] of busyboxApplets) r.set(name, p);
  // `docker run --init`'s /sbin/docker-init (engine/containers/init.ts)
  r.set('docker-init', dockerInit);
  return r;
}
