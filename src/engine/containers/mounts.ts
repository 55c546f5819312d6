/**
 * How the runtime lays a container's own mounts (volumes, binds, tmpfs) over its rootfs, as moby's
 * daemon/oci_linux.go and runc do: sorted by the depth of the destination (moby's sortMounts: a
 * parent before what is mounted inside it; equal depths keep their order here, Docker's is map order),
 * each mount point made in the container's own layer first (a directory, or an empty file for a
 * file bind), so that a read-only rootfs can still carry them.
 */
import { tmpfs } from '../../vfs/vfs.js';
import type { FsContext } from '../../vfs/context.js';
import { parseTmpfs } from '../../volume/spec.js';
import type { RuntimeMount } from '../volumes.js';
import type { ContainerRecord } from './record.js';

const depth = (p: string) => p.split('/').filter(Boolean).length;

export function sortMounts(ms: readonly RuntimeMount[]): RuntimeMount[] {
  return [...ms].sort((a, b) => depth(a.target) - depth(b.target));
}

/** mkdir -p of the destination, or its parents and an empty file when a single file is mounted there. */
export function makeMountpoint(ctx: FsContext, m: RuntimeMount): void {
  const parts = m.target.split('/').filter(Boolean);
  const isDir = m.fs.stat('').type === 'dir';
  let cur = '';
  for (const [i, part] of parts.entries()) {
    cur += `/${part}`;
    try {
      ctx.stat(cur);
    } catch {
      if (i === parts.length - 1 && !isDir) ctx.writeFile(cur, '', { mode: 0o755 });
      else ctx.mkdir(cur, 0o755);
    }
  }
}

/** HostConfig.Tmpfs alone: the mounts of a runtime that has no volume service (tests of the lifecycle). */
export function tmpfsMounts(c: ContainerRecord): RuntimeMount[] {
  return Object.entries(c.hostConfig.Tmpfs ?? {}).map(([target, options]) => {
    const s = parseTmpfs(target, options);
    return { target: s.target, fs: tmpfs(s.tmpfs ?? {}), readOnly: s.readOnly, source: 'tmpfs', flags: ['nosuid', 'nodev', 'noexec', 'relatime'], type: 'tmpfs' as const };
  });
}
