/**
 * The filesystem underneath everything: an inode model (inode apart from its names), path
 * resolution confined to a root like openat2(RESOLVE_IN_ROOT), POSIX errors, and a plain
 * in-memory filesystem (`Vfs`) for upper dirs, volumes and tmpfs.
 */
export * from './inode.js';
export * from './resolve.js';
export * from './stats.js';
export { Vfs, checkRenameTarget } from './vfs.js';
