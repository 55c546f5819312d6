/**
 * The machine the daemon runs on, as its containers' /proc reports it: a container shares the
 * host's kernel, so /proc/meminfo, cpuinfo, version and uptime are the host's (no LXCFS here).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { Machine } from './kernelviews.js';

export function hostMachine(root = '/'): Machine {
  const cpus = os.cpus();
  const d = fs.statfsSync(root);
  const k = d.bsize / 4096;
  return {
    memTotal: os.totalmem(),
    ncpu: cpus.length || 1,
    release: os.release(),
    build: os.version(),
    cpuModel: cpus[0]?.model ?? 'unknown',
    bootTime: Date.now() - os.uptime() * 1000,
    hostname: os.hostname(),
    disk: { blocks: Math.floor(d.blocks * k), bfree: Math.floor(d.bfree * k), bavail: Math.floor(d.bavail * k), files: d.files, ffree: d.ffree },
  };
}
