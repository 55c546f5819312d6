/**
 * The programs the model kernel runs in containers, by name: the shell and busybox's applets. A
 * file in a container's filesystem runs as one of these (the kernel's loader knows busybox as the
 * multi-call binary: the applet is the name it was called by).
 */
import { busyboxPrograms } from '../runtime/programs/index.js';
import type { ProgramRegistry } from '../runtime/program.js';

export function defaultPrograms(): ProgramRegistry {
  return busyboxPrograms();
}
