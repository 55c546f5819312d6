/**
 * `docker run --init`: moby's daemon/oci_linux.go WithCommonOptions puts the daemon's init binary
 * (docker-init, tini) read-only at /sbin/docker-init and runs `/sbin/docker-init -- PATH ARGS...`
 * as the container's process; inspect's Path and Args stay the command's (measured: `true true []`).
 * The file here is a stand-in whose name the kernel's loader runs as the docker-init program.
 */
import { Vfs } from '../../vfs/vfs.js';
import type { RuntimeMount } from '../volumes.js';
import { HOST_DISK } from './kernelviews.js';
import type { ContainerRecord } from './record.js';

export const INIT_PATH = '/sbin/docker-init';

/** The argv runc starts: the command, behind docker-init when HostConfig.Init is set. */
export function processArgv(c: ContainerRecord): string[] {
  return c.hostConfig.Init === true ? [INIT_PATH, '--', c.path, ...c.args] : [c.path, ...c.args];
}

/** The bind of the init binary (the host's /usr/bin/docker-init), when HostConfig.Init is set. */
export function initMounts(c: ContainerRecord): RuntimeMount[] {
  if (c.hostConfig.Init !== true) return [];
  const host = new Vfs(undefined, HOST_DISK);
  host.writeFile('docker-init', '\x7fELF docker-init\n', { mode: 0o755 });
  return [{ target: INIT_PATH, fs: host.subtree('docker-init'), readOnly: true, source: '/dev/vda', flags: ['relatime'], type: 'bind' }];
}
