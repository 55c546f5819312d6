/**
 * The filesystem underneath everything: an inode model (inode apart from its names), path
 * resolution confined to a root like openat2(RESOLVE_IN_ROOT), credentials and the kernel's
 * permission rules, POSIX errors, the declared syscall surface (`FileSystem`), a plain in-memory
 * filesystem (`Vfs`, also a tmpfs) for upper dirs, volumes and tmpfs, and mount namespaces.
 */
export * from './inode.js';
export * from './resolve.js';
export * from './stats.js';
export * from './cred.js';
export type { FileSystem, WriteOptions, NodeKind } from './fs.js';
export { PAGE_SIZE, Superblock, allocDev } from './superblock.js';
export { Vfs, checkRenameTarget, tmpfs } from './vfs.js';
export { MountNamespace, Mount, type Loc, type MountOptions, type Walked } from './namespace.js';
export { FsContext } from './context.js';
export { SubtreeView } from './subtree.js';
export { HostFs, hostStats } from './hostfs.js';
export { hostMountOf, type HostMountInfo } from './hostmount.js';
