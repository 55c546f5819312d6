/**
 * The machine the daemon runs on, as its containers' /proc reports it: a container shares the
 * host's kernel, so /proc/meminfo, cpuinfo, version and uptime are the host's (no LXCFS here).
 */
import * as os from 'node:os';
import type { Machine } from './kernelviews.js';

export function hostMachine(): Machine {
  const cpus = os.cpus();
  return {
    memTotal: os.totalmem(),
    ncpu: cpus.length || 1,
    release: os.release(),
    build: os.version(),
    cpuModel: cpus[0]?.model ?? 'unknown',
    bootTime: Date.now() - os.uptime() * 1000,
    hostname: os.hostname(),
  };
}
