/**
 * The container's files as the daemon sees them for `docker cp`: moby daemon/archive.go mounts the
 * rootfs and the container's volumes in the daemon's own namespace (container.MountVolumes, each
 * mount point made first, read-only ones read-only), not the container's: so no /dev and no tmpfs,
 * which live only in the container's namespace (measured: cp into a --tmpfs path of a running
 * container writes the rootfs under the mount, and `ls` inside shows the tmpfs empty). Once the
 * container has been started, the /etc files the engine bind-mounts are there too.
 */
import type { Mount as OverlayRoot } from '../../overlay/index.js';
import { FsContext } from '../../vfs/context.js';
import { MountNamespace } from '../../vfs/namespace.js';
import { Vfs } from '../../vfs/vfs.js';
import type { RuntimeMount } from '../volumes.js';
import { makeMountpoint, sortMounts } from './mounts.js';

export interface ArchiveView {
  fs: FsContext;
  /** Releases what the view holds open (the binds' host fds): call once the request is done. */
  close: () => void;
  /** The container's volumes and binds, for the read-only checks of a PUT. */
  volumes: { target: string; readOnly: boolean }[];
  readOnlyRootfs: boolean;
}

export interface ArchiveParts {
  root: OverlayRoot;
  own: { mounts: RuntimeMount[]; close: () => void };
  /** The /etc files, when the container has been started. */
  etc?: { hostname: string; hosts: string; resolvConf: string };
  readOnlyRootfs: boolean;
}

export function archiveView({ root, own, etc, readOnlyRootfs }: ArchiveParts): ArchiveView {
  const ns = new MountNamespace(root, { source: 'overlay' });
  try {
    const rootCtx = new FsContext(new MountNamespace(root));
    for (const m of sortMounts(own.mounts)) {
      makeMountpoint(rootCtx, m);
      ns.mount(m.fs, m.target, { source: m.source, readOnly: m.readOnly, flags: m.flags });
    }
  } catch (e) {
    own.close();
    throw e;
  }
  if (etc) {
    const host = new Vfs();
    host.writeFile('hostname', etc.hostname);
    host.writeFile('hosts', etc.hosts);
    host.writeFile('resolv.conf', etc.resolvConf);
    // a file the user mounts there wins, as in the container's namespace
    for (const [name, target] of [['resolv.conf', '/etc/resolv.conf'], ['hostname', '/etc/hostname'], ['hosts', '/etc/hosts']] as const)
      if (!own.mounts.some((m) => m.target === target)) ns.bindFrom(host, name, target, { source: '/dev/vda' });
  }
  const volumes = own.mounts.map((m) => ({ target: m.target, readOnly: m.readOnly }));
  return { fs: new FsContext(ns), close: own.close, volumes, readOnlyRootfs };
}
